#!/usr/bin/env bash
# Proves check_layering.sh can fail: plants one violation per rule in a scratch tree and expects each to
# be reported, then expects a clean tree to pass.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
scratch="$(mktemp -d)"; trap 'rm -rf "$scratch"' EXIT

plant() {  # plant FILE INCLUDE
  mkdir -p "$scratch/$(dirname "$1")"; printf '#include %s\n' "$2" >"$scratch/$1"
}
expect_fail() {
  local name="$1"; shift
  rm -rf "${scratch:?}"/*
  plant "$@"
  if bash "$here/check_layering.sh" "$scratch" >/dev/null; then echo "FAIL: '$name' was not detected"; exit 1; fi
}

expect_fail "beast in core"       sync/core/src/a.cpp '<boost/beast/http.hpp>'
expect_fail "pqxx in core"        sync/core/include/leadsync/core/a.hpp '<pqxx/pqxx>'
expect_fail "json in core"        sync/core/src/a.cpp '<nlohmann/json.hpp>'
expect_fail "yaml in core"        sync/core/src/a.cpp '<yaml-cpp/yaml.h>'
expect_fail "core uses db"        sync/core/src/a.cpp '"leadsync/db/identifier.hpp"'
expect_fail "http uses hubspot"   sync/http/src/a.cpp '"leadsync/hubspot/client.hpp"'
expect_fail "hubspot uses pqxx"   sync/hubspot/src/a.cpp '<pqxx/pqxx>'
expect_fail "db uses beast"       db/src/a.cpp '<boost/beast/core.hpp>'
expect_fail "config uses core"    config/src/a.cpp '"leadsync/core/error.hpp"'
expect_fail "netaddr uses core"   netaddr/src/a.cpp '"leadsync/core/error.hpp"'
expect_fail "netaddr uses asio"   netaddr/src/a.cpp '<boost/asio/ip/address.hpp>'
expect_fail "netaddr uses yaml"   netaddr/include/leadsync/netaddr/a.hpp '<yaml-cpp/yaml.h>'
expect_fail "netaddr uses http"   netaddr/src/a.cpp '"leadsync/http/url.hpp"'
expect_fail "beast in http hdr"   sync/http/include/leadsync/http/a.hpp '<boost/beast/core.hpp>'
expect_fail "pqxx in db hdr"      db/include/leadsync/db/a.hpp '<pqxx/pqxx>'
expect_fail "json in hubspot hdr" sync/hubspot/include/leadsync/hubspot/a.hpp '<nlohmann/json.hpp>'
expect_fail "fake uses sync"      tests/fake_hubspot/src/a.cpp '"leadsync/hubspot/client.hpp"'
expect_fail "fake reaches up"     tests/fake_hubspot/src/a.cpp '"../../sync/core/include/x.hpp"'
expect_fail "db uses daemon"      db/src/a.cpp '"daemon/cli.hpp"'

rm -rf "${scratch:?}"/*
plant sync/core/src/ok.cpp '<boost/asio/awaitable.hpp>'
plant sync/http/src/ok.cpp '<boost/beast/http.hpp>'
plant db/src/ok.cpp '<pqxx/pqxx>'
plant config/src/ok.cpp '"leadsync/netaddr/host.hpp"'
plant sync/http/src/ok2.cpp '"leadsync/netaddr/base_url.hpp"'
bash "$here/check_layering.sh" "$scratch" >/dev/null || { echo "FAIL: a clean tree was rejected"; exit 1; }
echo "layering self-test ok"
