/**
 * Engine scenarios whose program fails, run by the tests in their own process:
 * `npx tsx tests/helpers/engineScenarios.ts <scenario>` prints one JSON line. A failing inline
 * program reaches the Automation API through process-level handlers (`unhandledRejection`) that
 * Jest's sandboxed `process` never calls, so under Jest the failure would escape the test.
 *
 * - `bad-input`: `pulumi up` of a TalosVipEndpoint whose VIP is outside the nodes' subnet.
 *   Prints `{ error, resources }` (the Automation API's error, resource types left in the state).
 * - `select-stack <workDir>`: `selectStack` (automation.ts) of the `baremetal` stack in `workDir`
 *   with the CLI found on PATH, config read, secrets set, `preview`. Prints
 *   `{ version, platform, error, stacks, settings }` (the stack settings file's text before the stack's removal).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { selectStack } from "../../examples/automation";
import { TalosVipEndpoint } from "../../src/index";
import { engineSandbox } from "./engine";

async function badInput(asOutput = false): Promise<unknown> {
  const box = await engineSandbox("talos-endpoints-e2e", asOutput ? "bad-input-output" : "bad-input", async () => {
    const endpoint = new TalosVipEndpoint("control-plane", {
      talosVersion: "1.13",
      controlPlanes: [
        { name: "cp-01", address: "10.77.0.11/24" },
        { name: "cp-02", address: "10.77.0.12/24" },
        { name: "cp-03", address: "10.77.0.13/24" },
      ],
      vip: asOutput ? pulumi.output("10.99.0.10") : "10.99.0.10",
      link: "eth0",
    });
    // Consumers of the endpoint, as in a stack: the push would take it, so would outputs.
    return { endpoint: endpoint.endpoint, url: endpoint.kubernetesApiUrl, vip: endpoint.vip };
  });
  let error = "";
  try {
    await box.stack.up();
  } catch (err) {
    error = String((err as Error).message);
  }
  const resources = ((await box.stack.exportStack()).deployment.resources ?? []).map((r: { type: string }) => r.type);
  box.remove();
  return { error, resources };
}

async function selectStackScenario(workDir: string): Promise<unknown> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "talos-endpoints-automation-home-"));
  const envVars = {
    PULUMI_HOME: path.join(home, "home"),
    PULUMI_BACKEND_URL: `file://${home}`,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_CONFIG_PASSPHRASE: "automation test",
  };
  try {
    const stack = await selectStack({ stackName: "baremetal", workDir, envVars });
    const version = await stack.workspace.pulumiVersion;
    const platform = (await stack.getAllConfig())["talos-endpoints:platform"]?.value;
    await stack.setConfig("talos-endpoints:talosconfig", { value: "context: e2e\ncontexts:\n  e2e: {}\n", secret: true });
    await stack.setConfig("talos-endpoints:lbSshPrivateKey", { value: "not-a-real-key", secret: true });
    let error = "";
    try {
      await stack.preview();
    } catch (err) {
      error = String((err as Error).message);
    }
    const again = await selectStack({ stackName: "baremetal", workDir, envVars });
    const stacks = (await again.workspace.listStacks()).map((s) => s.name);
    // Read before removal: `stack rm` deletes the stack settings file.
    const settings = fs.readFileSync(path.join(workDir, "Pulumi.baremetal.yaml"), "utf8");
    await again.workspace.removeStack("baremetal");
    return { version, platform, error, stacks, settings };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [scenario, arg] = process.argv.slice(2);
  const result =
    scenario === "bad-input"
      ? await badInput()
      : scenario === "bad-input-output"
        ? await badInput(true)
        : scenario === "select-stack"
          ? await selectStackScenario(arg)
          : undefined;
  if (result === undefined) throw new Error(`unknown scenario ${scenario}`);
  console.log(JSON.stringify(result));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
