/** The endpoint components. */
export * from "./contract";
export * from "./TalosVipEndpoint";
