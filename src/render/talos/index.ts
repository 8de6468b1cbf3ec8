/** Talos machine-config rendering and the talosctl push plan (pure: no Pulumi imports). */
export * from "./version";
export * from "./controlPlanes";
export * from "./patch";
export * from "./talosctl";
export * from "./pushPlan";
export * from "./generated";
export * from "./clusterState";
export * from "./kubernetesVersions";
