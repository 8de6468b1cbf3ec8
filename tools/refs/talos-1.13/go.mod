// Pins the Talos 1.13 config schema for the tests: config/schemas/config.schema.json of the released
// github.com/siderolabs/talos/pkg/machinery module, read in place from the Go module cache by
// tests/helpers/refModules.ts. Only the module's files are used (nothing is built), so the
// replace directives of machinery's own go.mod are not needed here.
module talos-endpoints/tools/refs/talos-1.13

go 1.26.6

require github.com/siderolabs/talos/pkg/machinery v1.13.9
