// Pins kube-vip for the tests: pkg/kubevip/config_envvar.go (the environment variable names
// kube-vip reads), pkg/kubevip/config_environment.go and config_generator.go (how it parses them,
// the RBAC rules it generates) of the github.com/kube-vip/kube-vip module, read in place from the
// Go module cache by tests/helpers/refModules.ts. Only the module's files are used (nothing is built).
// v1.0.0: the newest release the module proxy serves (v1.0.1 and later, v1.2.3 included, answer
// 403; docs/blocked.md). The image KubeVipEndpoint deploys by default is newer (v1.2.3): every
// variable it sets is checked against this release's source, see src/render/kubevip/types.ts.
// The checksum database has no entry for this module (404), so the go.sum lines were recorded
// from the proxy's zip on first download (GONOSUMDB for that one download; docs/blocked.md);
// every later download is verified against them.
module talos-endpoints/tools/refs/kube-vip

go 1.26

require (
	github.com/kube-vip/kube-vip v1.0.0
	// The Kubernetes client kube-vip v1.0.0 is built with (its go.mod): rest.InClusterConfig in
	// rest/config.go reads KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, the two variables
	// KubeVipEndpoint sets to reach the API server through KubePrism.
	k8s.io/client-go v0.33.3
)
