//go:build tools

// Package refs only keeps the pinned module required under `go mod tidy` (never built: the
// tools build tag); the imported package needs nothing outside the standard library, so the
// module graph and go.sum hold just the pinned module.
package refs

import _ "go.universe.tf/metallb/api"
