import * as pulumi from "@pulumi/pulumi";
import { TalosVipEndpoint, TalosVipEndpointArgs } from "../src/components/TalosVipEndpoint";
import { isPlain, validated } from "../src/components/inputs";
import { installMocks, MockRecorder } from "../examples/stack/mockRuntime";
import { valueOf } from "./helpers/outputs";

const args: TalosVipEndpointArgs = {
  talosVersion: "1.11",
  controlPlanes: [
    { name: "cp-01", address: "192.168.30.31/24" },
    { name: "cp-02", address: "192.168.30.32/24" },
    { name: "cp-03", address: "192.168.30.33/24" },
  ],
  vip: "192.168.30.30",
  link: "eth0",
};

let rec: MockRecorder;
beforeEach(async () => {
  rec = await installMocks("talos-endpoints", "test");
});

test("publishes the endpoint contract and registers only itself", async () => {
  const ep = new TalosVipEndpoint("cp", args);
  expect(await valueOf(ep.endpoint)).toBe("192.168.30.30");
  expect(await valueOf(ep.vip)).toBe("192.168.30.30");
  expect(await valueOf(ep.kubernetesApiUrl)).toBe("https://192.168.30.30:6443");
  // talosconfig endpoints are the physical addresses, never the VIP.
  expect(await valueOf(ep.talosApiEndpoints)).toEqual(["192.168.30.31", "192.168.30.32", "192.168.30.33"]);
  const resources = await rec.settle();
  expect(resources.map((r) => [r.type, r.name, r.parent])).toEqual([["talos-endpoints:index:TalosVipEndpoint", "cp", null]]);
});

const bad: [string, Partial<TalosVipEndpointArgs>, string][] = [
  [
    "VIP outside the subnet",
    { vip: "192.168.31.30" },
    'vip: "192.168.31.30" is outside the subnet 192.168.30.0/24 of controlPlanes[0] (cp-01)',
  ],
  ["VIP equal to a node", { vip: "192.168.30.32" }, 'vip: "192.168.30.32" equals the address of controlPlanes[1] (cp-02)'],
  [
    "VIP is the broadcast address",
    { vip: "192.168.30.255" },
    'vip: "192.168.30.255" is the network or broadcast address of 192.168.30.0/24',
  ],
  ["VIP malformed", { vip: "192.168.30" }, 'vip: "192.168.30" is not a valid IP address'],
  [
    "duplicate node addresses",
    {
      controlPlanes: [
        { name: "a", address: "192.168.30.31/24" },
        { name: "b", address: "192.168.30.31/24" },
      ],
    },
    'controlPlanes[1].address: "192.168.30.31/24" duplicates the address of controlPlanes[0]',
  ],
  [
    "duplicate node names",
    {
      controlPlanes: [
        { name: "a", address: "192.168.30.31/24" },
        { name: "a", address: "192.168.30.32/24" },
      ],
    },
    'controlPlanes[1].name: "a" is also the name of controlPlanes[0]',
  ],
  ["empty node list", { controlPlanes: [] }, "controlPlanes: [] must list at least one control-plane node"],
  [
    "malformed node address",
    { controlPlanes: [{ name: "a", address: "192.168.30.31/33" }] },
    'controlPlanes[0].address: "192.168.30.31/33" must be an address with prefix length',
  ],
  [
    "node name not a DNS label",
    { controlPlanes: [{ name: "CP_1", address: "192.168.30.31/24" }] },
    'controlPlanes[0].name: "CP_1" must be a DNS label',
  ],
  ["unsupported Talos version", { talosVersion: "1.8" }, 'talosVersion: "1.8" Talos 1.8 is not supported'],
  ["no link", { link: undefined }, "link: (not set) must be set (or linkSelector)"],
  ["link and selector", { linkSelector: { driver: "virtio_net" } }, 'linkSelector: {"driver":"virtio_net"} cannot be combined with link'],
];

test.each(bad)("rejects %s before any resource is registered", async (_label, override, message) => {
  expect(() => new TalosVipEndpoint("cp", { ...args, ...override })).toThrow(message);
  expect(await rec.settle()).toEqual([]);
});

test("validated(): plain values are checked now, Output values when they resolve", async () => {
  const check = (v: { vip: string }) => {
    if (v.vip !== "ok") throw new Error(`vip: ${v.vip}`);
    return v.vip;
  };
  expect(() => validated({ vip: "bad" }, check)).toThrow("vip: bad");
  // An Output value cannot be checked before it resolves: no synchronous throw. (The apply
  // rejects later; Pulumi's language host reports that as a failed update.)
  const seen: string[] = [];
  expect(() => validated({ vip: pulumi.output("later") }, (v) => seen.push(v.vip))).not.toThrow();
  await new Promise((r) => setTimeout(r, 20));
  expect(seen).toEqual(["later"]);
  expect(await valueOf(validated({ vip: pulumi.output("ok") }, check))).toBe("ok");
  expect(isPlain({ a: [1, { b: "x" }] })).toBe(true);
  expect(isPlain({ a: [1, { b: pulumi.output("x") }] })).toBe(false);
  expect(isPlain({ a: Promise.resolve(1) })).toBe(false);
});

test("an even number of control planes is accepted with an etcd quorum warning", async () => {
  const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  const ep = new TalosVipEndpoint("cp", { ...args, controlPlanes: args.controlPlanes.slice(0, 2) });
  expect(await valueOf(ep.endpoint)).toBe("192.168.30.30");
  await rec.settle();
  expect(warn).toHaveBeenCalledTimes(1);
  expect(warn.mock.calls[0][0]).toMatch(/controlPlanes: 2 control-plane nodes is an even count.*tolerate as many failures as 1/);
  warn.mockRestore();
});

test("an odd number of control planes gives no warning", async () => {
  const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  const ep = new TalosVipEndpoint("cp", args);
  await valueOf(ep.endpoint);
  await rec.settle();
  expect(warn).not.toHaveBeenCalled();
  warn.mockRestore();
});
