/**
 * Pulumi's mock runtime with a recorder: every registered resource with its parent, its
 * dependencies and its inputs (secrets and unknowns masked). Used by `npm run synth` and by the
 * tests, so both see exactly the same thing.
 */
import * as pulumi from "@pulumi/pulumi";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** One registered resource. */
export interface RecordedResource {
  /** Type token, e.g. `command:local:Command`. */
  type: string;
  /** Resource name. */
  name: string;
  /** Name of the parent resource, or null for the stack itself. */
  parent: string | null;
  /** Names of the resources this one waits for (explicit dependsOn and input dependencies). */
  dependsOn: string[];
  /** Inputs as the provider would receive them; secrets are `"[secret]"`, unknowns `"[computed]"`. */
  inputs: Record<string, unknown>;
}

/** Placeholder values for outputs a real provider computes, by resource type. */
export type ComputedState = (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown>;

/** Default placeholders for the provider-computed outputs this package reads. */
export const defaultComputedState: ComputedState = (type, name, inputs) => {
  switch (type) {
    case "proxmoxve:index/vmLegacy:VmLegacy":
      return { vmId: inputs.vmId ?? 100 };
    case "command:local:Command":
    case "command:remote:Command":
      return { stdout: "", stderr: "" };
    case "aws:lb/loadBalancer:LoadBalancer":
      return {
        arn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/${inputs.name ?? name}/0123456789abcdef`,
        dnsName: `${inputs.name ?? name}-0123456789abcdef.elb.us-east-1.amazonaws.com`,
        zoneId: "Z26RNL4JYFTOTI",
      };
    case "aws:lb/targetGroup:TargetGroup":
      return { arn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${inputs.name ?? name}/0123456789abcdef` };
    case "aws:ec2/securityGroup:SecurityGroup":
      return { arn: `arn:aws:ec2:us-east-1:123456789012:security-group/sg-${name}` };
    default:
      return {};
  }
};

/** Replaces secrets by "[secret]" and unknowns by "[computed]". */
export function maskValue(value: unknown): unknown {
  if (value === undefined) return "[computed]";
  if (Array.isArray(value)) return value.map(maskValue);
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG_KEY] === SECRET_SIG) return "[secret]";
    return Object.fromEntries(
      Object.entries(obj)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, maskValue(v)]),
    );
  }
  return value;
}

function unwrapSecrets(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value, (_k, v) => (v && v[SECRET_SIG_KEY] === SECRET_SIG ? v.value : v)));
}

/** The recorder returned by {@link installMocks}. */
export interface MockRecorder {
  /** Resources registered so far, in registration order. */
  readonly resources: RecordedResource[];
  /** Output names whose values are mock placeholders, by resource name (e.g. an NLB's `dnsName`). */
  readonly placeholders: Map<string, string[]>;
  /** Waits until every pending registration has reached the mocks, then disconnects the runtime. */
  settle(): Promise<RecordedResource[]>;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
}

function urnName(urn: string): string {
  return urn.split("::").pop() as string;
}

/**
 * Installs Pulumi's mocks (not a preview: Outputs resolve) with a recorder. Call it again to start
 * from an empty record.
 */
export async function installMocks(project: string, stack: string, computed: ComputedState = defaultComputedState): Promise<MockRecorder> {
  const resources: RecordedResource[] = [];
  const requests = new Map<string, RegisterRequest>();
  const placeholders = new Map<string, string[]>();
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const key = `${args.type}::${args.name}`;
        const req = requests.get(key);
        resources.push({
          type: args.type,
          name: args.name,
          parent: req?.getParent() ? urnName(req.getParent()) : null,
          dependsOn: (req?.getDependenciesList() ?? []).map(urnName),
          inputs: maskValue(args.inputs) as Record<string, unknown>,
        });
        const plain = unwrapSecrets(args.inputs);
        const made = computed(args.type, args.name, plain);
        const invented = Object.keys(made).filter((k) => !(k in plain) && made[k] !== "");
        if (invented.length > 0) placeholders.set(`${args.type} ${args.name}`, invented);
        return { id: `${args.name}-id`, state: { ...plain, ...made } };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    project,
    stack,
    false,
  );
  // The mocks' newResource is not told the parent or the dependencies; the register request is.
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: RegisterRequest, cb: unknown) => unknown };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    requests.set(`${req.getType()}::${req.getName()}`, req);
    return original(req, cb);
  };
  return {
    resources,
    placeholders,
    async settle() {
      await pulumi.runtime.disconnect();
      return resources;
    },
  };
}
