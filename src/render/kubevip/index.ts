/** kube-vip renderers (pure: no Pulumi imports). */
export * from "./types";
export * from "./validate";
export * from "./manifests";
export * from "./mergePatches";
