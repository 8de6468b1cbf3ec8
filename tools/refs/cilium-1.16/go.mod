// Pins Cilium 1.16 for the tests: the CRDs (pkg/k8s/apis/cilium.io/client/crds/), the Helm chart's
// values.schema.json (install/kubernetes/cilium/) and the documentation (Documentation/) of the
// released github.com/cilium/cilium module, read in place from the Go module cache by
// tests/helpers/refModules.ts. Only the module's files are used (nothing is built).
// v1.16.19: the newest 1.16 release the module proxy serves (v1.16.18 and v1.16.20 answer 403
// "This module version is not available"); 1.16 is past its end of life.
module talos-endpoints/tools/refs/cilium-1.16

go 1.26

require github.com/cilium/cilium v1.16.19
