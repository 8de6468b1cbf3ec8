// Pins Cilium 1.17 for the tests: the CRDs (pkg/k8s/apis/cilium.io/client/crds/), the Helm chart's
// values.schema.json (install/kubernetes/cilium/) and the documentation (Documentation/) of the
// released github.com/cilium/cilium module, read in place from the Go module cache by
// tests/helpers/refModules.ts. Only the module's files are used (nothing is built).
// v1.17.16, not v1.17.17: the proxy serves v1.17.17, but the checksum database answers 404 for
// it (`go mod download github.com/cilium/cilium@v1.17.17`: "verifying go.mod: ... reading
// <proxy>/sumdb/sum.golang.org/lookup/github.com/cilium/cilium@v1.17.17: 404 Not
// Found"), so it cannot be verified; v1.17.16 is the newest 1.17 release that can.
module talos-endpoints/tools/refs/cilium-1.17

go 1.26

require github.com/cilium/cilium v1.17.16
