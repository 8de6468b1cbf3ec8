/** Limits, checks and plan of the AWS NLB endpoint. Pure: no Pulumi imports. */
export * from "./limits";
export * from "./checks";
export * from "./plan";
