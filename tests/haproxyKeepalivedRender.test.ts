/**
 * The HAProxy/Keepalived renderers and the push script, checked with the real programs:
 * `haproxy -c`, `keepalived -t`, `bash`, and a tiny HTTP server standing in for HAProxy's monitor
 * URI. Files live in a mkdtemp directory that is removed after each test.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { renderHaproxyConfig, HaproxyConfigSpec, kubernetesApiCheckStatus } from "../src/render/haproxyKeepalived/haproxyConfig";
import {
  KeepalivedConfigSpec,
  probesPerRun,
  renderCheckScript,
  renderKeepalivedConfig,
} from "../src/render/haproxyKeepalived/keepalivedConfig";
import { installedFiles, PUSH_EXIT, renderPushSteps } from "../src/render/haproxyKeepalived/pushScript";
import { HaproxyKeepalivedPlanSpec, planHaproxyKeepalived } from "../src/render/haproxyKeepalived/plan";
import { runWithBindMounts } from "./helpers/mountNamespace";
import { makeCheckCerts } from "./helpers/checkCerts";
import { inputErrorOf } from "./helpers/errors";
import {
  DEFAULT_TUNING,
  FAST_TUNING,
  LoadBalancerTuning,
  LoadBalancerTuningInput,
  resolveTuning,
} from "../src/render/haproxyKeepalived/tuning";

const CONTROL_PLANES = [
  { name: "cp-01", ip: "192.168.30.31" },
  { name: "cp-02", ip: "192.168.30.32" },
  { name: "cp-03", ip: "192.168.30.33" },
];
const HOSTS = [
  { name: "lb-01", address: "192.168.30.11/24" },
  { name: "lb-02", address: "192.168.30.12/24" },
];

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "haproxy-keepalived-test-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function haproxySpec(over: Partial<HaproxyConfigSpec> = {}): HaproxyConfigSpec {
  return { talosMinor: 11, controlPlanes: CONTROL_PLANES, ...over };
}

function keepalivedSpec(over: Partial<KeepalivedConfigSpec> = {}): KeepalivedConfigSpec {
  return { hosts: HOSTS, host: "lb-01", vip: "192.168.30.30", interface: "eth0", virtualRouterId: 51, checkScriptDir: dir, ...over };
}

function bin(name: string): string {
  return fs.existsSync(`/usr/sbin/${name}`) ? `/usr/sbin/${name}` : name;
}

/** `haproxy -c -f` on the text: exit code and everything it printed. */
function haproxyCheck(text: string): { status: number | null; output: string } {
  const file = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(file, text);
  const r = spawnSync(bin("haproxy"), ["-c", "-f", file], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

/** Installs the check script at its rendered path, then `keepalived -t -f` on the config. */
function keepalivedCheck(spec: KeepalivedConfigSpec): { status: number | null; output: string; config: string } {
  const script = renderCheckScript(spec);
  fs.writeFileSync(script.path, script.content, { mode: 0o755 });
  const config = renderKeepalivedConfig(spec);
  const file = path.join(dir, "keepalived.conf");
  fs.writeFileSync(file, config);
  const r = spawnSync(bin("keepalived"), ["-t", "-f", file], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim(), config };
}

function lines(text: string): string[] {
  return text.split("\n").map((l) => l.trim());
}

const PROFILES: Array<[string, LoadBalancerTuning]> = [
  ["default", DEFAULT_TUNING],
  ["fast", FAST_TUNING],
];

describe("haproxy.cfg is accepted by haproxy -c without any warning", () => {
  for (const [profile, tuning] of PROFILES) {
    for (const talosMinor of [11, 14]) {
      test(`${profile} profile, Talos 1.${talosMinor}`, () => {
        const r = haproxyCheck(renderHaproxyConfig(haproxySpec({ talosMinor, tuning })));
        expect(r.output).toBe("Configuration file is valid");
        expect(r.status).toBe(0);
      });
    }
  }

  test("every option switched the other way, IPv6 nodes and leastconn", () => {
    const tuning = { haproxy: { shutdownSessionsOnMarkedDown: true, connectTimeoutMs: 150 } };
    const controlPlanes = [{ name: "cp-01", ip: "fd00::31" }, ...CONTROL_PLANES.slice(1)];
    const r = haproxyCheck(
      renderHaproxyConfig(haproxySpec({ tuning, controlPlanes, balance: "leastconn", failWhenNoKubernetesBackend: false })),
    );
    expect(r.output).toBe("Configuration file is valid");
    expect(r.status).toBe(0);
  });

  test("the checker itself reports a warning (so the assertions above can fail)", () => {
    const r = haproxyCheck("frontend x\n  bind *:1234\n");
    expect(r.output).toContain("[WARNING]");
  });
});

describe("haproxy.cfg content", () => {
  test("Kubernetes API: TLS layer-7 check of /readyz expecting 401 up to Talos 1.13 and 200 from 1.14", () => {
    expect(kubernetesApiCheckStatus(9)).toBe(401);
    expect(kubernetesApiCheckStatus(13)).toBe(401);
    expect(kubernetesApiCheckStatus(14)).toBe(200);
    const v11 = lines(renderHaproxyConfig(haproxySpec({ talosMinor: 11 })));
    const v14 = lines(renderHaproxyConfig(haproxySpec({ talosMinor: 14 })));
    expect(v11).toContain("http-check expect status 401");
    expect(v11).not.toContain("http-check expect status 200");
    expect(v14).toContain("http-check expect status 200");
    expect(v11).toContain("option httpchk GET /readyz");
    expect(lines(renderHaproxyConfig(haproxySpec({ talosMinor: 11, kubernetesApiCheckStatus: 204 })))).toContain(
      "http-check expect status 204",
    );
  });

  test("frontends bind *:6443 and *:50000 transparent, client keepalives on; servers: check-ssl on 6443, TCP check on 50000", () => {
    const text = renderHaproxyConfig(haproxySpec());
    const l = lines(text);
    expect(l).toContain("bind *:6443 transparent");
    expect(l).toContain("bind *:50000 transparent");
    expect(l).toEqual(expect.arrayContaining(["option clitcpka", "clitcpka-idle 1s", "clitcpka-intvl 1s", "clitcpka-cnt 3"]));
    const tuned = lines(renderHaproxyConfig(haproxySpec({ tuning: { haproxy: { clientKeepaliveIdleSec: 7, clientKeepaliveCount: 2 } } })));
    expect(tuned).toEqual(expect.arrayContaining(["clitcpka-idle 7s", "clitcpka-cnt 2"]));
    for (const n of CONTROL_PLANES) {
      expect(l).toContain(`server ${n.name} ${n.ip}:6443 check check-ssl verify none`);
      expect(l).toContain(`server ${n.name} ${n.ip}:50000 check`);
    }
    const talosBackend = text.slice(text.indexOf("backend talos_api"));
    expect(talosBackend).not.toContain("check-ssl");
    expect(talosBackend).not.toContain("httpchk");
  });

  test("monitor frontend on 127.0.0.1:8404: /healthz fails only without any node, /healthz/kubernetes-api without a Kubernetes API node", () => {
    const l = lines(renderHaproxyConfig(haproxySpec()));
    expect(l).toEqual(
      expect.arrayContaining([
        "frontend haproxy_monitor",
        "mode http",
        "bind 127.0.0.1:8404",
        "monitor-uri /healthz",
        "monitor fail if { nbsrv(kubernetes_api) lt 1 } { nbsrv(talos_api) lt 1 }",
        "http-request return status 200 if { path /healthz/kubernetes-api } { nbsrv(kubernetes_api) ge 1 }",
        "http-request return status 503 if { path /healthz/kubernetes-api }",
      ]),
    );
    const strict = lines(renderHaproxyConfig(haproxySpec({ failWhenNoKubernetesBackend: true, monitor: { port: 9000, uri: "/alive" } })));
    expect(strict).toEqual(
      expect.arrayContaining([
        "bind 127.0.0.1:9000",
        "monitor-uri /alive",
        "monitor fail if { nbsrv(kubernetes_api) lt 1 }",
        "http-request return status 503 if { path /alive/kubernetes-api }",
      ]),
    );
    // any address of 127.0.0.0/8, and the port's bounds
    expect(lines(renderHaproxyConfig(haproxySpec({ monitor: { address: "127.255.0.2", port: 65535 } })))).toContain(
      "bind 127.255.0.2:65535",
    );
    expect(lines(renderHaproxyConfig(haproxySpec({ monitor: { port: 1 } })))).toContain("bind 127.0.0.1:1");
  });

  test("default timings, and overrides reach the file", () => {
    const l = lines(renderHaproxyConfig(haproxySpec()));
    expect(l).toEqual(
      expect.arrayContaining([
        "timeout connect 300ms",
        "timeout tunnel 1h",
        "timeout check 1s",
        "retries 3",
        "option redispatch 1",
        "option srvtcpka",
        "srvtcpka-idle 5s",
        "default-server inter 1s fastinter 250ms downinter 1s fall 2 rise 2 tcp-ut 5s",
      ]),
    );
    const tuned = lines(
      renderHaproxyConfig(
        haproxySpec({ tuning: { haproxy: { connectTimeoutMs: 200, checkFall: 3, shutdownSessionsOnMarkedDown: true } } }),
      ),
    );
    expect(tuned).toContain("timeout connect 200ms");
    expect(tuned).toContain(
      "default-server inter 1s fastinter 250ms downinter 1s fall 3 rise 2 tcp-ut 5s on-marked-down shutdown-sessions",
    );
    expect(l.some((x) => x.includes("shutdown-sessions"))).toBe(false);
  });
});

describe("keepalived.conf is accepted by keepalived -t without any output", () => {
  for (const [profile, tuning] of PROFILES) {
    for (const host of ["lb-01", "lb-02"]) {
      test(`${profile} profile, ${host}`, () => {
        const r = keepalivedCheck(keepalivedSpec({ host, tuning }));
        expect(r.output).toBe("");
        expect(r.status).toBe(0);
      });
    }
  }

  test("VRRPv2 with authentication, preemption, three hosts and a VIP with prefix", () => {
    const hosts = [...HOSTS, { name: "lb-03", address: "192.168.30.13/24", priority: 160 }];
    const tuning = { keepalived: { vrrpVersion: 2 as const, advertIntervalMs: 1000, preempt: true } };
    const r = keepalivedCheck(keepalivedSpec({ hosts, host: "lb-03", tuning, authPass: "s3cr3t!x", vip: "192.168.30.30/24" }));
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  test("a password with keepalived's comment and block characters survives its parser (quoted)", () => {
    const tuning = { keepalived: { vrrpVersion: 2 as const, advertIntervalMs: 1000 } };
    const spec = keepalivedSpec({ tuning, authPass: "#a}b!c{" });
    const r = keepalivedCheck(spec);
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
    // keepalived -d dumps the parsed configuration: the whole password must be there
    const file = path.join(dir, "keepalived.conf");
    const dump = spawnSync(bin("keepalived"), ["-t", "-d", "-l", "-f", file], { encoding: "utf8" });
    expect(`${dump.stdout}${dump.stderr}`).not.toMatch(/Unknown keyword/);
  });

  test("the checker itself rejects the seed's ordering (so the assertions above can fail)", () => {
    const file = path.join(dir, "seed.conf");
    const seed =
      'vrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  advert_int 1\n  virtual_ipaddress { 192.168.30.30/24 }\n  track_script { chk_haproxy }\n}\nvrrp_script chk_haproxy {\n  script "pidof haproxy"\n  interval 2\n  weight 2\n}\n';
    fs.writeFileSync(file, seed);
    const r = spawnSync(bin("keepalived"), ["-t", "-f", file], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain("track script chk_haproxy not found");
  });
});

describe("keepalived.conf content", () => {
  test("script security and user first, vrrp_script defined before the instance that tracks it", () => {
    const text = renderKeepalivedConfig(keepalivedSpec());
    const l = lines(text);
    expect(l).toEqual(expect.arrayContaining(["enable_script_security", "script_user root", "vrrp_version 3"]));
    expect(text.indexOf("vrrp_script chk_haproxy {")).toBeGreaterThan(text.indexOf("enable_script_security"));
    expect(text.indexOf("vrrp_script chk_haproxy {")).toBeLessThan(text.indexOf("vrrp_instance"));
    expect(text.indexOf("vrrp_script chk_kubernetes_api {")).toBeLessThan(text.indexOf("vrrp_instance"));
    expect(text.indexOf("track_script {")).toBeGreaterThan(text.indexOf("vrrp_instance"));
    expect(l.slice(l.indexOf("track_script {") + 1, l.indexOf("track_script {") + 3)).toEqual(["chk_haproxy", "chk_kubernetes_api"]);
  });

  test("chk_haproxy runs the script's serve check without weight (FAULT); chk_kubernetes_api its kubernetes-api check with weight -50; notify runs it too", () => {
    const text = renderKeepalivedConfig(keepalivedSpec());
    const script = renderCheckScript({ ...keepalivedSpec(), vip: "192.168.30.30" });
    const block = (name: string) =>
      text.slice(text.indexOf(`vrrp_script ${name} {`), text.indexOf("}", text.indexOf(`vrrp_script ${name} {`)));
    expect(lines(block("chk_haproxy"))).toContain(`script "${script.path} serve"`);
    expect(block("chk_haproxy")).not.toMatch(/^\s*weight\b/m);
    expect(lines(block("chk_kubernetes_api"))).toEqual(expect.arrayContaining([`script "${script.path} kubernetes-api"`, "weight -50"]));
    expect(lines(text)).toContain(`notify "${script.path} notify"`);
    expect(script.path.startsWith(`${dir}/talos-endpoints-check-`)).toBe(true);
    expect(text).not.toContain("pidof");
    expect(lines(block("chk_haproxy"))).toEqual(expect.arrayContaining(["interval 1", "timeout 1", "fall 1", "rise 2"]));
  });

  test("unicast: own address as source, every other host (and only those) as peers", () => {
    const hosts = [...HOSTS, { name: "lb-03", address: "192.168.30.13/24" }];
    const text = renderKeepalivedConfig(keepalivedSpec({ hosts, host: "lb-02" }));
    const peers = text.slice(text.indexOf("unicast_peer {"), text.indexOf("}", text.indexOf("unicast_peer {")));
    expect(lines(text)).toContain("unicast_src_ip 192.168.30.12");
    expect(lines(peers).slice(1).filter(Boolean)).toEqual(["192.168.30.11", "192.168.30.13"]);
    expect(lines(text)).toContain("check_unicast_src");
  });

  test("state BACKUP everywhere, equal priorities 200 without nopreempt by default, VIP with the hosts' prefix", () => {
    const a = lines(renderKeepalivedConfig(keepalivedSpec({ host: "lb-01" })));
    const b = lines(renderKeepalivedConfig(keepalivedSpec({ host: "lb-02" })));
    for (const l of [a, b]) {
      expect(l).toEqual(
        expect.arrayContaining(["state BACKUP", "priority 200", "virtual_router_id 51", "192.168.30.30/24 dev eth0", "advert_int 0.2"]),
      );
      expect(l).not.toContain("nopreempt");
    }
    expect(a).toContain("preempt_delay 2");
    const pinned = lines(renderKeepalivedConfig(keepalivedSpec({ tuning: { keepalived: { preempt: false } } })));
    expect(pinned).toContain("nopreempt");
    expect(pinned.some((l) => l.startsWith("preempt_delay"))).toBe(false);
    const given = lines(renderKeepalivedConfig(keepalivedSpec({ hosts: [{ ...HOSTS[0], priority: 160 }, HOSTS[1]] })));
    expect(given).toContain("priority 160");
    // a gap of 50 (the Kubernetes API check's weight) or more is refused
    expect(() => renderKeepalivedConfig(keepalivedSpec({ hosts: [{ ...HOSTS[0], priority: 150 }, HOSTS[1]] }))).toThrow(
      "hosts[1].priority: 200 is 50 above lb-01's (150)",
    );
    expect(lines(renderKeepalivedConfig(keepalivedSpec({ tuning: FAST_TUNING })))).toContain("advert_int 0.1");
  });

  test("authentication only with VRRPv2 and a secret; VRRPv3 has none", () => {
    const v3 = renderKeepalivedConfig(keepalivedSpec());
    expect(v3).not.toContain("authentication");
    const v2 = lines(
      renderKeepalivedConfig(keepalivedSpec({ tuning: { keepalived: { vrrpVersion: 2, advertIntervalMs: 1000 } }, authPass: "abcdefgh" })),
    );
    expect(v2).toEqual(
      expect.arrayContaining(["vrrp_version 2", "authentication {", "auth_type PASS", 'auth_pass "abcdefgh"', "advert_int 1"]),
    );
  });
});

describe("the check script", () => {
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  afterEach(async () => {
    sockets.forEach((socket) => socket.destroy());
    sockets.clear();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = undefined;
  });

  function listen(s: net.Server): Promise<number> {
    server = s;
    s.on("connection", (socket: net.Socket) => sockets.add(socket));
    return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as net.AddressInfo).port)));
  }

  function runScript(port: number, args: string[] = ["serve"]): Promise<{ code: number | null; ms: number }> {
    const tuning = { keepalived: { monitorPollMs: 100, monitorTimeoutMs: 200 } };
    const script = renderCheckScript({ tuning, monitor: { port }, checkScriptDir: dir });
    fs.writeFileSync(script.path, script.content, { mode: 0o755 });
    const started = Date.now();
    // async spawn: the HTTP server answering the script runs in this process
    return new Promise((resolve) => {
      const child: ChildProcess = spawn("/bin/bash", [script.path, ...args], { stdio: "ignore" });
      child.on("exit", (code) => resolve({ code, ms: Date.now() - started }));
    });
  }

  test("parses with bash -n and polls the configured number of times per run", () => {
    const script = renderCheckScript({ checkScriptDir: dir });
    fs.writeFileSync(script.path, script.content, { mode: 0o755 });
    expect(spawnSync("bash", ["-n", script.path]).status).toBe(0);
    expect(probesPerRun(resolveTuning(undefined).keepalived)).toBe(3);
    expect(probesPerRun(resolveTuning(FAST_TUNING).keepalived)).toBe(7);
    expect(script.content).toContain("for ((i = 1; i <= 3; i++)); do");
  });

  test("exits 0 while HAProxy's monitor URI answers 200 on every probe, within one interval", async () => {
    let hits = 0;
    const port = await listen(http.createServer((req, res) => (hits++, res.writeHead(req.url === "/healthz" ? 200 : 404), res.end())));
    const r = await runScript(port);
    expect(r.code).toBe(0);
    expect(hits).toBe(probesPerRun(resolveTuning({ keepalived: { monitorPollMs: 100, monitorTimeoutMs: 200 } }).keepalived));
    expect(r.ms).toBeLessThan(1000);
  });

  test("exits 1 when the monitor URI answers 503 (no node UP)", async () => {
    const port = await listen(http.createServer((_req, res) => (res.writeHead(503), res.end())));
    expect((await runScript(port)).code).toBe(1);
  });

  test("kubernetes-api asks <monitor-uri>/kubernetes-api: 0 on 200, 1 on 503, whatever /healthz says", async () => {
    let k8sUp = true;
    const urls: string[] = [];
    const port = await listen(
      http.createServer((req, res) => {
        urls.push(req.url ?? "");
        res.writeHead(req.url === "/healthz/kubernetes-api" ? (k8sUp ? 200 : 503) : req.url === "/healthz" ? 200 : 404);
        res.end();
      }),
    );
    expect((await runScript(port, ["kubernetes-api"])).code).toBe(0);
    expect(new Set(urls)).toEqual(new Set(["/healthz/kubernetes-api"]));
    k8sUp = false;
    expect((await runScript(port, ["kubernetes-api"])).code).toBe(1);
    expect((await runScript(port, ["serve"])).code).toBe(0);
    expect((await runScript(port, ["bogus"])).code).toBe(2);
  });

  test("exits 1 at once when nothing listens (HAProxy dead)", async () => {
    const port = await listen(net.createServer());
    await new Promise((r) => server!.close(r));
    server = undefined;
    const r = await runScript(port);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(500);
  });

  test("exits 1 within the probe timeout when the connection is accepted but never answered (HAProxy hung)", async () => {
    const port = await listen(net.createServer((socket) => socket.on("error", () => undefined)));
    const r = await runScript(port);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(700);
  });

  test("exits 1 when the third probe fails (HAProxy dies between probes)", async () => {
    let hits = 0;
    const port = await listen(http.createServer((_req, res) => (res.writeHead(++hits >= 3 ? 503 : 200), res.end())));
    expect((await runScript(port)).code).toBe(1);
    expect(hits).toBe(3);
  });
});

describe("bad input is rejected with an InputError naming the field", () => {
  const cases: Array<[string, () => unknown, string]> = [
    ["talosMinor", () => renderHaproxyConfig(haproxySpec({ talosMinor: 8 })), "talosMinor"],
    ["talosMinor not an integer", () => renderHaproxyConfig(haproxySpec({ talosMinor: 11.5 })), "talosMinor"],
    ["empty control planes", () => renderHaproxyConfig(haproxySpec({ controlPlanes: [] })), "controlPlanes"],
    [
      "duplicate node ip",
      () => renderHaproxyConfig(haproxySpec({ controlPlanes: [CONTROL_PLANES[0], { name: "cp-09", ip: "192.168.30.31" }] })),
      "controlPlanes[1].ip",
    ],
    [
      "bad node name",
      () => renderHaproxyConfig(haproxySpec({ controlPlanes: [{ name: "CP_01", ip: "192.168.30.31" }] })),
      "controlPlanes[0].name",
    ],
    [
      "unknown tuning key",
      () => renderHaproxyConfig(haproxySpec({ tuning: { haproxy: { conectTimeoutMs: 1 } as never } })),
      "tuning.haproxy.conectTimeoutMs",
    ],
    [
      "connect timeout out of range",
      () => renderHaproxyConfig(haproxySpec({ tuning: { haproxy: { connectTimeoutMs: 0 } } })),
      "tuning.haproxy.connectTimeoutMs",
    ],
    ["non-loopback monitor", () => renderHaproxyConfig(haproxySpec({ monitor: { address: "0.0.0.0" } })), "monitor.address"],
    ["IPv6 loopback monitor", () => renderHaproxyConfig(haproxySpec({ monitor: { address: "::1" } })), "monitor.address"],
    ["malformed loopback monitor", () => renderHaproxyConfig(haproxySpec({ monitor: { address: "127.0.0.256" } })), "monitor.address"],
    ["monitor port 0", () => renderHaproxyConfig(haproxySpec({ monitor: { port: 0 } })), "monitor.port"],
    ["monitor port 65536", () => renderHaproxyConfig(haproxySpec({ monitor: { port: 65536 } })), "monitor.port"],
    ["bad monitor uri", () => renderHaproxyConfig(haproxySpec({ monitor: { uri: "healthz" } })), "monitor.uri"],
    ["bad balance", () => renderHaproxyConfig(haproxySpec({ balance: "random" as never })), "balance"],
    ["one host", () => renderKeepalivedConfig(keepalivedSpec({ hosts: HOSTS.slice(0, 1) })), "hosts"],
    ["host not listed", () => renderKeepalivedConfig(keepalivedSpec({ host: "lb-09" })), "host"],
    ["priority 0", () => renderKeepalivedConfig(keepalivedSpec({ hosts: [HOSTS[0], { ...HOSTS[1], priority: 0 }] })), "hosts[1].priority"],
    [
      "kubernetesApiCheckStatus other than 200 with the authenticated check",
      () =>
        renderHaproxyConfig(
          haproxySpec({
            kubernetesApiCheckStatus: 401,
            kubernetesApiCheckTls: { caFile: "/etc/haproxy/ca.pem", certFile: "/etc/haproxy/c.pem" },
          }),
        ),
      "kubernetesApiCheckStatus",
    ],
    [
      "relative check certificate path",
      () => renderHaproxyConfig(haproxySpec({ kubernetesApiCheckTls: { caFile: "ca.pem", certFile: "/etc/haproxy/c.pem" } })),
      "kubernetesApiCheckTls.caFile",
    ],
    [
      "priority 255",
      () => renderKeepalivedConfig(keepalivedSpec({ hosts: [{ ...HOSTS[0], priority: 255 }, HOSTS[1]] })),
      "hosts[0].priority",
    ],
    [
      "hosts in two subnets",
      () => renderKeepalivedConfig(keepalivedSpec({ hosts: [HOSTS[0], { name: "lb-02", address: "192.168.31.12/24" }] })),
      "hosts[1].address",
    ],
    ["VIP prefix differs", () => renderKeepalivedConfig(keepalivedSpec({ vip: "192.168.30.30/16" })), "vip"],
    ["VIP outside subnet", () => renderKeepalivedConfig(keepalivedSpec({ vip: "10.0.0.30" })), "vip"],
    ["VIP equals a host", () => renderKeepalivedConfig(keepalivedSpec({ vip: "192.168.30.12" })), "vip"],
    ["VIP is the broadcast address", () => renderKeepalivedConfig(keepalivedSpec({ vip: "192.168.30.255" })), "vip"],
    ["vrid 0", () => renderKeepalivedConfig(keepalivedSpec({ virtualRouterId: 0 })), "virtualRouterId"],
    ["vrid 256", () => renderKeepalivedConfig(keepalivedSpec({ virtualRouterId: 256 })), "virtualRouterId"],
    ["bad interface", () => renderKeepalivedConfig(keepalivedSpec({ interface: "eth 0" })), "interface"],
    [
      "sub-second advert with VRRPv2",
      () => renderKeepalivedConfig(keepalivedSpec({ tuning: { keepalived: { vrrpVersion: 2, advertIntervalMs: 500 } } })),
      "tuning.keepalived.advertIntervalMs",
    ],
    [
      "advert not in centiseconds",
      () => renderKeepalivedConfig(keepalivedSpec({ tuning: { keepalived: { advertIntervalMs: 205 } } })),
      "tuning.keepalived.advertIntervalMs",
    ],
    [
      "advert too long",
      () => renderKeepalivedConfig(keepalivedSpec({ tuning: { keepalived: { advertIntervalMs: 50_000 } } })),
      "tuning.keepalived.advertIntervalMs",
    ],
    [
      "fractional script interval",
      () => renderKeepalivedConfig(keepalivedSpec({ tuning: { keepalived: { scriptIntervalSec: 0.5 } } })),
      "tuning.keepalived.scriptIntervalSec",
    ],
    [
      "probe timeout not below the interval",
      () => renderKeepalivedConfig(keepalivedSpec({ tuning: { keepalived: { monitorTimeoutMs: 1000 } } })),
      "tuning.keepalived.monitorTimeoutMs",
    ],
    ["authPass with VRRPv3", () => renderKeepalivedConfig(keepalivedSpec({ authPass: "abcdefgh" })), "authPass"],
    [
      "authPass too long",
      () =>
        renderKeepalivedConfig(
          keepalivedSpec({ tuning: { keepalived: { vrrpVersion: 2, advertIntervalMs: 1000 } }, authPass: "abcdefghi" }),
        ),
      "authPass",
    ],
    ["relative check script dir", () => renderKeepalivedConfig(keepalivedSpec({ checkScriptDir: "etc/keepalived" })), "checkScriptDir"],
    ["push path with a space", () => renderPushSteps({ haproxyConfig: "x", haproxyConfigPath: "/etc/ha proxy.cfg" }), "haproxyConfigPath"],
    [
      "push unit name",
      () => renderPushSteps({ haproxyConfig: "x", reload: { kind: "systemd", haproxyUnit: "haproxy; reboot" } }),
      "reload.haproxyUnit",
    ],
    [
      "check script without keepalived",
      () => renderPushSteps({ haproxyConfig: "x", checkScript: { path: "/etc/keepalived/x.sh", content: "" } }),
      "checkScript",
    ],
  ];
  for (const [name, fn, field] of cases) {
    test(name, () => {
      const error = inputErrorOf(fn);
      expect(error.field).toBe(field);
      expect(error.message.startsWith(`${field}: `)).toBe(true);
    });
  }

  test("the authPass secret never appears in an error message", () => {
    expect(() => renderKeepalivedConfig(keepalivedSpec({ authPass: "topsecret" }))).toThrow(/^authPass: "\(secret\)"/);
  });
});

describe("the push script (run for real in a temporary directory; needs root like on the hosts)", () => {
  interface Layout {
    haproxyConfigPath: string;
    keepalivedConfigPath: string;
    kaDir: string;
  }

  function layout(): Layout {
    const haDir = path.join(dir, "haproxy");
    const kaDir = path.join(dir, "keepalived");
    fs.mkdirSync(haDir, { mode: 0o755 });
    fs.mkdirSync(kaDir, { mode: 0o755 });
    return { haproxyConfigPath: path.join(haDir, "haproxy.cfg"), keepalivedConfigPath: path.join(kaDir, "keepalived.conf"), kaDir };
  }

  function files(l: Layout, tuning?: LoadBalancerTuningInput) {
    const spec = keepalivedSpec({ checkScriptDir: l.kaDir, tuning });
    return {
      haproxyConfig: renderHaproxyConfig(haproxySpec({ tuning })),
      keepalivedConfig: renderKeepalivedConfig(spec),
      checkScript: renderCheckScript(spec),
    };
  }

  function push(l: Layout, f: ReturnType<typeof files>, reload: Parameters<typeof renderPushSteps>[0]["reload"] = { kind: "none" }) {
    const script = renderPushSteps({ ...f, haproxyConfigPath: l.haproxyConfigPath, keepalivedConfigPath: l.keepalivedConfigPath, reload });
    const r = spawnSync("/bin/bash", ["-c", script], { encoding: "utf8" });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function leftovers(l: Layout): string[] {
    return [path.dirname(l.haproxyConfigPath), l.kaDir].flatMap((d) => fs.readdirSync(d).filter((n) => n.startsWith(".")));
  }

  beforeEach(() => {
    if (process.getuid?.() !== 0) throw new Error("the push script installs files as root; run the tests as root: sudo npm test");
  });

  test("a reload that failed is retried by the next run; the running config's check script is kept until keepalived reloaded", () => {
    const l = layout();
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const fails = path.join(dir, "systemctl-fails");
    const log = path.join(dir, "systemctl.log");
    fs.writeFileSync(path.join(bin, "systemctl"), `#!/bin/sh\necho "$*" >> ${log}\n[ -e ${fails} ] && exit 1\nexit 0\n`, { mode: 0o755 });
    const run = (f: ReturnType<typeof files>) =>
      spawnSync(
        "/bin/bash",
        [
          "-c",
          renderPushSteps({
            ...f,
            haproxyConfigPath: l.haproxyConfigPath,
            keepalivedConfigPath: l.keepalivedConfigPath,
            reload: { kind: "systemd" },
          }),
        ],
        {
          encoding: "utf8",
          env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        },
      );
    const a = files(l);
    expect(run(a).status).toBe(PUSH_EXIT.ok);
    const b = files(l, { haproxy: { connectTimeoutMs: 400 }, keepalived: { monitorPollMs: 200 } });
    expect(b.checkScript.path).not.toBe(a.checkScript.path);
    fs.writeFileSync(fails, "");
    const failed = run(b);
    expect(failed.status).toBe(PUSH_EXIT.error);
    expect(failed.stderr).toContain("systemctl reload-or-restart haproxy.service failed");
    expect(fs.existsSync(a.checkScript.path)).toBe(true); // keepalived still runs config A
    fs.rmSync(fails);
    fs.writeFileSync(log, "");
    const retry = run(b);
    expect(retry.status).toBe(PUSH_EXIT.ok);
    expect(retry.stdout).toContain("haproxy.cfg unchanged");
    expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual([
      "reload-or-restart haproxy.service",
      "reload-or-restart keepalived.service",
    ]);
    expect(fs.existsSync(b.checkScript.path)).toBe(true);
    expect(fs.existsSync(a.checkScript.path)).toBe(false);
    expect(leftovers(l)).toEqual([]);
  });

  test("installs all three files with their modes, then reports them unchanged", () => {
    const l = layout();
    const f = files(l);
    const first = push(l, f);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(PUSH_EXIT.ok);
    expect(first.stdout).toContain("haproxy.cfg installed");
    expect(first.stdout).toContain("keepalived.conf installed");
    expect(fs.readFileSync(l.haproxyConfigPath, "utf8")).toBe(f.haproxyConfig);
    expect(fs.readFileSync(l.keepalivedConfigPath, "utf8")).toBe(f.keepalivedConfig);
    expect(fs.readFileSync(f.checkScript.path, "utf8")).toBe(f.checkScript.content);
    expect(fs.statSync(l.haproxyConfigPath).mode & 0o777).toBe(0o644);
    expect(fs.statSync(l.keepalivedConfigPath).mode & 0o777).toBe(0o600);
    expect(fs.statSync(f.checkScript.path).mode & 0o777).toBe(0o755);
    // installedFiles lists exactly these, with the same paths, modes and contents
    const spec = { ...f, haproxyConfigPath: l.haproxyConfigPath, keepalivedConfigPath: l.keepalivedConfigPath };
    expect(installedFiles(spec).map((x) => [x.path, x.mode, x.content])).toEqual([
      [l.haproxyConfigPath, "0644", fs.readFileSync(l.haproxyConfigPath, "utf8")],
      [f.checkScript.path, "0755", fs.readFileSync(f.checkScript.path, "utf8")],
      [l.keepalivedConfigPath, "0600", fs.readFileSync(l.keepalivedConfigPath, "utf8")],
    ]);
    const second = push(l, f);
    expect(second.status).toBe(PUSH_EXIT.ok);
    expect(second.stdout).toContain("haproxy.cfg unchanged");
    expect(second.stdout).toContain("keepalived.conf unchanged");
    expect(leftovers(l)).toEqual([]);
  });

  test("a broken haproxy.cfg is refused with exit 3 and nothing changes", () => {
    const l = layout();
    const good = files(l);
    expect(push(l, good).status).toBe(PUSH_EXIT.ok);
    const next = files(l, { keepalived: { monitorPollMs: 200 } });
    const r = push(l, { ...next, haproxyConfig: `${next.haproxyConfig}    no-such-keyword\n` });
    expect(r.status).toBe(PUSH_EXIT.haproxyRefused);
    expect(r.stderr).toContain("no-such-keyword");
    expect(fs.readFileSync(l.haproxyConfigPath, "utf8")).toBe(good.haproxyConfig);
    expect(fs.readFileSync(l.keepalivedConfigPath, "utf8")).toBe(good.keepalivedConfig);
    expect(fs.existsSync(next.checkScript.path)).toBe(false);
    expect(leftovers(l)).toEqual([]);
  });

  test("a keepalived.conf keepalived -t refuses gives exit 4; the new check script is removed again", () => {
    const l = layout();
    const good = files(l);
    expect(push(l, good).status).toBe(PUSH_EXIT.ok);
    const next = files(l, { keepalived: { monitorPollMs: 200 } });
    const r = push(l, {
      ...next,
      keepalivedConfig: next.keepalivedConfig.replace("track_script {\n        chk_haproxy", "track_script {\n        chk_missing"),
    });
    expect(r.status).toBe(PUSH_EXIT.keepalivedRefused);
    expect(r.stderr).toContain("chk_missing");
    expect(fs.readFileSync(l.keepalivedConfigPath, "utf8")).toBe(good.keepalivedConfig);
    expect(fs.existsSync(next.checkScript.path)).toBe(false);
    expect(fs.existsSync(good.checkScript.path)).toBe(true);
    expect(leftovers(l)).toEqual([]);
  });

  test("signals only the service whose file changed (SIGUSR2 to HAProxy, SIGHUP to Keepalived)", async () => {
    const l = layout();
    expect(push(l, files(l)).status).toBe(0);
    const sleeper = () => spawn("sleep", ["30"], { stdio: "ignore" });
    const [haproxy, keepalived] = [sleeper(), sleeper()];
    const exits = [haproxy, keepalived].map((p) => new Promise<string | null>((r) => p.on("exit", (_c, sig) => r(sig))));
    const reload = {
      kind: "signal" as const,
      haproxyPidFile: path.join(dir, "haproxy.pid"),
      keepalivedPidFile: path.join(dir, "keepalived.pid"),
    };
    fs.writeFileSync(reload.haproxyPidFile, `${haproxy.pid}\n`);
    fs.writeFileSync(reload.keepalivedPidFile, `${keepalived.pid}\n`);
    try {
      const r = push(l, files(l, { haproxy: { connectTimeoutMs: 250 } }), reload);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`haproxy reloaded (SIGUSR2 to pid ${haproxy.pid})`);
      expect(await exits[0]).toBe("SIGUSR2");
      expect(keepalived.exitCode === null && keepalived.signalCode === null).toBe(true);
      const r2 = push(l, files(l, { haproxy: { connectTimeoutMs: 250 }, keepalived: { advertIntervalMs: 300 } }), reload);
      expect(r2.stdout).toContain("haproxy.cfg unchanged");
      expect(await exits[1]).toBe("SIGHUP");
    } finally {
      haproxy.kill("SIGKILL");
      keepalived.kill("SIGKILL");
    }
  });

  test("keeps the check scripts of the current and the previous config, deletes older ones", () => {
    const l = layout();
    const [a, b, c] = [100, 200, 300].map((poll) => files(l, { keepalived: { monitorPollMs: poll } }));
    for (const f of [a, b, c]) expect(push(l, f).status).toBe(0);
    const scripts = fs
      .readdirSync(l.kaDir)
      .filter((n) => n.startsWith("talos-endpoints-check-"))
      .sort();
    expect(scripts).toEqual([path.basename(b.checkScript.path), path.basename(c.checkScript.path)].sort());
  });

  test("HAProxy only (no keepalivedConfig): installs haproxy.cfg, touches no Keepalived file", () => {
    const l = layout();
    const script = renderPushSteps({
      haproxyConfig: files(l).haproxyConfig,
      haproxyConfigPath: l.haproxyConfigPath,
      reload: { kind: "none" },
    });
    expect(script).not.toContain("/usr/sbin/keepalived");
    expect(script).not.toContain(" -t -f ");
    const r = spawnSync("/bin/bash", ["-c", script], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(fs.existsSync(l.haproxyConfigPath)).toBe(true);
    expect(fs.readdirSync(l.kaDir)).toEqual([]);
  });
});

describe("the plan's files are exactly what its push script installs (run as on a host: /etc/haproxy and /etc/keepalived bind-mounted over temporary directories)", () => {
  const planSpec: HaproxyKeepalivedPlanSpec = {
    talosVersion: "1.11",
    controlPlanes: [
      { name: "cp-01", address: "192.168.30.31/24" },
      { name: "cp-02", address: "192.168.30.32/24" },
    ],
    loadBalancers: [
      { name: "lb-01", address: "192.168.30.21/24" },
      { name: "lb-02", address: "192.168.30.22/24" },
    ],
    vip: "192.168.30.30/24",
    vrrpInterface: "eth0",
    monitor: { port: 9404 },
  };

  /** Runs the host's public push script (systemctl faked: the reload is logged, not done); returns every file left in the two directories. */
  function installOnHost(script: string): {
    status: number | null;
    stderr: string;
    files: Record<string, { mode: string; content: string }>;
  } {
    const etc = { "/etc/haproxy": path.join(dir, "etc-haproxy"), "/etc/keepalived": path.join(dir, "etc-keepalived") };
    const bin = path.join(dir, "bin");
    for (const d of [...Object.values(etc), bin]) fs.mkdirSync(d, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "systemctl"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const r = runWithBindMounts(etc, ["/bin/bash", "-s"], { input: script, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    const files: Record<string, { mode: string; content: string }> = {};
    for (const [target, source] of Object.entries(etc)) {
      for (const name of fs.readdirSync(source)) {
        const file = path.join(source, name);
        files[`${target}/${name}`] = { mode: `0${(fs.statSync(file).mode & 0o777).toString(8)}`, content: fs.readFileSync(file, "utf8") };
      }
    }
    return { status: r.status, stderr: r.stderr, files };
  }

  /** As installOnHost, on the host the previous installOnHost call set up (its files stay). */
  function installOnHost2(script: string): ReturnType<typeof installOnHost> {
    const etc = { "/etc/haproxy": path.join(dir, "etc-haproxy"), "/etc/keepalived": path.join(dir, "etc-keepalived") };
    const bin = path.join(dir, "bin");
    const r = runWithBindMounts(etc, ["/bin/bash", "-s"], { input: script, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    const files: Record<string, { mode: string; content: string }> = {};
    for (const [target, source] of Object.entries(etc))
      for (const name of fs.readdirSync(source))
        files[`${target}/${name}`] = { mode: "", content: fs.readFileSync(path.join(source, name), "utf8") };
    return { status: r.status, stderr: r.stderr, files };
  }

  test("ha-pair: haproxy.cfg, the check script keepalived.conf names, keepalived.conf; nothing else", () => {
    const host = planHaproxyKeepalived(planSpec).hosts["lb-02"];
    const paths = Object.keys(host.files);
    expect(paths).toEqual([
      "/etc/haproxy/haproxy.cfg",
      expect.stringMatching(/^\/etc\/keepalived\/talos-endpoints-check-[0-9a-f]{12}\.sh$/),
      "/etc/keepalived/keepalived.conf",
    ]);
    expect(host.files["/etc/keepalived/keepalived.conf"]).toContain(`script "${paths[1]} serve"`);
    // the monitor port reaches haproxy.cfg and the check script alike
    expect(host.files["/etc/haproxy/haproxy.cfg"]).toContain("bind 127.0.0.1:9404");
    expect(host.files[paths[1]]).toContain("/dev/tcp/127.0.0.1/9404");
    const r = installOnHost(host.script);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(PUSH_EXIT.ok);
    expect(r.files).toEqual({
      "/etc/haproxy/haproxy.cfg": { mode: "0644", content: host.files["/etc/haproxy/haproxy.cfg"] },
      [paths[1]]: { mode: "0755", content: host.files[paths[1]] },
      "/etc/keepalived/keepalived.conf": { mode: "0600", content: host.files["/etc/keepalived/keepalived.conf"] },
    });
  });

  test("with kubernetesApiCheck: the CA (0644) and the client certificate with its key (0600, owner haproxy) beside haproxy.cfg, which haproxy -c accepts; the public files mask the key", () => {
    const certs = makeCheckCerts(dir);
    const plan = planHaproxyKeepalived({
      ...planSpec,
      kubernetesApiCheck: { caCertificate: certs.caCert, clientCertificate: certs.clientCert },
    });
    expect(plan.warnings.join("\n")).not.toContain("unauthenticated");
    expect(planHaproxyKeepalived(planSpec).warnings.join("\n")).toContain("Kubernetes API check is unauthenticated");
    const host = plan.hosts["lb-01"];
    const paths = Object.keys(host.files);
    const ca = paths.find((p) => /^\/etc\/haproxy\/talos-endpoints-kubernetes-ca-[0-9a-f]{12}\.pem$/.test(p))!;
    const client = paths.find((p) => /^\/etc\/haproxy\/talos-endpoints-kubernetes-client-[0-9a-f]{12}\.pem$/.test(p))!;
    expect(host.haproxyConfig).toContain(`check check-ssl verify required ca-file ${ca} crt ${client}`);
    expect(host.haproxyConfig).toContain("http-check expect status 200");
    expect(host.files[client]).toContain(certs.clientCert.trim());
    expect(host.files[client]).not.toContain(certs.clientKey.trim());
    expect(host.script).not.toContain(Buffer.from(certs.clientKey).toString("base64").slice(0, 40));
    const real = host.scriptWith(undefined, certs.clientKey);
    const r = installOnHost(real);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(PUSH_EXIT.ok);
    expect(r.files[ca]).toEqual({ mode: "0644", content: certs.caCert.endsWith("\n") ? certs.caCert : `${certs.caCert}\n` });
    expect(r.files[client].mode).toBe("0600");
    expect(r.files[client].content).toContain(certs.clientKey.trim());
    const owner = spawnSync("id", ["-u", "haproxy"], { encoding: "utf8" }).stdout.trim();
    expect(String(fs.statSync(path.join(dir, "etc-haproxy", path.basename(client))).uid)).toBe(owner);
    // a second push with another certificate replaces the files; the first one's go once no config names them
    const other = makeCheckCerts(fs.mkdtempSync(path.join(dir, "other-")));
    const next = planHaproxyKeepalived({
      ...planSpec,
      kubernetesApiCheck: { caCertificate: other.caCert, clientCertificate: other.clientCert },
    });
    const second = installOnHost2(next.hosts["lb-01"].scriptWith(undefined, other.clientKey));
    expect(second.status).toBe(PUSH_EXIT.ok);
    // after the reload only the new certificate files are left: the old key does not linger
    expect(
      Object.keys(second.files)
        .filter((p) => p.endsWith(".pem"))
        .sort(),
    ).toEqual(
      Object.keys(next.hosts["lb-01"].files)
        .filter((p) => p.endsWith(".pem"))
        .sort(),
    );
    expect(JSON.stringify(second.files)).not.toContain(certs.clientKey.trim().split("\n")[1]);
    // and a push without the authenticated check removes them all
    const unauthenticated = installOnHost2(planHaproxyKeepalived(planSpec).hosts["lb-01"].script);
    expect(unauthenticated.status).toBe(PUSH_EXIT.ok);
    expect(Object.keys(unauthenticated.files).filter((p) => p.endsWith(".pem"))).toEqual([]);
  });

  test("kubernetesApiCheck: a client certificate of another CA is refused naming the field", () => {
    const a = makeCheckCerts(fs.mkdtempSync(path.join(dir, "a-")));
    const b = makeCheckCerts(fs.mkdtempSync(path.join(dir, "b-")));
    expect(() =>
      planHaproxyKeepalived({ ...planSpec, kubernetesApiCheck: { caCertificate: a.caCert, clientCertificate: b.clientCert } }),
    ).toThrow(/kubernetesApiCheck\.clientCertificate: .*is not signed by kubernetesApiCheck\.caCertificate/);
    expect(() =>
      planHaproxyKeepalived({ ...planSpec, kubernetesApiCheck: { caCertificate: a.clientCert, clientCertificate: a.clientCert } }),
    ).toThrow(/kubernetesApiCheck\.caCertificate: .*is not a CA certificate/);
    expect(() =>
      planHaproxyKeepalived({ ...planSpec, kubernetesApiCheck: { caCertificate: "nope", clientCertificate: a.clientCert } }),
    ).toThrow(/kubernetesApiCheck\.caCertificate/);
    // a private key given in a certificate field is never shown
    let message = "";
    try {
      planHaproxyKeepalived({ ...planSpec, kubernetesApiCheck: { caCertificate: a.caCert, clientCertificate: a.clientKey } });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('kubernetesApiCheck.clientCertificate: "(not shown)" must be a PEM certificate');
    expect(message).not.toContain(a.clientKey.split("\n")[1]);
    // a certificate for servers only would get 401 from kube-apiserver
    const serverOnly = makeCheckCerts(fs.mkdtempSync(path.join(dir, "s-")), ["192.168.30.31"]);
    expect(() =>
      planHaproxyKeepalived({
        ...planSpec,
        kubernetesApiCheck: { caCertificate: serverOnly.caCert, clientCertificate: serverOnly.serverCert },
      }),
    ).toThrow(/has no clientAuth extended key usage/);
    // the plan warns when the client certificate expires within 30 days (the test certificates last 2)
    const soon = planHaproxyKeepalived({ ...planSpec, kubernetesApiCheck: { caCertificate: a.caCert, clientCertificate: a.clientCert } });
    expect(soon.warnings.join("\n")).toMatch(/kubernetesApiCheck\.clientCertificate expires .* \(in [01] days\)/);
  });

  test("single-haproxy: haproxy.cfg only", () => {
    const plan = planHaproxyKeepalived({ ...planSpec, mode: "single-haproxy", loadBalancers: planSpec.loadBalancers!.slice(0, 1) });
    const host = plan.hosts["lb-01"];
    expect(Object.keys(host.files)).toEqual(["/etc/haproxy/haproxy.cfg"]);
    const r = installOnHost(host.script);
    expect(r.status).toBe(PUSH_EXIT.ok);
    expect(r.files).toEqual({ "/etc/haproxy/haproxy.cfg": { mode: "0644", content: host.haproxyConfig } });
  });
});
