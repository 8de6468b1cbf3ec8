#!/usr/bin/env bash
# Builds the Go programs the tests run for real into .tools/bin (ignored by git), from the pinned
# wrapper modules under tools/. A tool is rebuilt only when its go.mod, go.sum, Go files or build
# line change (a SHA-256 stamp beside the binary). Go's module and build caches stay in their default
# places outside the clone, so a fresh clone on a machine that built the tools before links them
# in seconds; a cold build of the Pulumi CLI took about 4.5 minutes on 2 cores (module download included).
#
# Usage: scripts/ensure-tools.sh [tool ...]   (default: every tool; `python` is the venv)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin" "$root/.tools/log"

if ! command -v go >/dev/null 2>&1; then
  echo "ensure-tools: the Go toolchain (>= 1.26) is needed to build the test tools; install Go and re-run" >&2
  exit 1
fi

# name | module dir under tools/ | package | -ldflags | -modfile (optional: another go.mod in that dir)
tools=(
  "pulumi|pulumi|github.com/pulumi/pulumi/pkg/v3/cmd/pulumi|-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.248.0"
  "pulumi-gensdk|pulumi|talos-endpoints/tools/pulumi/gensdk|"
  "talos-config-check-1.9|talos/check|talos-endpoints/tools/talos/check||v1.9.mod"
  "talos-config-check-1.11|talos/check|talos-endpoints/tools/talos/check||v1.11.mod"
  "talos-config-check-1.12|talos/check|talos-endpoints/tools/talos/check||v1.12.mod"
  "talos-config-check-1.13|talos/check|talos-endpoints/tools/talos/check|"
  "k8s-object-check|k8s/check|talos-endpoints/tools/k8s/check|"
)

build() {
  local name="$1" dir="$2" pkg="$3" ldflags="$4" modfile="${5:-go.mod}"
  local moddir="$root/tools/$dir" out="$bin/$name" stampfile="$bin/.$name.stamp" log="$root/.tools/log/$name.log"
  local stamp
  # The module's own Go files count too (a tool written here, such as gensdk).
  stamp="$( (cat "$moddir/$modfile" "$moddir/${modfile%.mod}.sum"; find "$moddir" -name '*.go' -type f | LC_ALL=C sort | xargs -r cat; echo "$pkg $ldflags $modfile"; go env GOVERSION) | sha256sum | cut -d' ' -f1)"
  if [ -x "$out" ] && [ -f "$stampfile" ] && [ "$(cat "$stampfile")" = "$stamp" ]; then
    return 0
  fi
  local start=$SECONDS
  echo "ensure-tools: building $name from $pkg (pinned in tools/$dir; cold builds take minutes, log: .tools/log/$name.log)" >&2
  (
    cd "$moddir"
    CGO_ENABLED=0 go build -modfile="$modfile" -v -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$out.tmp" "$pkg"
  ) >"$log" 2>&1 &
  local pid=$!
  local ticks=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    ticks=$((ticks + 1))
    if [ $((ticks % 20)) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then
      echo "ensure-tools:   $name: $(wc -l <"$log") packages compiled, $((SECONDS - start)) s" >&2
    fi
  done
  if ! wait "$pid"; then
    echo "ensure-tools: building $name failed; last lines of .tools/log/$name.log:" >&2
    tail -n 30 "$log" >&2
    rm -f "$out.tmp"
    exit 1
  fi
  mv -f "$out.tmp" "$out"
  echo "$stamp" >"$stampfile"
  echo "ensure-tools: built $name in $((SECONDS - start)) s" >&2
}

# The Python environment of the multi-language test: .tools/python, a venv with the exact pins of
# tools/python/requirements.txt (the Pulumi Python SDK the generated SDK imports). Rebuilt only when
# that file or the Python version changes.
python_env() {
  local venv="$root/.tools/python" req="$root/tools/python/requirements.txt" stampfile="$root/.tools/python/.stamp"
  if ! command -v python3 >/dev/null 2>&1; then
    echo "ensure-tools: python3 (>= 3.9, with venv) is needed for the multi-language test; install it and re-run" >&2
    exit 1
  fi
  local stamp
  stamp="$( (cat "$req"; python3 --version) | sha256sum | cut -d' ' -f1)"
  if [ -x "$venv/bin/python" ] && [ -f "$stampfile" ] && [ "$(cat "$stampfile")" = "$stamp" ]; then
    return 0
  fi
  local start=$SECONDS
  echo "ensure-tools: creating .tools/python (Pulumi Python SDK from tools/python/requirements.txt)" >&2
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >"$root/.tools/log/python.log" 2>&1; then
    echo "ensure-tools: python3 -m venv failed (on Debian: apt-get install python3-venv); see .tools/log/python.log" >&2
    exit 1
  fi
  if ! "$venv/bin/pip" install --disable-pip-version-check -q -r "$req" >>"$root/.tools/log/python.log" 2>&1; then
    echo "ensure-tools: pip install -r tools/python/requirements.txt failed; last lines of .tools/log/python.log:" >&2
    tail -n 20 "$root/.tools/log/python.log" >&2
    exit 1
  fi
  echo "$stamp" >"$stampfile"
  echo "ensure-tools: .tools/python ready in $((SECONDS - start)) s" >&2
}

want=("$@")
for entry in "${tools[@]}"; do
  IFS='|' read -r name dir pkg ldflags modfile <<<"$entry"
  if [ ${#want[@]} -eq 0 ] || printf '%s\n' "${want[@]}" | grep -qx "$name"; then
    build "$name" "$dir" "$pkg" "$ldflags" "$modfile"
  fi
done
if [ ${#want[@]} -eq 0 ] || printf '%s\n' "${want[@]}" | grep -qx python; then
  python_env
fi
