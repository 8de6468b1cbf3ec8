/** The endpoint components. */
export * from "./contract";
export * from "./TalosVipEndpoint";
export * from "./NlbEndpoint";
export * from "./MetalLbServices";
export * from "./metallb";
export * from "./HaproxyKeepalivedEndpoint";
export * from "./haproxyKeepalived";
