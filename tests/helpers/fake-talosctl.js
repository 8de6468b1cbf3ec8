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
