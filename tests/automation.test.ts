import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiCliNotFoundError, selectStack } from "../automation";
import { stackOutputs } from "../stack/program";
import indexProgram = require("../index");

test("index.ts (pulumi up) and the Automation API run the same program function", () => {
  expect(indexProgram).toBe(stackOutputs);
});

test("without the pulumi CLI, selectStack fails with a clear message instead of a spawn error", async () => {
  const emptyBin = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-"));
  const saved = { PATH: process.env.PATH, PULUMI_HOME: process.env.PULUMI_HOME };
  process.env.PATH = emptyBin;
  process.env.PULUMI_HOME = emptyBin;
  try {
    const attempt = selectStack({ stackName: "proxmox", workDir: path.resolve(__dirname, "..") });
    await expect(attempt).rejects.toBeInstanceOf(PulumiCliNotFoundError);
    await expect(attempt).rejects.toThrow(/^the pulumi CLI was not found on PATH/);
  } finally {
    process.env.PATH = saved.PATH;
    if (saved.PULUMI_HOME === undefined) delete process.env.PULUMI_HOME;
    else process.env.PULUMI_HOME = saved.PULUMI_HOME;
    fs.rmSync(emptyBin, { recursive: true, force: true });
  }
});
