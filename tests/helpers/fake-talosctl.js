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
 * It answers like a healthy node: `version` prints a tag; `read <path>` prints the file named by
 * FAKE_TALOSCTL_NODE_CONFIG (the node's machine config); `service etcd` reports Running/OK. The
 * `patch` command exits with FAKE_TALOSCTL_EXIT (default 0).
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
const lookup = (list, flag) =>
  (list || []).find((f) => f.long === flag || (f.short && f.short === flag));

// Split argv into words (command path) and flags, in order.
const words = [];
const flags = [];
for (let i = 0; i < argv.length; i++) {
  const token = argv[i];
  if (token.startsWith("-")) {
    const [name, inline] = token.split(/=(.*)/s, 2);
    flags.push({ name, inline, afterWords: words.length, index: i });
    const known = lookup(reference._global, name) || commands.map((c) => lookup(reference[c], name)).find(Boolean) ||
      Object.values(reference._inherited_from_parent || {}).map((l) => lookup(l, name)).find(Boolean);
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
  if (!allowed) fail(`flag ${flag.name} is not accepted ${before ? "before the subcommand (not a root flag)" : `by "talosctl ${command}"`}`);
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
switch (command) {
  case "version":
    process.stdout.write("Client:\n\tTag: v1.x\nServer:\n\tTag: v1.x\n");
    process.exit(0);
    break;
  case "read":
    process.stdout.write(process.env.FAKE_TALOSCTL_NODE_CONFIG ? fs.readFileSync(process.env.FAKE_TALOSCTL_NODE_CONFIG, "utf8") : "");
    process.exit(0);
    break;
  case "service":
    process.stdout.write("NODE     10.0.0.1\nID       etcd\nSTATE    Running\nHEALTH   OK\n");
    process.exit(0);
    break;
  default:
    process.exit(Number(process.env.FAKE_TALOSCTL_EXIT || 0));
}
