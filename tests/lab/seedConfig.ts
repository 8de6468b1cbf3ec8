/**
 * The "seed" configuration from the design notes (issue 3), for the lab only: the baseline the
 * project's renderers are measured against. Addresses are parameters so the lab can use its own
 * subnet; everything else is as written, including its bugs:
 * - keepalived: `vrrp_script` defined after the `track_script` that uses it (keepalived: "track
 *   script chk_haproxy not found, ignoring"), scripts without `enable_script_security`
 *   ("SECURITY VIOLATION"), so `keepalived -t` exits 6 and the push refuses it;
 * - `pidof haproxy` as the check: on Debian /usr/bin/pidof is a symlink to killall5 and keepalived
 *   runs the resolved path, so the check always fails;
 * - `weight 2`, smaller than the priority gap (100 vs 90): even a working check would never move
 *   the VIP;
 * - `advert_int 1` with multicast VRRP: a dead MASTER is replaced after ~3.6 s;
 * - HAProxy: plain TCP checks with default timings (inter 2 s, fall 3, rise 2), `timeout connect
 *   10s`, no `option redispatch`.
 *
 * {@link seedKeepalivedConfigMinimallyFixed} is what the lab runs: the two changes without which
 * `keepalived -t` (and so the push) refuses the file, nothing else.
 */

/** A control-plane node of the seed haproxy.cfg. */
export interface SeedBackend {
  name: string;
  ip: string;
}

/** Per-host values of the seed keepalived.conf. */
export interface SeedKeepalivedSpec {
  /** `MASTER` on the primary, `BACKUP` on the secondary. */
  state: "MASTER" | "BACKUP";
  /** 100 on the primary, 90 on the secondary. */
  priority: number;
  /** The VIP with prefix, e.g. `10.199.0.10/24`. */
  vipCidr: string;
  /** The interface, `eth0` in the seed. */
  iface: string;
}

/** The seed haproxy.cfg, as written, with the given control-plane nodes. */
export function seedHaproxyConfig(backends: readonly SeedBackend[]): string {
  const servers = (port: number) => backends.map((b) => `  server ${b.name} ${b.ip}:${port} check`);
  return [
    "global",
    "  log /dev/log local0",
    "  maxconn 4096",
    "defaults",
    "  mode tcp",
    "  timeout connect 10s",
    "  timeout client 30s",
    "  timeout server 30s",
    "  option tcp-check",
    "frontend kubernetes_api",
    "  bind *:6443",
    "  default_backend kubernetes_api_backend",
    "backend kubernetes_api_backend",
    "  balance roundrobin",
    "  option tcp-check",
    ...servers(6443),
    "frontend talos_api",
    "  bind *:50000",
    "  default_backend talos_api_backend",
    "backend talos_api_backend",
    "  balance roundrobin",
    "  option tcp-check",
    ...servers(50000),
    "",
  ].join("\n");
}

function seedInstance(s: SeedKeepalivedSpec): string[] {
  return [
    "vrrp_instance VI_1 {",
    `  state ${s.state}`,
    `  interface ${s.iface}`,
    "  virtual_router_id 51",
    `  priority ${s.priority}`,
    "  advert_int 1",
    `  virtual_ipaddress { ${s.vipCidr} }`,
    "  track_script { chk_haproxy }",
    "}",
  ];
}

const SEED_SCRIPT = ["vrrp_script chk_haproxy {", '  script "pidof haproxy"', "  interval 2", "  weight 2", "}"];

/** The seed keepalived.conf exactly as written (instance first, script after it). `keepalived -t` exits 6 on it. */
export function seedKeepalivedConfig(s: SeedKeepalivedSpec): string {
  return [...seedInstance(s), ...SEED_SCRIPT, ""].join("\n");
}

/**
 * The seed keepalived.conf with the two minimal fixes that make `keepalived -t` accept it:
 * 1. `vrrp_script chk_haproxy` moved before `vrrp_instance VI_1`;
 * 2. `global_defs { enable_script_security; script_user root }` added (root: the Debian package
 *    creates no `keepalived_script` user, and without `script_user` keepalived removes the script).
 * The check (`pidof haproxy`), `weight 2`, `advert_int 1`, multicast, `state MASTER`/`BACKUP` and
 * the priorities are unchanged.
 */
export function seedKeepalivedConfigMinimallyFixed(s: SeedKeepalivedSpec): string {
  return ["global_defs {", "  enable_script_security", "  script_user root", "}", ...SEED_SCRIPT, ...seedInstance(s), ""].join("\n");
}
