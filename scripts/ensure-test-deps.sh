#!/usr/bin/env bash
# Makes sure the programs the tests run for real are installed: haproxy and keepalived (to
# validate rendered configs), iproute2 (network-namespace lab). Installs them with apt-get when
# they are missing and this is a root Debian/Ubuntu machine; otherwise fails with the command to run.
set -euo pipefail
missing=()
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
command -v keepalived >/dev/null 2>&1 || [ -x /usr/sbin/keepalived ] || missing+=(keepalived)
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing+=(iproute2)
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "ensure-test-deps: missing ${missing[*]}. Install them first (as root on Debian/Ubuntu):" >&2
echo "  sudo sh -c '$cmd'" >&2
exit 1
