/** MetalLB renderers (pure: no Pulumi imports). */
export * from "./types";
export * from "./addresses";
export * from "./validate";
export * from "./manifests";
export * from "./talosPatch";
