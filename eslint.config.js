// ESLint (flat config) with typescript-eslint. Besides the recommended rules, the layers import one
// way: src/core ← src/render ← src/components ← examples; src/render holds pure renderers and
// plans and must not import any @pulumi/* package (tests/layers.test.ts checks the same).
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");

const pulumiImports = {
  group: ["@pulumi/*", "@muhlba91/*"],
  message: "src/core and src/render are pure: no Pulumi packages (see the README, Layout).",
};

module.exports = tseslint.config(
  { ignores: ["node_modules/", "dist/", ".tools/", "synth/", "scratch/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly", console: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    // Tests read parsed YAML and recorded resource inputs as loosely typed trees.
    files: ["tests/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            pulumiImports,
            {
              group: ["**/render/**", "**/components/**", "**/examples/**"],
              message: "src/core imports nothing from the layers above it.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/render/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            pulumiImports,
            { group: ["**/components/**", "**/examples/**"], message: "src/render imports only src/core and other renderers." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/components/**/*.ts", "src/index.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/examples/**", "@muhlba91/*"], message: "The package does not depend on the examples." }] },
      ],
    },
  },
);
