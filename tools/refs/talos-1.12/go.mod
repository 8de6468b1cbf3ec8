// Pins the Talos 1.12 config schema for the tests: config/schemas/config.schema.json of the released
// github.com/siderolabs/talos/pkg/machinery module, read in place from the Go module cache by
// tests/helpers/refModules.ts. Only the module's files are used (nothing is built), so the
// replace directives of machinery's own go.mod are not needed here.
// v1.12.7, not the last 1.12 patch v1.12.11: the module proxy answers 403 ("not available") for
// machinery v1.12.8 to v1.12.11, so v1.12.7 is the newest 1.12 release it serves. Its schema
// lacks only runtime.OOMV1Alpha1.strictCgroupClassOrdering (present at v1.12.11) and some
// descriptions.
module talos-endpoints/tools/refs/talos-1.12

go 1.26

require github.com/siderolabs/talos/pkg/machinery v1.12.7
