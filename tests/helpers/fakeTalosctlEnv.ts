/**
 * Shared set-up for tests that run push scripts against the talosctl double
 * (`tests/helpers/fake-talosctl.js`): a sandbox with the double on PATH and the environment it reads.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { talosctlFlagsFile } from "./reference";

/** A fresh sandbox: `bin/talosctl` (the double), `tmp/` (the scripts' TMPDIR) and `state/`. */
export function makeFakeTalosctlSandbox(prefix: string): string {
  const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const d of ["bin", "tmp", "state"]) fs.mkdirSync(path.join(sandbox, d));
  fs.symlinkSync(path.join(__dirname, "fake-talosctl.js"), path.join(sandbox, "bin", "talosctl"));
  return sandbox;
}

/**
 * The environment a push script runs in against the double: the double first on PATH, TMPDIR in the
 * sandbox, the flag list and client/server versions of Talos `version` (a minor, `1.12`), the call
 * log at `log`. tsx (which runs the reader from its sources here) would keep its compile cache in
 * TMPDIR: disabled.
 */
export function fakeTalosctlEnv(sandbox: string, version: string, log: string): Record<string, string> {
  return {
    PATH: `${path.join(sandbox, "bin")}:${process.env.PATH}`,
    TMPDIR: path.join(sandbox, "tmp"),
    FAKE_TALOSCTL_FLAGS: talosctlFlagsFile(version),
    FAKE_TALOSCTL_LOG: log,
    FAKE_TALOSCTL_CLIENT_VERSION: `v${version}.0`,
    FAKE_TALOSCTL_SERVER_VERSION: `v${version}.0`,
    TSX_DISABLE_CACHE: "1",
  };
}
