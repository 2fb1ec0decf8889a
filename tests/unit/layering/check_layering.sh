#!/usr/bin/env bash
# Fails when a source file includes something its layer must not see (docs/design.md#layering):
#   sync/core     no Beast, pqxx, JSON, YAML; no other leadsync module
#   netaddr/      no Asio/Beast, pqxx, JSON, YAML; no other leadsync module (a leaf)
#   sync/http     no pqxx, JSON, YAML; only leadsync/core, leadsync/netaddr
#   sync/hubspot  no pqxx, YAML, Beast; only leadsync/core, leadsync/http
#   db/           no Beast, YAML; only leadsync/core
#   webhooks/     no pqxx, YAML; only leadsync/core (Beast and JSON private: not in webhooks/include)
#   config/       no Asio/Beast, pqxx, JSON; no leadsync module but leadsync/netaddr
#   public headers keep private dependencies private (no Beast in http/include, no pqxx in db/include,
#                 no JSON in hubspot/include)
#   nothing outside daemon/ includes daemon code; tests/fake_hubspot includes no leadsync code at all
# Usage: check_layering.sh [ROOT]   (ROOT defaults to the repository; the self-test passes a fixture)
set -uo pipefail
root="${1:-$(cd "$(dirname "$0")/../../.." && pwd)}"
violations=0

# forbid DIR REGEX WHY: any #include line in DIR matching REGEX is a violation.
forbid() {
  local dir="$1" regex="$2" why="$3"
  [ -d "$root/$dir" ] || return 0
  local hits
  hits=$(grep -rnE --include='*.hpp' --include='*.cpp' --include='*.h' --include='*.ipp' \
         "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($regex)" "$root/$dir" 2>/dev/null)
  if [ -n "$hits" ]; then
    while IFS= read -r h; do echo "layering violation ($why): ${h#$root/}"; done <<<"$hits"
    violations=$((violations + $(wc -l <<<"$hits")))
  fi
}

beast='boost/beast'; asio='boost/asio'; pqxx='pqxx/'; json='nlohmann/'; yaml='yaml-cpp/'
others_than() {  # leadsync modules other than the allowed ones, as an alternation
  local all="core netaddr http hubspot db config webhooks daemon testing" out="" m
  for m in $all; do [[ " $* " == *" $m "* ]] || out="${out:+$out|}leadsync/$m/"; done
  echo "$out"
}

forbid sync/core    "$beast|$pqxx|$json|$yaml"          "sync/core stays free of Beast, pqxx, JSON and YAML"
forbid sync/core    "$(others_than core)"                "sync/core depends on no other module"
forbid sync/http    "$pqxx|$json|$yaml"                 "sync/http needs no database, JSON or YAML"
forbid netaddr      "$asio|$beast|$pqxx|$json|$yaml"    "netaddr/ is a leaf"
forbid netaddr      "$(others_than netaddr)"             "netaddr/ is a leaf"
forbid sync/http    "$(others_than core http netaddr)"   "sync/http depends only on core and netaddr"
forbid sync/hubspot "$pqxx|$yaml|$beast"                 "sync/hubspot speaks HTTP only through http::Transport"
forbid sync/hubspot "$(others_than core http hubspot)"   "sync/hubspot depends only on core and http"
forbid db           "$beast|$yaml"                       "db/ has no HTTP or YAML"
forbid db           "$(others_than core db)"             "db/ depends only on core"
forbid webhooks     "$pqxx|$yaml"                        "webhooks/ stores nothing itself and reads no YAML"
forbid webhooks     "$(others_than core webhooks)"        "webhooks/ depends only on core"
forbid webhooks/include "$beast|$json"                   "Beast and JSON are private to leadsync_webhooks"
forbid config       "$asio|$beast|$pqxx|$json"           "config/ is a leaf"
forbid config       "$(others_than config netaddr)"      "config/ depends only on netaddr"
forbid sync/http/include    "$beast|boost/asio/ssl"      "Beast is private to leadsync_http"
forbid db/include           "$pqxx"                      "pqxx is private to leadsync_db"
forbid sync/hubspot/include "$json"                      "JSON is private to leadsync_hubspot"
forbid tests/fake_hubspot   "leadsync/|\\.\\./"          "fake-hubspot shares no code with sync/"
for d in netaddr config sync db webhooks tests/fake_hubspot; do
  forbid "$d" "leadsync/daemon/|daemon/|\\.\\./daemon" "nothing depends on daemon/"
done

if [ "$violations" -gt 0 ]; then
  echo "$violations layering violation(s)"
  exit 1
fi
echo "layering ok"
