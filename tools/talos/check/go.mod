// The module root of talos-config-check. The program is built once per Talos minor against that
// minor's machinery with `go build -modfile=v1.X.mod` (scripts/ensure-tools.sh): v1.9.mod,
// v1.11.mod, v1.12.mod and v1.13.mod (each with its .sum) pin one machinery release each, since
// one module can require only one version of a module. This file only marks the module root
// (`-modfile` needs one); it requires nothing and is never built against.
module talos-endpoints/tools/talos/check

go 1.26.6
