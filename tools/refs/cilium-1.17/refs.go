//go:build tools

// Package refs only keeps the pinned module required under `go mod tidy` (never built: the
// tools build tag). The imported package, github.com/cilium/cilium/pkg/k8s/apis/cilium.io
// (package ciliumio: the API group name and label constants), needs nothing outside the
// standard library, so the module graph and go.sum hold just the pinned module.
package refs

import _ "github.com/cilium/cilium/pkg/k8s/apis/cilium.io"
