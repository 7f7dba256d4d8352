#!/bin/sh
# Installs the Debian packages the build, the tests, the benchmark and the demo need.
# Idempotent; quick when everything is already there.
set -eu

PACKAGES="
  make gcc libc6-dev
  nftables iptables conntrack iproute2 procps util-linux time
  mosquitto mosquitto-clients openssl socat netcat-openbsd
  shellcheck busybox
  postgresql
  chromium fonts-dejavu-core
"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "host-deps: installing$missing" >&2
$SUDO apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
