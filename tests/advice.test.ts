/**
 * synth writes advice.md for every stack: the advisor's recommendation for the facts the stack file
 * states, and the stack's departures from it.
 */
import * as fs from "fs";
import * as path from "path";
import { adviseStrategy } from "../src/render/advisor";
import { departures, stackStrategies } from "../examples/stack/advice";
import { removeVariants, synthVariant } from "./helpers/stacks";

afterAll(removeVariants);

const adviceOf = (outDir: string) => fs.readFileSync(path.join(outDir, "advice.md"), "utf8");

test.each(["proxmox", "aws", "large"])("the %s stack follows the advice, and advice.md says so with the whole advice", async (stack) => {
  const result = await synthVariant(stack);
  const text = adviceOf(result.outDir);
  expect(text).toContain(`# Strategy advice for the \`${stack}\` stack`);
  expect(text).toContain("The stack follows the advice.");
  expect(text).toMatch(/Control-plane endpoint: .+\n/);
  expect(text).toMatch(/failover: /);
  expect(text).toContain("Reasons:");
});

test("the baremetal stack's departures are flagged: HAProxy + Keepalived and MetalLB BGP where the advice differs", async () => {
  const text = adviceOf((await synthVariant("baremetal")).outDir);
  expect(text).toContain("The stack departs from the advice");
  expect(text).toContain("- control-plane endpoint: the stack builds HAProxy + Keepalived; the advice is Talos native VIP");
  expect(text).toContain("- Service load balancer: the stack builds MetalLB BGP; the advice is MetalLB L2");
});

test("stackStrategies reads what the program builds, and departures compares it with the advice", () => {
  const config = {
    "talos-endpoints:platform": "baremetal",
    "talos-endpoints:loadBalancer": JSON.stringify({ mode: "single-haproxy" }),
    "talos-endpoints:cilium": JSON.stringify({ mode: "l2" }),
  };
  expect(stackStrategies(config)).toEqual({ endpoint: "haproxy", services: "cilium-l2" });
  expect(stackStrategies({ "talos-endpoints:platform": "aws" })).toEqual({ endpoint: "nlb", services: "cloud" });
  const advice = adviseStrategy({ platform: "proxmox", controlPlanes: 3, workers: 0, bgp: false, sameL2: true });
  expect(departures({ endpoint: advice.endpoint.recommended, services: advice.services.recommended }, advice)).toEqual([]);
  expect(departures({ endpoint: advice.endpoint.recommended }, advice)).toEqual([
    expect.stringMatching(/^Service load balancer: the stack has none; the advice is /),
  ]);
});
