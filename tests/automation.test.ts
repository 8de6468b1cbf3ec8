import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiCliNotFoundError, selectStack } from "../examples/automation";
import { stackOutputs } from "../examples/stack/program";
import indexProgram = require("../examples/index");
import { ensurePulumiCli, PULUMI_BIN, runEngineScenario } from "./helpers/engine";

test("index.ts (pulumi up) and the Automation API run the same program function", () => {
  expect(indexProgram).toBe(stackOutputs);
});

test("without the pulumi CLI, selectStack fails with a clear message instead of a spawn error", async () => {
  const emptyBin = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-"));
  const saved = { PATH: process.env.PATH, PULUMI_HOME: process.env.PULUMI_HOME };
  process.env.PATH = emptyBin;
  process.env.PULUMI_HOME = emptyBin;
  try {
    const attempt = selectStack({ stackName: "proxmox", workDir: path.resolve(__dirname, "..", "examples") });
    await expect(attempt).rejects.toBeInstanceOf(PulumiCliNotFoundError);
    await expect(attempt).rejects.toThrow(/^the pulumi CLI was not found on PATH/);
  } finally {
    process.env.PATH = saved.PATH;
    if (saved.PULUMI_HOME === undefined) delete process.env.PULUMI_HOME;
    else process.env.PULUMI_HOME = saved.PULUMI_HOME;
    fs.rmSync(emptyBin, { recursive: true, force: true });
  }
});

describe("selectStack on the real engine (pulumi CLI built from Go modules, on PATH)", () => {
  jest.setTimeout(180_000);

  it("creates the stack with the checkout's settings and runs the stack program in the engine", () => {
    ensurePulumiCli();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "talos-endpoints-automation-"));
    try {
      // What a checkout holds for the stack: the project file (whose `main`, index.ts, the CLI
      // checks exists even for an inline program) and the baremetal stack settings.
      for (const f of ["Pulumi.yaml", "Pulumi.baremetal.yaml", "index.ts"])
        fs.copyFileSync(path.resolve(__dirname, "..", "examples", f), path.join(work, f));
      const env = { ...process.env, PATH: `${path.dirname(PULUMI_BIN)}${path.delimiter}${process.env.PATH}` };
      const result = runEngineScenario<{ version: string; platform: string; error: string; stacks: string[]; settings: string }>(
        "select-stack",
        [work],
        env,
      );
      expect(result.version).toBe("3.248.0");
      expect(result.platform).toBe("baremetal");
      expect(result.stacks).toEqual(["baremetal"]);
      // The program runs in the engine up to its first command resource: the command provider
      // plugin cannot be built here (the Go module proxy does not serve pulumi-command's provider
      // module; README, "What runs on the real engine"), and the engine says exactly that.
      expect(result.error).toMatch(/no resource plugin 'pulumi-resource-command' found in the workspace at version v1\.2\.1/);
      // The secrets set through the Automation API are encrypted in the stack settings file.
      expect(result.settings).toMatch(/talos-endpoints:lbSshPrivateKey:\s+secure: /);
      expect(result.settings).not.toContain("not-a-real-key");
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
