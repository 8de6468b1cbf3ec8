// Pins the MetalLB v0.16.1 CRDs for the tests: config/crd/bases/*.yaml of the released
// go.universe.tf/metallb module, read in place from the Go module cache by
// tests/helpers/refModules.ts. Only the module's files are used (nothing is built).
module talos-endpoints/tools/refs/metallb

go 1.26

require go.universe.tf/metallb v0.16.1
