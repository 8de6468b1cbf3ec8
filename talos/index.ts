/** Talos machine-config rendering and the talosctl push. */
export * from "./errors";
export * from "./version";
export * from "./net";
export * from "./controlPlanes";
export * from "./patch";
export * from "./talosctl";
export * from "./pushPlan";
export * from "./push";
