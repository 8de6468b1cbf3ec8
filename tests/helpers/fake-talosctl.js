#!/usr/bin/env node
/*
 * Recording talosctl test double. Put its directory first on PATH as `talosctl`.
 *
 * It checks argv against the talosctl flag list of one Talos version
 * (FAKE_TALOSCTL_FLAGS = path of talosctl-flags.json): the subcommand must exist; flags before
 * the subcommand must be root flags (`_global`); flags after it must be the command's own,
 * inherited from a parent, or root flags; enum values must be allowed. Any violation exits 3
 * with the reason on stderr. It then records, as JSON lines in FAKE_TALOSCTL_LOG: argv, the
 * command, the environment names, and for every flag whose value is a file (--talosconfig,
 * --patch-file, --file, --patch @file) its path, mode and content.
 *
 * It answers like a healthy node: `version` prints the client version FAKE_TALOSCTL_CLIENT_VERSION
 * and the node's FAKE_TALOSCTL_SERVER_VERSION (both required, e.g. `v1.13.9`) in talosctl's own
 * layout (cmd/talosctl/cmd/talos/version.go and pkg/machinery/version/version.go, the same in
 * v1.9.5-v1.13.9: `--short` shortens only the client part; the server part is always the long
 * form); `get machineconfig v1alpha1 -o
 * jsonpath={.spec}` prints the file named by FAKE_TALOSCTL_NODE_CONFIG (the node's active config);
 * `read /proc/sys/kernel/random/boot_id` prints the node's boot ID (fails with
 * FAKE_TALOSCTL_NO_BOOT_ID=1); `service etcd` reports
 * Running/OK. `read /system/state/config.yaml` fails as on Talos >= 1.10 (NotFound). `patch`
 * prints Talos's mode details and exits with FAKE_TALOSCTL_EXIT (default 0); with
 * FAKE_TALOSCTL_PATCH_REBOOTS=1, or `--mode reboot`, it answers "with a reboot" and the boot ID
 * changes.
 *
 * With FAKE_TALOSCTL_STATE (a directory) it simulates a cluster for the generated-config apply:
 * a node whose `<ip>.config` file is absent is in maintenance mode (answers only `--insecure`
 * calls), one with it is configured (answers only calls with a talosconfig whose CA is the CA of
 * the secrets bundle its config was generated from, as mTLS would). `gen secrets` writes a
 * bundle of fake secrets (every secret value holds FAKE-SECRET); `gen config` writes a config of
 * the requested type holding the cluster name, endpoint URL, Kubernetes version, the bundle's
 * secrets and the text of every `--config-patch` (it does not merge them: the machinery tests do
 * that with Talos's code), or a talosconfig; `config endpoint`/`config node` edit it.
 * `apply-config --insecure` stores the config on a maintenance node, `apply-config` on a
 * configured one; a config containing FAKE_TALOSCTL_REFUSE is refused with a Talos-like
 * validation error. `bootstrap` marks the cluster bootstrapped once (then AlreadyExists);
 * `service etcd` is healthy and `get staticpodstatus` reports a ready kube-apiserver on a
 * configured control plane once bootstrapped; `kubeconfig <path>` writes a kubeconfig whose
 * server is the node's `cluster.controlPlane.endpoint`. Every mutation is appended to
 * `<state>/events` as `<ip> <what>`.
 */
"use strict";
const fs = require("fs");

const reference = JSON.parse(fs.readFileSync(process.env.FAKE_TALOSCTL_FLAGS, "utf8"));
const argv = process.argv.slice(2);
const fail = (msg) => {
  process.stderr.write(`fake-talosctl: ${msg}\n`);
  process.exit(3);
};
const commands = Object.keys(reference).filter((k) => !k.startsWith("_"));
const positional = reference._positional_forms || {};
const aliases = reference._aliases || {};
const lookup = (list, flag) => (list || []).find((f) => f.long === flag || (f.short && f.short === flag));

// Split argv into words (command path) and flags, in order.
const words = [];
const flags = [];
for (let i = 0; i < argv.length; i++) {
  const token = argv[i];
  if (token.startsWith("-")) {
    const [name, inline] = token.split(/=(.*)/s, 2);
    flags.push({ name, inline, afterWords: words.length, index: i });
    const known =
      lookup(reference._global, name) ||
      commands.map((c) => lookup(reference[c], name)).find(Boolean) ||
      Object.values(reference._inherited_from_parent || {})
        .map((l) => lookup(l, name))
        .find(Boolean);
    if (!known) fail(`unknown flag ${name}`);
    if (known.type !== "bool" && inline === undefined) {
      flags[flags.length - 1].value = argv[++i];
    } else {
      flags[flags.length - 1].value = inline;
    }
    flags[flags.length - 1].spec = known;
  } else {
    words.push(token);
  }
}
// Resolve the command: longest word prefix that is a command, a positional form or an alias.
let command;
let commandWords = 0;
for (let n = words.length; n > 0 && !command; n--) {
  const candidate = words.slice(0, n).join(" ");
  if (commands.includes(candidate)) command = candidate;
  else if (positional[candidate]) command = positional[candidate];
  else if (aliases[candidate]) command = aliases[candidate];
  if (command) commandWords = n;
}
if (!command) fail(`unknown command "${words.join(" ")}"`);
for (const flag of flags) {
  const before = flag.afterWords === 0;
  const allowed = before
    ? lookup(reference._global, flag.name)
    : lookup(reference[command], flag.name) ||
      lookup((reference._inherited_from_parent || {})[command], flag.name) ||
      lookup(reference._global, flag.name);
  if (!allowed)
    fail(`flag ${flag.name} is not accepted ${before ? "before the subcommand (not a root flag)" : `by "talosctl ${command}"`}`);
  if (allowed.type === "enum" && !allowed.values.includes(flag.value)) {
    fail(`flag ${flag.name} value ${JSON.stringify(flag.value)} is not one of ${allowed.values.join(", ")}`);
  }
  if (allowed.type !== "bool" && (flag.value === undefined || flag.value.startsWith("--"))) fail(`flag ${flag.name} needs a value`);
}
const fileOf = (path) => {
  const st = fs.statSync(path);
  return { path, mode: (st.mode & 0o777).toString(8), content: fs.readFileSync(path, "utf8") };
};
const files = {};
const patches = [];
for (const flag of flags) {
  if (["--talosconfig", "--patch-file", "--file", "-f"].includes(flag.name)) files[flag.name] = fileOf(flag.value);
  if (["--patch", "-p"].includes(flag.name) && flag.value.startsWith("@")) patches.push(fileOf(flag.value.slice(1)));
}
const record = { argv, command, words, files, patches, envNames: Object.keys(process.env) };
fs.appendFileSync(process.env.FAKE_TALOSCTL_LOG, JSON.stringify(record) + "\n");
const bootFile = `${process.env.FAKE_TALOSCTL_LOG}.boot-id`;
const bootId = () => (fs.existsSync(bootFile) ? fs.readFileSync(bootFile, "utf8") : "11111111-1111-1111-1111-111111111111");
const operands = words.slice(commandWords);
const STATE = process.env.FAKE_TALOSCTL_STATE;
if (STATE) simulate();
switch (command) {
  case "get":
    if (operands[0] !== "machineconfig" || !flags.some((f) => f.name === "--output" || f.name === "-o"))
      fail(`unexpected get ${operands.join(" ")}`);
    process.stdout.write(fs.readFileSync(process.env.FAKE_TALOSCTL_NODE_CONFIG, "utf8"));
    process.exit(0);
    break;
  case "version": {
    const client = process.env.FAKE_TALOSCTL_CLIENT_VERSION;
    const server = process.env.FAKE_TALOSCTL_SERVER_VERSION;
    if (!client || !server) fail("set FAKE_TALOSCTL_CLIENT_VERSION and FAKE_TALOSCTL_SERVER_VERSION");
    const long = (tag) =>
      `\tTag:         ${tag}\n\tSHA:         0123abcd\n\tBuilt:       \n\tGo version:  go1.25.5\n\tOS/Arch:     linux/amd64\n`;
    const short = flags.some((f) => f.name === "--short");
    const node = argv[argv.indexOf("--nodes") + 1] || "10.0.0.1";
    process.stdout.write(
      `Client:\n${short ? `Talos ${client}\n` : long(client)}Server:\n\tNODE:        ${node}\n${long(server)}\tEnabled:     RBAC\n`,
    );
    process.exit(0);
    break;
  }
  case "read":
    if (operands[0] === "/proc/sys/kernel/random/boot_id") {
      if (process.env.FAKE_TALOSCTL_NO_BOOT_ID === "1") {
        process.stderr.write("rpc error: code = PermissionDenied desc = not authorized\n");
        process.exit(1);
      }
      process.stdout.write(bootId() + "\n");
      process.exit(0);
    }
    process.stderr.write(`rpc error: code = NotFound desc = stat ${operands[0]}: no such file or directory\n`);
    process.exit(1);
    break;
  case "service":
    process.stdout.write("NODE     10.0.0.1\nID       etcd\nSTATE    Running\nHEALTH   OK\n");
    process.exit(0);
    break;
  case "patch": {
    const mode = flags.find((f) => f.name === "--mode" || f.name === "-m");
    const reboots = process.env.FAKE_TALOSCTL_PATCH_REBOOTS === "1" || (mode !== undefined && mode.value === "reboot");
    process.stdout.write(
      `patched MachineConfigs.config.talos.dev/v1alpha1 at the node 10.0.0.1\nApplied configuration ${reboots ? "with" : "without"} a reboot\n`,
    );
    if (reboots) fs.writeFileSync(bootFile, "22222222-2222-2222-2222-222222222222");
    process.exit(Number(process.env.FAKE_TALOSCTL_EXIT || 0));
    break;
  }
  default:
    process.exit(Number(process.env.FAKE_TALOSCTL_EXIT || 0));
}

function simulate() {
  const YAML = require("yaml");
  const flag = (...names) => {
    const f = flags.find((x) => names.includes(x.name));
    return f === undefined ? undefined : f.value === undefined ? true : f.value;
  };
  const node = flag("--nodes", "-n");
  const insecure = flag("--insecure", "-i") === true;
  const event = (what) => fs.appendFileSync(`${STATE}/events`, `${node ?? "-"} ${what}\n`);
  const configFile = () => `${STATE}/${node}.config`;
  const configured = () => node !== undefined && fs.existsSync(configFile());
  const nodeConfig = () => YAML.parse(fs.readFileSync(configFile(), "utf8"));
  const refuse = (msg, code = 1) => {
    process.stderr.write(`${msg}\n`);
    process.exit(code);
  };
  const checkPrivate = (file, what) => {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode !== 0o600) refuse(`fake-talosctl: the ${what} ${file} has mode ${mode.toString(8)}, not 600`, 3);
  };
  // Connection: maintenance nodes answer only --insecure, configured ones only a talosconfig of their CA.
  const connect = () => {
    if (node === undefined) refuse("fake-talosctl: no --nodes", 3);
    if (insecure) {
      if (configured())
        refuse(
          'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: remote error: tls: certificate required"',
        );
      return;
    }
    const tc = flag("--talosconfig");
    if (typeof tc !== "string") refuse("fake-talosctl: an authenticated call without --talosconfig", 3);
    checkPrivate(tc, "talosconfig");
    if (!configured())
      refuse(
        'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"',
      );
    const t = YAML.parse(fs.readFileSync(tc, "utf8"));
    const ctx = t && t.contexts && t.contexts[t.context];
    if (!ctx || ctx.ca !== nodeConfig().machine.ca.crt)
      refuse("rpc error: code = Unavailable desc = x509: certificate signed by unknown authority");
  };
  const words2 = words.slice(commandWords);
  switch (command) {
    case "gen secrets": {
      const out = flag("--output-file", "-o");
      const id = Math.random().toString(36).slice(2);
      const sec = (what) => `FAKE-SECRET-${what}-${id}`;
      const bundle = {
        cluster: { id: `cluster-${id}`, secret: sec("cluster") },
        secrets: { bootstraptoken: sec("token"), secretboxencryptionsecret: sec("secretbox") },
        trustdinfo: { token: sec("trustd") },
        certs: Object.fromEntries(["etcd", "k8s", "k8saggregator", "os"].map((c) => [c, { crt: `crt-${c}-${id}`, key: sec(`${c}-key`) }])),
      };
      fs.writeFileSync(out, YAML.stringify(bundle));
      event("gen secrets");
      process.exit(0);
      break;
    }
    case "gen config": {
      const [cluster, url] = words2;
      const secretsFile = flag("--with-secrets");
      checkPrivate(secretsFile, "secrets bundle");
      const bundle = YAML.parse(fs.readFileSync(secretsFile, "utf8"));
      const types = String(flag("--output-types", "-t"));
      const out = flag("--output", "-o");
      if (fs.existsSync(out)) refuse(`fake-talosctl: ${out} exists`, 3);
      const patchTexts = flags.filter((f) => f.name === "--config-patch").map((f) => fs.readFileSync(f.value.slice(1), "utf8"));
      for (const t of patchTexts) {
        try {
          YAML.parseAllDocuments(t).forEach((d) => {
            if (d.errors.length) throw d.errors[0];
          });
        } catch (e) {
          refuse(`failed to apply config patch: ${e.message}`);
        }
      }
      let doc;
      if (types === "talosconfig") {
        doc = {
          context: cluster,
          contexts: {
            [cluster]: {
              endpoints: ["127.0.0.1"],
              ca: bundle.certs.os.crt,
              crt: "admin-crt",
              key: `FAKE-SECRET-admin-key-${bundle.cluster.id}`,
            },
          },
        };
      } else {
        doc = {
          version: "v1alpha1",
          machine: { type: types, token: bundle.trustdinfo.token, ca: { crt: bundle.certs.os.crt, key: bundle.certs.os.key } },
          cluster: { clusterName: cluster, controlPlane: { endpoint: url }, secret: bundle.cluster.secret },
          kubernetesVersion: flag("--kubernetes-version"),
          talosVersion: flag("--talos-version"),
          fakePatches: patchTexts,
        };
      }
      fs.writeFileSync(out, YAML.stringify(doc), { mode: 0o644 });
      process.exit(0);
      break;
    }
    case "config endpoint":
    case "config node": {
      const tc = flag("--talosconfig");
      const t = YAML.parse(fs.readFileSync(tc, "utf8"));
      t.contexts[t.context][command === "config endpoint" ? "endpoints" : "nodes"] = words2;
      fs.writeFileSync(tc, YAML.stringify(t));
      process.exit(0);
      break;
    }
    case "get": {
      const type = words2[0];
      if (type === "machineconfig") {
        connect();
        process.stdout.write(fs.readFileSync(configFile(), "utf8"));
        process.exit(0);
      }
      if (type === "machinestatus") {
        connect();
        const stage = insecure ? "maintenance" : "running";
        process.stdout.write(
          YAML.stringify({
            node,
            metadata: { namespace: "runtime", type: "MachineStatuses.runtime.talos.dev", id: "machine" },
            spec: { stage, status: { ready: !insecure } },
          }),
        );
        process.exit(0);
      }
      if (type === "staticpodstatus") {
        connect();
        const ready = fs.existsSync(`${STATE}/bootstrapped`) && nodeConfig().machine.type === "controlplane";
        if (ready)
          process.stdout.write(
            YAML.stringify({
              node,
              metadata: { namespace: "k8s", type: "StaticPodStatuses.kubernetes.talos.dev", id: `kube-system/kube-apiserver-${node}` },
              spec: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
            }),
          );
        process.exit(0);
      }
      refuse(`fake-talosctl: unexpected get ${type}`, 3);
      break;
    }
    case "apply-config": {
      connect();
      const file = flag("--file", "-f");
      checkPrivate(file, "machine config");
      const text = fs.readFileSync(file, "utf8");
      const marker = process.env.FAKE_TALOSCTL_REFUSE;
      if (marker && text.includes(marker))
        refuse(
          `error applying new configuration: rpc error: code = InvalidArgument desc = configuration validation failed: 1 error occurred:\n\t* ${marker}: unknown keys found during decoding`,
        );
      fs.writeFileSync(configFile(), text);
      event(insecure ? "apply-config --insecure" : "apply-config");
      if (!insecure) process.stderr.write("Applied configuration without a reboot\n");
      process.exit(0);
      break;
    }
    case "bootstrap": {
      connect();
      if (fs.existsSync(`${STATE}/bootstrapped`))
        refuse("error executing bootstrap: rpc error: code = AlreadyExists desc = etcd data directory is not empty");
      fs.writeFileSync(`${STATE}/bootstrapped`, node);
      event("bootstrap");
      process.exit(0);
      break;
    }
    case "service": {
      connect();
      const healthy = fs.existsSync(`${STATE}/bootstrapped`) && nodeConfig().machine.type === "controlplane";
      process.stdout.write(
        `NODE     ${node}\nID       etcd\nSTATE    ${healthy ? "Running" : "Preparing"}\nHEALTH   ${healthy ? "OK" : "?"}\n`,
      );
      process.exit(0);
      break;
    }
    case "version":
    case "read":
      connect();
      return;
    case "kubeconfig": {
      connect();
      const out = words2[0];
      if (fs.existsSync(out) && flag("--force", "-f") !== true) refuse(`fake-talosctl: ${out} exists`, 3);
      const server = nodeConfig().cluster.controlPlane.endpoint;
      const name = nodeConfig().cluster.clusterName;
      fs.writeFileSync(
        out,
        YAML.stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [{ name, cluster: { server } }],
          users: [{ name: `admin@${name}`, user: { "client-key-data": `FAKE-SECRET-kube-key` } }],
          contexts: [{ name: `admin@${name}`, context: { cluster: name, user: `admin@${name}` } }],
          "current-context": `admin@${name}`,
        }),
      );
      process.exit(0);
      break;
    }
    default:
      return;
  }
}
