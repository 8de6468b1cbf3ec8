/**
 * Every provider package asks for a plugin version upstream released (scripts/check-provider-pins.ts).
 * Reads the npm registry and the Go module proxy.
 */
import { goModuleServed, npmFacts, pinProblems, providerPins } from "../scripts/check-provider-pins";

jest.setTimeout(180_000);

describe("provider plugin pins", () => {
  const pins = providerPins();

  it("finds the four provider packages", () => {
    expect(pins.map((p) => p.plugin).sort()).toEqual(["aws", "command", "kubernetes", "proxmoxve"]);
  });

  it("pins @pulumi/command 1.2.1", () => {
    expect(pins.find((p) => p.plugin === "command")).toMatchObject({ version: "1.2.1", pluginVersion: "1.2.1" });
  });

  it.each(pins.map((p) => [p.packageName, p] as const))("%s is an upstream release", (_name, pin) => {
    expect(pinProblems(pin, npmFacts(pin.packageName), goModuleServed)).toEqual([]);
  });

  it("refuses the stray @pulumi/command 4.5.0 the project once pinned", () => {
    const stray = { packageName: "@pulumi/command", version: "4.5.0", plugin: "command", pluginVersion: "4.5.0" };
    const problems = pinProblems(stray, npmFacts("@pulumi/command"), goModuleServed);
    expect(problems.join("\n")).toMatch(/above npm's latest \(1\.2\.1\)/);
    expect(problems.join("\n")).toMatch(/no upstream release tag v4\.5\.0/);
  });

  it("refuses a plugin version that differs from the package version", () => {
    const pin = { packageName: "@pulumi/aws", version: "7.48.0", plugin: "aws", pluginVersion: "7.47.0" };
    expect(pinProblems(pin, { latest: "7.48.0", versions: ["7.48.0"] })).toEqual([
      "@pulumi/aws@7.48.0 installs plugin aws v7.47.0, not v7.48.0",
    ]);
  });
});
