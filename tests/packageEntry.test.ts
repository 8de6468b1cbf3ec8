import * as lib from "../src/index";

test("the package entry exports every component with its type token", () => {
  const components = [
    "TalosVipEndpoint",
    "HaproxyKeepalivedEndpoint",
    "NlbEndpoint",
    "KubeVipEndpoint",
    "MetalLbServices",
    "TalosConfigPush",
  ] as const;
  for (const name of components) expect(typeof (lib as Record<string, unknown>)[name]).toBe("function");
  expect(lib.componentToken("NlbEndpoint")).toBe("talos-endpoints:index:NlbEndpoint");
  // and the pure renderers, in the `render` namespace, for users who only want the files
  for (const fn of [
    "renderControlPlanePatch",
    "renderHaproxyConfig",
    "renderKeepalivedConfig",
    "renderPushSteps",
    "renderMetalLb",
    "renderKubeVip",
    "checkLoadBalancerConflicts",
  ]) {
    expect(typeof (lib.render as Record<string, unknown>)[fn]).toBe("function");
  }
  expect(typeof lib.InputError).toBe("function");
});
