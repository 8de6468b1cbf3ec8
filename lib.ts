/**
 * talos-endpoints: Pulumi components for a highly available Talos Linux control-plane endpoint.
 * This is the package entry point (`import { TalosVipEndpoint } from "talos-endpoints"`).
 */
export * from "./components";
export * from "./talos";
