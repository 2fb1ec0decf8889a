#!/usr/bin/env bash
# Installs the Debian packages leadsync needs to build, test and run its demo.
# Idempotent: does nothing when everything is present. Needs root only when something is missing.
#   scripts/setup.sh           # build, test and demo
#   scripts/setup.sh --fuzz    # also what scripts/fuzz.sh and .ci/run need: clang 14 with libFuzzer, ninja, ccache
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

PACKAGES=(
  build-essential cmake pkg-config git ca-certificates python3
  libboost1.81-dev libpqxx-dev nlohmann-json3-dev libspdlog-dev libyaml-cpp-dev libsystemd-dev
  libssl-dev libgtest-dev libgmock-dev libbenchmark-dev postgresql openssl nodejs npm
  clang-format clang-tidy
  prometheus  # promtool, for the alert-rule tests in monitoring/
)
# libFuzzer and the sanitizer runtimes of clang 14 (Debian 12's clang) for the fuzz targets; ccache for the
# extra builds of .ci/run.
FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev ninja-build ccache)
case "${1:-}" in
  "") ;;
  --fuzz) PACKAGES+=("${FUZZ_PACKAGES[@]}") ;;
  *) die "usage: $(basename "$0") [--fuzz]" ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # node/npm may come from outside Debian (e.g. NodeSource): accept the commands.
    case "$p" in
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm)    command -v npm  >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  log "all ${#PACKAGES[@]} required packages are installed"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  die "missing packages: ${missing[*]}
run as root:  sudo apt-get install -y --no-install-recommends ${missing[*]}"
fi

log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
log "installed ${#missing[@]} packages"
