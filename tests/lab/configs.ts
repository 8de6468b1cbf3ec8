/**
 * The configurations the lab can run: the project's renderers with a tuning profile, and the seed
 * configuration from the design notes (minimally fixed, see seedConfig.ts).
 */
import { renderHaproxyConfig } from "../../src/render/haproxyKeepalived/haproxyConfig";
import { kubernetesApiCheckFiles } from "../../src/render/haproxyKeepalived/checkTls";
import { CheckCerts } from "../helpers/checkCerts";
import { renderCheckScript, renderKeepalivedConfig } from "../../src/render/haproxyKeepalived/keepalivedConfig";
import { DEFAULT_TUNING, FAST_TUNING, LoadBalancerTuning } from "../../src/render/haproxyKeepalived/tuning";
import { LbFiles } from "./lbHost";
import { AUTH_GOALS, DEFAULT_GOALS, FAST_GOALS, FaultId, Goal } from "./results";
import { seedHaproxyConfig, seedKeepalivedConfig, seedKeepalivedConfigMinimallyFixed, SeedKeepalivedSpec } from "./seedConfig";
import { CP_ROLES, LAB_ADDRESSES, LAB_IFACE, LAB_PREFIX, LAB_VIP, LB_ROLES, LbRole } from "./topology";

/** A configuration under test. */
export interface ConfigUnderTest {
  /** Short id used in tables and on the command line: `default`, `fast`, `seed`. */
  id: string;
  /** One-line description. */
  title: string;
  /** The files a load balancer gets; `certs` are the lab's (see Lab.build). */
  filesFor(role: LbRole, certs: CheckCerts): LbFiles;
  /**
   * true: HAProxy's Kubernetes API check presents a client certificate (`kubernetesApiCheck`),
   * the fake nodes authenticate it, and the prober asks `/version` with a client certificate too
   * (expecting 200), so a not-ready node (fault h) can be told apart.
   */
  authenticated?: boolean;
  /** Goals to check, by fault (none for the seed). */
  goals: Readonly<Partial<Record<FaultId, Goal>>>;
  /**
   * ms to wait after a fault is repaired before the next baseline: HAProxy must mark a returned
   * node UP again (rise × interval) and a repaired Keepalived leave FAULT.
   */
  settleMs: number;
}

/** The Talos minor the lab renders for: 13, so the check expects 401 like the fake nodes answer. */
export const LAB_TALOS_MINOR = 13;
/** The status the fake nodes answer and the prober expects. */
export const LAB_NODE_STATUS = 401;
/** VRRP router id used in the lab. */
export const LAB_VRID = 51;

const CONTROL_PLANES = CP_ROLES.map((role, i) => ({ name: `cp-0${i + 1}`, ip: LAB_ADDRESSES[role] }));
const LB_HOSTS = LB_ROLES.map((role) => ({ name: role, address: `${LAB_ADDRESSES[role]}/${LAB_PREFIX}` }));

/** The project's renderers with `tuning` (and default everything else; with `authenticated`, the authenticated check). */
export function projectConfig(
  id: string,
  title: string,
  tuning: LoadBalancerTuning,
  goals: ConfigUnderTest["goals"],
  authenticated = false,
  failWhenNoKubernetesBackend = false,
): ConfigUnderTest {
  const checkScript = renderCheckScript({ tuning, vip: LAB_VIP });
  return {
    id,
    title,
    goals,
    authenticated,
    settleMs: 2500,
    filesFor: (role, certs) => {
      const check = authenticated
        ? kubernetesApiCheckFiles({ caCertificate: certs.caCert, clientCertificate: certs.clientCert })
        : undefined;
      return {
        haproxyConfig: renderHaproxyConfig({
          talosMinor: LAB_TALOS_MINOR,
          controlPlanes: CONTROL_PLANES,
          tuning,
          kubernetesApiCheckTls: check?.tls,
          failWhenNoKubernetesBackend,
        }),
        haproxyFiles: check?.files(certs.clientKey),
        checkScript,
        keepalivedConfig: renderKeepalivedConfig({
          hosts: LB_HOSTS,
          host: role,
          vip: LAB_VIP,
          interface: LAB_IFACE,
          virtualRouterId: LAB_VRID,
          tuning,
        }),
      };
    },
  };
}

function seedSpec(role: LbRole): SeedKeepalivedSpec {
  return {
    state: role === "lb1" ? "MASTER" : "BACKUP",
    priority: role === "lb1" ? 100 : 90,
    vipCidr: `${LAB_VIP}/${LAB_PREFIX}`,
    iface: LAB_IFACE,
  };
}

/** The seed config as written (keepalived.conf refused by `keepalived -t`): only used to record that the push refuses it. */
export function rawSeedFiles(role: LbRole): LbFiles {
  return { haproxyConfig: seedHaproxyConfig(CONTROL_PLANES), keepalivedConfig: seedKeepalivedConfig(seedSpec(role)) };
}

/** The seed config with the two minimal keepalived.conf fixes that let it start (see seedConfig.ts). */
export function seedConfig(): ConfigUnderTest {
  return {
    id: "seed",
    title: "seed config from the design notes, minimally fixed (vrrp_script moved first, enable_script_security + script_user root)",
    goals: {},
    settleMs: 5000,
    filesFor: (role) => ({
      haproxyConfig: seedHaproxyConfig(CONTROL_PLANES),
      keepalivedConfig: seedKeepalivedConfigMinimallyFixed(seedSpec(role)),
    }),
  };
}

/**
 * The configurations by id: `default` (DEFAULT_TUNING), `fast` (FAST_TUNING), `default-auth`
 * (DEFAULT_TUNING with the authenticated Kubernetes API check), `default-strict`
 * (`failWhenNoKubernetesBackend: true`, the previous default, to measure fault g), `default-shutdown`
 * (DEFAULT_TUNING with `on-marked-down shutdown-sessions`, to measure its cost), `seed`.
 * @throws Error for an unknown id.
 */
export function configById(id: string): ConfigUnderTest {
  switch (id) {
    case "default":
      return projectConfig("default", "project renderers, DEFAULT_TUNING", DEFAULT_TUNING, DEFAULT_GOALS);
    case "fast":
      return projectConfig("fast", "project renderers, FAST_TUNING (fast profile)", FAST_TUNING, FAST_GOALS);
    case "default-auth":
      return projectConfig(
        "default-auth",
        "project renderers, DEFAULT_TUNING, authenticated Kubernetes API check (kubernetesApiCheck)",
        DEFAULT_TUNING,
        AUTH_GOALS,
        true,
      );
    case "default-strict":
      return projectConfig(
        "default-strict",
        "project renderers, DEFAULT_TUNING with failWhenNoKubernetesBackend: true (the previous default: FAULT without a Kubernetes API node)",
        DEFAULT_TUNING,
        {},
        false,
        true,
      );
    case "default-shutdown":
      return projectConfig(
        "default-shutdown",
        "project renderers, DEFAULT_TUNING with shutdownSessionsOnMarkedDown: true (on-marked-down shutdown-sessions)",
        { ...DEFAULT_TUNING, haproxy: { ...DEFAULT_TUNING.haproxy, shutdownSessionsOnMarkedDown: true } },
        DEFAULT_GOALS,
      );
    case "seed":
      return seedConfig();
    default:
      throw new Error(`unknown config ${JSON.stringify(id)}; use default, fast, default-auth, default-strict, default-shutdown or seed`);
  }
}
