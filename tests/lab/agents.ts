/**
 * How the lab starts its TypeScript agents (fake control-plane node, prober) inside a namespace:
 * `ip netns exec <ns> node --import tsx <agent>.ts …`, from the repository root so Node resolves
 * tsx from its node_modules. `ip netns exec` execs the command, so the PID the lab holds is the
 * agent's own.
 */
import * as path from "path";
import { Managed, startManaged } from "./proc";

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * Starts `tests/lab/<agent>.ts` with `args` in namespace `ns`. The agent's stdin is a pipe that
 * is never written, so the agent exits if the lab dies without tearing down.
 */
export function startAgent(
  name: string,
  ns: string,
  agent: "backendAgent" | "proberAgent",
  args: readonly string[],
  onLine: (line: string) => void,
  logFile: string,
): Managed {
  const script = path.join(__dirname, `${agent}.ts`);
  return startManaged(name, "ip", ["netns", "exec", ns, process.execPath, "--import", "tsx", script, ...args], {
    onLine,
    logFile,
    stdinPipe: true,
    cwd: REPO_ROOT,
  });
}
