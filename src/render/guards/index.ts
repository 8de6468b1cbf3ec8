/** Guards across components (pure: no Pulumi imports). */
export * from "./loadBalancers";
