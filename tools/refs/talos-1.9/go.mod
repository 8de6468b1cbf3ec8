// Pins the Talos 1.9 config schema for the tests: config/schemas/config.schema.json of the released
// github.com/siderolabs/talos/pkg/machinery module, read in place from the Go module cache by
// tests/helpers/refModules.ts. Only the module's files are used (nothing is built), so the
// replace directives of machinery's own go.mod are not needed here.
// v1.9.5, not the last 1.9 patch v1.9.6: the module proxy answers 403 ("not available") for
// machinery v1.9.6, so v1.9.5 is the newest 1.9 release it serves. Its schema is byte-identical
// to the one published for v1.9.6.
module talos-endpoints/tools/refs/talos-1.9

go 1.26

require github.com/siderolabs/talos/pkg/machinery v1.9.5
