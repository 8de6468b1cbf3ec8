/**
 * The generated-config apply (`TalosConfigPush` with `configSource: "generated"`): every script
 * the component renders (secrets bundle, talosconfig, each node's gen config + apply + bootstrap
 * + health gates, kubeconfig) run with bash, in the order the resources depend on each other,
 * against the talosctl double (`helpers/fake-talosctl.js`): it refuses any flag or command the
 * pinned CLI reference of that Talos minor lacks, and simulates the nodes (maintenance mode until
 * a config is applied, mTLS only with a talosconfig of the cluster's CA, bootstrap once).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { pushReaderCommand } from "../src/render/talos/pushReader";
import { GeneratedPlan, GeneratedPlanSpec, planGeneratedConfigs, SECRETS_ENV } from "../src/render/talos/generated";
import { PUSH_INTERPRETER, READER_ENV, TALOSCONFIG_ENV } from "../src/render/talos/talosctl";
import { TALOS_REFERENCE_VERSIONS } from "./helpers/reference";
import { fakeTalosctlEnv, makeFakeTalosctlSandbox } from "./helpers/fakeTalosctlEnv";

const READER = pushReaderCommand().join("\n");
const CPS = [
  { name: "cp-01", address: "192.168.30.31/24" },
  { name: "cp-02", address: "192.168.30.32/24" },
  { name: "cp-03", address: "192.168.30.33/24" },
];
const WORKERS = [
  { name: "wk-01", address: "192.168.30.41/24" },
  { name: "wk-02", address: "192.168.30.42/24" },
];

const spec = (version: string, over: Partial<GeneratedPlanSpec> = {}): GeneratedPlanSpec => ({
  talosVersion: version,
  clusterName: "lab",
  endpoint: "192.168.30.30",
  vip: "192.168.30.30",
  link: "ens18",
  linkAddressing: "static",
  controlPlanes: CPS,
  workers: WORKERS,
  configPatches: ["machine:\n  install:\n    disk: /dev/vda\n"],
  waitTimeoutSeconds: 2,
  ...over,
});

interface Step {
  name: string;
  status: number | null;
  stdout: string;
  stderr: string;
}
interface Call {
  argv: string[];
  command: string;
  envNames: string[];
}

let sandbox: string;
beforeEach(() => {
  sandbox = makeFakeTalosctlSandbox("generated-push-");
});
afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));

function run(
  version: string,
  script: string,
  input: string,
  env: Record<string, string>,
  extra: Record<string, string> = {},
): Omit<Step, "name"> {
  const [shell, ...args] = PUSH_INTERPRETER;
  const r = spawnSync(shell, [...args, script], {
    input,
    encoding: "utf8",
    env: {
      ...fakeTalosctlEnv(sandbox, version, path.join(sandbox, "log.jsonl")),
      FAKE_TALOSCTL_STATE: path.join(sandbox, "state"),
      ...env,
      ...extra,
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Cluster {
  secrets: string;
  talosconfig: string;
  kubeconfig?: string;
  steps: Step[];
}

/**
 * Runs the plan as the engine would on a first `up`: secrets (unless given), talosconfig (unless
 * given), each node in dependency order (a failed node stops everything after it), kubeconfig.
 */
function up(
  version: string,
  plan: GeneratedPlan,
  given: Partial<Cluster> = {},
  extra: Record<string, string> = {},
  only?: string[],
): Cluster {
  const steps: Step[] = [];
  const step = (name: string, script: string, input: string, env: Record<string, string>) => {
    const s = { name, ...run(version, script, input, env, extra) };
    steps.push(s);
    return s;
  };
  const secrets = given.secrets ?? step("secrets", plan.secretsScript, "", {}).stdout;
  const talosconfig = given.talosconfig ?? step("talosconfig", plan.talosconfigScript, "", { [SECRETS_ENV]: secrets }).stdout;
  const env = { [SECRETS_ENV]: secrets, [TALOSCONFIG_ENV]: talosconfig, [READER_ENV]: READER };
  for (const node of plan.nodes) {
    if (only && !only.includes(node.name)) continue;
    const s = step(node.name, node.script, node.input, env);
    if (s.status !== 0) return { secrets, talosconfig, steps };
  }
  const k = step("kubeconfig", plan.kubeconfigScript, "", { [TALOSCONFIG_ENV]: talosconfig });
  return { secrets, talosconfig, kubeconfig: k.status === 0 ? k.stdout : undefined, steps };
}

const events = (): string[] => {
  const f = path.join(sandbox, "state", "events");
  return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim().split("\n") : [];
};
const calls = (): Call[] =>
  fs
    .readFileSync(path.join(sandbox, "log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Call);

function expectNoSecretLeak(c: Cluster): void {
  // Secrets only in the secret outputs (stdout of secrets/talosconfig/kubeconfig), never in argv, logs or files left behind.
  for (const call of calls()) {
    for (const arg of call.argv) expect(arg).not.toMatch(/FAKE-SECRET|BEGIN|crt-os/);
    expect(call.envNames).not.toContain(SECRETS_ENV);
    expect(call.envNames).not.toContain(TALOSCONFIG_ENV);
  }
  for (const s of c.steps) {
    expect(s.stderr).not.toMatch(/FAKE-SECRET/);
    if (!["secrets", "talosconfig", "kubeconfig"].includes(s.name)) expect(s.stdout).not.toMatch(/FAKE-SECRET/);
  }
  expect(fs.readdirSync(path.join(sandbox, "tmp"))).toEqual([]);
}

describe.each(TALOS_REFERENCE_VERSIONS)("Talos %s: generated configs against the flag-checking double", (version) => {
  const plan = planGeneratedConfigs(spec(version));

  test("from maintenance mode: every node applied --insecure in order, bootstrap once on cp-01, outputs point where they should", () => {
    const c = up(version, plan);
    for (const s of c.steps) expect({ step: s.name, status: s.status, stderr: s.stderr }).toEqual({ step: s.name, status: 0, stderr: "" });
    expect(events()).toEqual([
      "- gen secrets",
      "192.168.30.31 apply-config --insecure",
      "192.168.30.31 bootstrap",
      "192.168.30.32 apply-config --insecure",
      "192.168.30.33 apply-config --insecure",
      "192.168.30.41 apply-config --insecure",
      "192.168.30.42 apply-config --insecure",
    ]);
    // The talosconfig's endpoints are the control planes' own addresses, never the VIP.
    const tc = parse(c.talosconfig) as { context: string; contexts: Record<string, { endpoints: string[]; nodes: string[] }> };
    expect(tc.contexts[tc.context].endpoints).toEqual(["192.168.30.31", "192.168.30.32", "192.168.30.33"]);
    expect(tc.contexts[tc.context].nodes).toEqual(["192.168.30.31"]);
    // The kubeconfig's server is the endpoint URL (what the node's config holds).
    const kc = parse(c.kubeconfig as string) as { clusters: { cluster: { server: string } }[] };
    expect(kc.clusters[0].cluster.server).toBe("https://192.168.30.30:6443");
    // Workers got the endpoint too (gen config puts it into every type), and the kind they asked for.
    const wk = parse(fs.readFileSync(path.join(sandbox, "state", "192.168.30.41.config"), "utf8")) as Record<
      string,
      Record<string, unknown>
    >;
    expect(wk.cluster.controlPlane).toEqual({ endpoint: "https://192.168.30.30:6443" });
    expect(wk.machine.type).toBe("worker");
    expect(wk.kubernetesVersion).toBe(plan.kubernetesVersion);
    expect(wk.talosVersion).toBe(`v${version}`);
    expect(c.steps.find((s) => s.name === "cp-01")?.stdout).toMatch(/maintenance mode: applying the generated controlplane config/);
    expectNoSecretLeak(c);
  });

  test("a second run applies nothing and bootstraps nothing; a changed patch re-applies only that node", () => {
    const first = up(version, plan);
    const before = events().length;
    const again = up(version, plan, { secrets: first.secrets, talosconfig: first.talosconfig });
    for (const s of again.steps) expect({ step: s.name, status: s.status }).toEqual({ step: s.name, status: 0 });
    expect(events().slice(before)).toEqual([]);
    for (const n of plan.nodes)
      expect(again.steps.find((s) => s.name === n.name)?.stdout).toMatch(/equals the generated one: nothing applied/);
    expect(again.steps.find((s) => s.name === "cp-01")?.stdout).toMatch(/etcd is healthy: the cluster was bootstrapped before/);

    const changed = planGeneratedConfigs(
      spec(version, { nodePatches: [{ node: "cp-02", patch: "machine:\n  network:\n    hostname: cp-02\n" }] }),
    );
    // Only cp-02's trigger changes: the engine re-runs only that command.
    const differs = changed.nodes.filter((n, i) => n.hash !== plan.nodes[i].hash).map((n) => n.name);
    expect(differs).toEqual(["cp-02"]);
    // Even when every node's script runs again (e.g. a new talosctl path), only cp-02 is applied.
    const mark = events().length;
    const third = up(version, changed, { secrets: first.secrets, talosconfig: first.talosconfig });
    for (const s of third.steps) expect({ step: s.name, status: s.status }).toEqual({ step: s.name, status: 0 });
    expect(events().slice(mark)).toEqual(["192.168.30.32 apply-config"]);
    expectNoSecretLeak(third);
  });

  test("a config the node refuses stops the rollout at the first node, with Talos's error; the other nodes stay untouched", () => {
    const bad = planGeneratedConfigs(spec(version, { controlPlanePatches: ["machine:\n  unknownKeyTalosRefuses: true\n"] }));
    const c = up(version, bad, {}, { FAKE_TALOSCTL_REFUSE: "unknownKeyTalosRefuses" });
    const last = c.steps[c.steps.length - 1];
    expect(last.name).toBe("cp-01");
    expect(last.status).toBe(1);
    expect(last.stderr).toMatch(
      /192\.168\.30\.31: the node refused the generated config: .*unknownKeyTalosRefuses: unknown keys found during decoding/,
    );
    expect(events()).toEqual(["- gen secrets"]);
    expect(fs.readdirSync(path.join(sandbox, "state")).filter((f) => f.endsWith(".config"))).toEqual([]);
    expectNoSecretLeak(c);
  });

  test("a node configured before (e.g. by an earlier up) and the rest in maintenance: authenticated for it, --insecure for the rest", () => {
    const first = up(version, plan, {}, {}, ["cp-01"]);
    expect(first.steps.map((s) => s.status)).toEqual([0, 0, 0, 0]);
    const mark = events().length;
    const c = up(version, plan, { secrets: first.secrets, talosconfig: first.talosconfig });
    for (const s of c.steps) expect({ step: s.name, status: s.status, stderr: s.stderr }).toEqual({ step: s.name, status: 0, stderr: "" });
    expect(events().slice(mark)).toEqual([
      "192.168.30.32 apply-config --insecure",
      "192.168.30.33 apply-config --insecure",
      "192.168.30.41 apply-config --insecure",
      "192.168.30.42 apply-config --insecure",
    ]);
    expect(c.steps.find((s) => s.name === "cp-01")?.stdout).toMatch(/configured \(running\)/);
  });
});

test("a node that never answers: the wait is bounded and reports talosctl's last error", () => {
  const plan = planGeneratedConfigs(spec("1.13", { waitTimeoutSeconds: 1 }));
  const secrets = run("1.13", plan.secretsScript, "", {}).stdout;
  const talosconfig = run("1.13", plan.talosconfigScript, "", { [SECRETS_ENV]: secrets }).stdout;
  // A configured node whose CA is another cluster's: neither --insecure nor this talosconfig gets in.
  fs.writeFileSync(path.join(sandbox, "state", "192.168.30.31.config"), "machine:\n  type: controlplane\n  ca:\n    crt: another-ca\n");
  const r = run("1.13", plan.nodes[0].script, plan.nodes[0].input, {
    [SECRETS_ENV]: secrets,
    [TALOSCONFIG_ENV]: talosconfig,
    [READER_ENV]: READER,
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(
    /the node's Talos API \(maintenance or configured\): not ready after 1 s; last error: .*certificate signed by unknown authority/,
  );
  expect(fs.readdirSync(path.join(sandbox, "tmp"))).toEqual([]);
});
