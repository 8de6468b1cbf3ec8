/** The strategy advisor (pure: no Pulumi imports). */
export * from "./types";
export * from "./advise";
export * from "./format";
