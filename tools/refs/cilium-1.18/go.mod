// Pins Cilium 1.18 for the tests: the CRDs (pkg/k8s/apis/cilium.io/client/crds/), the Helm chart's
// values.schema.json (install/kubernetes/cilium/) and the documentation (Documentation/) of the
// released github.com/cilium/cilium module, read in place from the Go module cache by
// tests/helpers/refModules.ts. Only the module's files are used (nothing is built).
// v1.18.11: the newest 1.18 release the module proxy serves (v1.18.12 to v1.18.14 answer 403).
// It is CiliumServices' default version (DEFAULT_CILIUM_VERSION).
module talos-endpoints/tools/refs/cilium-1.18

go 1.26

require github.com/cilium/cilium v1.18.11
