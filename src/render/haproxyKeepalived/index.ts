/** Renderers and push steps of the HAProxy + Keepalived endpoint. Pure: no Pulumi imports. */
export * from "./tuning";
export * from "./haproxyConfig";
export * from "./keepalivedConfig";
export * from "./pushScript";
export * from "./plan";
export * from "./ssh";
