/**
 * The talosctl flag lists the talosctl double checks command lines against, derived from the
 * pinned releases' cli.md (tests/helpers/talosctlFlags.ts). Each assertion is a fact of the
 * upstream CLI reference that a broken download, pin or parse would lose.
 */
import * as fs from "fs";
import * as path from "path";
import { TALOS_REFERENCE_VERSIONS } from "./helpers/reference";
import { releasedModule } from "./helpers/refModules";
import { parseCliMarkdown, parseFlagLine, TalosctlFlag, talosctlFlags, talosctlFlagsFile, TALOSCTL_PINS } from "./helpers/talosctlFlags";

const MODES = ["auto", "no-reboot", "reboot", "staged", "try"];
const CONNECTION = [
  { long: "--nodes", short: "-n", type: "strings" },
  { long: "--endpoints", short: "-e", type: "strings" },
  { long: "--talosconfig", type: "string" },
  { long: "--context", type: "string" },
];
const find = (list: TalosctlFlag[] | undefined, long: string) => (list ?? []).find((f) => f.long === long);

describe("pflag usage lines", () => {
  test("an enum placeholder becomes its values; the help text's trailing default is kept", () => {
    expect(parseFlagLine("  -m, --mode auto, no-reboot, reboot, staged, try   apply config mode (default auto)")).toEqual({
      long: "--mode",
      short: "-m",
      type: "enum",
      values: MODES,
      default: "auto",
    });
  });
  test("a flag without a placeholder is a bool; a placeholder is kept as printed", () => {
    expect(parseFlagLine("      --dry-run                                     print the change summary")).toEqual({
      long: "--dry-run",
      type: "bool",
    });
    expect(parseFlagLine("  -p, --patch stringArray                           the patch to be applied")).toEqual({
      long: "--patch",
      short: "-p",
      type: "stringArray",
    });
    // Not an enum: a Go type with a unit note, whose comma has no space after it.
    expect(parseFlagLine("      --memory-workers string(mb,gb)   the limit on memory usage (default 2.0GiB)")).toEqual({
      long: "--memory-workers",
      type: "string(mb,gb)",
      default: "2.0GiB",
    });
    // A parenthesised remark before the default stays out of it.
    expect(
      parseFlagLine("      --tail int32   lines of log file to display (default is to show from the beginning) (default -1)")?.default,
    ).toBe("-1");
  });
  test("continuation lines of a multi-line help text are not flags", () => {
    expect(parseFlagLine("                                                    and more help text")).toBeUndefined();
  });
  test("sections: usage line, own and inherited options, identical duplicates kept once", () => {
    const section = [
      "## talosctl config add",
      "",
      "```",
      "talosctl config add <context> [flags]",
      "```",
      "",
      "### Options",
      "",
      "```",
      "      --ca string   the path to the CA certificate",
      "  -h, --help        help for add",
      "```",
      "",
      "### Options inherited from parent commands",
      "",
      "```",
      "      --talosconfig string   The path to the Talos configuration file.",
      "```",
      "",
    ].join("\n");
    const { sections, duplicates } = parseCliMarkdown(`${section}\n${section}`);
    expect(duplicates).toEqual(["config add"]);
    expect(sections).toEqual([
      {
        path: "config add",
        usage: "talosctl config add <context> [flags]",
        options: [
          { long: "--ca", type: "string" },
          { long: "--help", short: "-h", type: "bool" },
        ],
        inherited: [{ long: "--talosconfig", type: "string" }],
      },
    ]);
  });
});

describe("the talosctl flag lists of the pinned releases", () => {
  test("every Talos minor the tests use is pinned, by exact version and zip hash", () => {
    expect(Object.keys(TALOSCTL_PINS).sort()).toEqual([...TALOS_REFERENCE_VERSIONS].sort());
    for (const version of TALOS_REFERENCE_VERSIONS) {
      const { source } = talosctlFlags(version);
      expect(source.module).toBe("github.com/siderolabs/talos");
      expect(source.version).toMatch(/^v1\.\d+\.\d+$/);
      expect(source.sum).toMatch(/^h1:[A-Za-z0-9+/]{43}=$/);
      expect(source.path).toBe(`website/content/v${TALOSCTL_PINS[version].docs}/reference/cli.md`);
      if (!TALOSCTL_PINS[version].standIn) expect(source.version.startsWith(`v${version}.`)).toBe(true);
    }
  });

  for (const version of TALOS_REFERENCE_VERSIONS) {
    describe(`Talos ${version}`, () => {
      test("patch: --mode/-m takes the five modes, --patch/-p repeats, --patch-file and --timeout exist", () => {
        const patch = talosctlFlags(version).commands.patch;
        expect(find(patch, "--mode")).toEqual({ long: "--mode", short: "-m", type: "enum", values: MODES, default: "auto" });
        expect(find(patch, "--patch")).toEqual({ long: "--patch", short: "-p", type: "stringArray" });
        expect(find(patch, "--patch-file")).toMatchObject({ type: "string" });
        expect(find(patch, "--timeout")).toMatchObject({ type: "duration", default: "1m0s" });
        expect(find(patch, "--dry-run")).toMatchObject({ type: "bool" });
      });

      test("the commands the push runs exist, with the flags it passes", () => {
        const { commands } = talosctlFlags(version);
        for (const command of ["version", "get", "read", "service", "patch"]) expect(commands[command]).toBeDefined();
        expect(find(commands.get, "--output")).toMatchObject({ short: "-o", type: "string" });
        expect(find(commands["apply-config"], "--insecure")).toEqual({ long: "--insecure", short: "-i", type: "bool" });
        expect(find(commands["apply-config"], "--file")).toMatchObject({ short: "-f", type: "string" });
      });

      const list = (v: string) => talosctlFlags(v);
      test("the commands the generated-config apply runs exist, with the flags it passes (src/render/talos/generated.ts)", () => {
        const { commands, global } = talosctlFlags(version);
        const flagOf = (command: string, long: string) => find(commands[command], long) ?? find(global, long);
        expect(flagOf("gen secrets", "--output-file")).toMatchObject({ short: "-o", type: "string" });
        for (const long of ["--with-secrets", "--talos-version", "--kubernetes-version", "--output"]) {
          expect(flagOf("gen config", long)).toMatchObject({ type: "string" });
        }
        expect(flagOf("gen config", "--output-types")).toMatchObject({ short: "-t", type: "strings" });
        expect(flagOf("gen config", "--config-patch")).toMatchObject({ type: "stringArray" });
        for (const long of ["--with-docs", "--with-examples"]) expect(flagOf("gen config", long)).toMatchObject({ type: "bool" });
        expect(find(commands.get, "--insecure")).toMatchObject({ short: "-i", type: "bool" });
        expect(flagOf("apply-config", "--mode")?.values).toEqual(expect.arrayContaining(MODES));
        expect(flagOf("apply-config", "--timeout")).toMatchObject({ type: "duration" });
        expect(commands.bootstrap).toBeDefined();
        expect(flagOf("kubeconfig", "--merge")).toMatchObject({ short: "-m", type: "bool" });
        expect(flagOf("kubeconfig", "--force")).toMatchObject({ short: "-f", type: "bool" });
        expect(commands["config endpoint"]).toBeDefined();
        expect(commands["config node"]).toBeDefined();
        if (version !== "1.9") {
          for (const command of ["apply-config", "bootstrap", "kubeconfig"]) {
            for (const flag of CONNECTION) expect(find(commands[command], flag.long)).toEqual(flag);
          }
          expect(find(list(version).inheritedFromParent["config endpoint"], "--talosconfig")).toEqual({
            long: "--talosconfig",
            type: "string",
          });
        }
      });

      test("connection flags: root flags up to 1.9, each command's own from 1.11", () => {
        const list = talosctlFlags(version);
        if (version === "1.9") {
          for (const flag of CONNECTION) expect(find(list.global, flag.long)).toEqual(flag);
          expect(find(list.commands.patch, "--nodes")).toBeUndefined();
        } else {
          expect(list.global).toEqual([{ long: "--help", short: "-h", type: "bool" }]);
          for (const command of ["version", "get", "read", "service", "patch"]) {
            for (const flag of CONNECTION) expect(find(list.commands[command], flag.long)).toEqual(flag);
          }
          // Commands that talk to no node take none; `config ...` inherits them from `config`.
          expect(find(list.commands["gen config"], "--nodes")).toBeUndefined();
          expect(find(list.inheritedFromParent["config add"], "--talosconfig")).toEqual({ long: "--talosconfig", type: "string" });
        }
      });

      test("aliases come from the release's cobra commands", () => {
        const { aliases } = talosctlFlags(version);
        expect(aliases).toMatchObject({
          apply: "apply-config",
          g: "get",
          cat: "read",
          services: "service",
          mc: "machineconfig",
          "mc patch": "machineconfig patch",
          "image ls": "image list",
        });
      });

      test("the double's JSON file has the shape it reads", () => {
        const json = JSON.parse(fs.readFileSync(talosctlFlagsFile(version), "utf8"));
        expect(json._global).toEqual(talosctlFlags(version).global);
        expect(json.patch).toEqual(talosctlFlags(version).commands.patch);
        expect(json._aliases.apply).toBe("apply-config");
        expect(json._inherited_from_parent).toEqual(talosctlFlags(version).inheritedFromParent);
        expect(json._positional_forms).toEqual({});
        expect(talosctlFlagsFile(version)).toBe(talosctlFlagsFile(version));
      });
    });
  }

  test("1.9 and 1.13 differ: interactive apply mode, the image subcommands", () => {
    const old = talosctlFlags("1.9");
    const cur = talosctlFlags("1.13");
    expect(find(old.commands["apply-config"], "--mode")?.values).toEqual(["auto", "interactive", "no-reboot", "reboot", "staged", "try"]);
    expect(find(cur.commands["apply-config"], "--mode")?.values).toEqual(MODES);
    expect(old.commands["image default"]).toBeDefined();
    expect(cur.commands["image default"]).toBeUndefined();
    expect(cur.aliases["image default"]).toBe("image k8s-bundle");
    expect(old.commands["image remove"]).toBeUndefined();
    expect(cur.aliases["image rm"]).toBe("image remove");
  });

  test("1.11 stand-in: talosctl 1.11 registers the same flags for the push's commands as the release standing in", () => {
    const pin = TALOSCTL_PINS["1.11"];
    expect(pin.standIn).toBeDefined();
    expect(talosctlFlags("1.11").source.standInFor).toMatch(/^1\.11 /);
    const cmdDir = (dir: string) => path.join(dir, "cmd", "talosctl");
    const talos11 = cmdDir(releasedModule(pin.standIn!.source).dir);
    const standIn = cmdDir(releasedModule(pin.release).dir);
    const registrations = (root: string, file: string) =>
      fs
        .readFileSync(path.join(root, "cmd", "talos", file), "utf8")
        .split("\n")
        .filter((l) => /Flags\(\)\.|AddModeFlags|addCommand\(/.test(l))
        .map((l) => l.trim());
    for (const file of ["version.go", "get.go", "read.go", "service.go", "patch.go"]) {
      expect(registrations(talos11, file)).toEqual(registrations(standIn, file));
    }
    // The generated-config apply's commands: the same flags (names, types, defaults; gen secrets' help text differs).
    const withoutHelp = (lines: string[]) => lines.map((l) => l.replace(/, ("[^"]*"|`[^`]*`)\)$/, ")"));
    for (const file of ["apply-config.go", "bootstrap.go", "kubeconfig.go", "config.go"]) {
      expect(registrations(talos11, file)).toEqual(registrations(standIn, file));
    }
    // (registrations() reads cmd/talos/<file>; the gen commands live in cmd/mgmt/gen.)
    const gen = (root: string, file: string) => withoutHelp(registrations(root, path.join("..", "mgmt", "gen", file)));
    for (const file of ["secrets.go", "config.go"]) {
      expect(gen(talos11, file).length).toBeGreaterThan(3);
      expect(gen(talos11, file)).toEqual(gen(standIn, file));
    }
    // The connection flags: the stand-in adds only the short form -c of --cluster.
    const cluster11 = 'StringVar(&GlobalArgs.Cluster, "cluster", ""';
    const old = registrations(talos11, "root.go");
    expect(old.some((l) => l.includes(cluster11))).toBe(true);
    expect(old.map((l) => l.replace(cluster11, 'StringVarP(&GlobalArgs.Cluster, "cluster", "c", ""'))).toEqual(
      registrations(standIn, "root.go"),
    );
    expect(find(talosctlFlags("1.11").commands.patch, "--cluster")).toEqual({ long: "--cluster", short: "-c", type: "string" });
    // --mode: in 1.11 only apply-config adds `interactive` to the five modes.
    const mode11 = fs.readFileSync(path.join(talos11, "pkg", "talos", "helpers", "mode.go"), "utf8");
    expect(mode11).toMatch(/if command\.Use == "apply-config" \{\s*modes\[modeInteractive\] = InteractiveMode/);
  });
});
