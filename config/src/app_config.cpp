#include "leadsync/config/app_config.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include "leadsync/config/config_error.hpp"
#include "leadsync/config/duration.hpp"
#include "leadsync/config/keys.hpp"
#include "leadsync/netaddr/base_url.hpp"
#include "leadsync/netaddr/host.hpp"
#include "yaml_reader.hpp"

namespace leadsync::config {

using detail::Issues;
using detail::MapReader;
using detail::quote;
using detail::Sensitivity;

namespace {

constexpr std::pair<const char*, PropertyType> kPropertyTypes[] = {
    {"string", PropertyType::string},     {"number", PropertyType::number},
    {"bool", PropertyType::boolean},      {"date", PropertyType::date},
    {"datetime", PropertyType::datetime}, {"enumeration", PropertyType::enumeration}};
constexpr std::pair<const char*, Direction> kDirections[] = {
    {"both", Direction::both}, {"pull", Direction::pull}, {"push", Direction::push}};
constexpr std::pair<const char*, ConflictPolicy> kConflictPolicies[] = {
    {"remote_wins", ConflictPolicy::remote_wins},
    {"local_wins", ConflictPolicy::local_wins},
    {"newest_wins", ConflictPolicy::newest_wins},
    {"manual", ConflictPolicy::manual}};
constexpr std::pair<const char*, RemoteDeletePolicy> kRemoteDeletePolicies[] = {
    {"archive", RemoteDeletePolicy::archive}, {"delete", RemoteDeletePolicy::remove}};
constexpr std::pair<const char*, LogLevel> kLogLevels[] = {{"trace", LogLevel::trace},
                                                           {"debug", LogLevel::debug},
                                                           {"info", LogLevel::info},
                                                           {"warn", LogLevel::warn},
                                                           {"error", LogLevel::error}};
constexpr std::pair<const char*, ApiVersion> kApiVersions[] = {
    {"2026-03", ApiVersion::v2026_03}, {"2026-09", ApiVersion::v2026_09}, {"legacy", ApiVersion::legacy}};
constexpr std::pair<const char*, LogFormat> kLogFormats[] = {{"text", LogFormat::text},
                                                             {"json", LogFormat::json}};

template <typename Enum, std::size_t N>
const char* name_of(Enum value, const std::pair<const char*, Enum> (&table)[N]) noexcept {
  for (const auto& [name, v] : table)
    if (v == value) return name;
  return "?";
}

// Columns of docs/design.md#the-leads-table that leadsync adds to the operator's table itself.
constexpr const char* kReservedColumns[] = {
    "id", "hubspot_id", "sync_key", "archived", "hubspot_updated_at", "sync_status", "sync_error"};
// HubSpot computes these; a push would be rejected with 400 (docs/hubspot-api.md#properties-and-pipelines).
constexpr const char* kReadOnlyProperties[] = {"hs_object_id", "hs_createdate", "createdate",
                                               "hs_lastmodifieddate"};
constexpr std::string_view kRequiredProperty = "hs_lead_name";
// The associations table is <table>_associations and must fit PostgreSQL's 63-byte identifiers.
constexpr std::string_view kAssociationsSuffix = "_associations";
constexpr std::size_t kMaxIdentifier = 63;
constexpr std::size_t kMaxTableName = kMaxIdentifier - kAssociationsSuffix.size();

constexpr const char* kIdentifierShape = "a letter or _, then letters, digits or _, at most 63 characters";

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_safe_identifier(std::string_view s) {
  if (s.empty() || s.size() > kMaxIdentifier || !is_alpha(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_alpha(c) || is_digit(c); });
}

bool is_property_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_'; });
}

bool is_env_name(std::string_view s) {
  return !s.empty() && is_alpha(s.front()) &&
         std::all_of(s.begin(), s.end(), [](char c) { return is_alpha(c) || is_digit(c); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// ---- hubspot -------------------------------------------------------------------------------------------

// Names of environment variables and files that hold secrets are checked for shape only; when the shape
// is wrong the value is likely the secret itself pasted in the wrong place, so it is never echoed.
void read_env_name(const MapReader& m, std::string_view key, std::optional<std::string>& out) {
  std::string text;
  if (!m.read(key, text, Sensitivity::hidden)) return;
  if (!is_env_name(text)) {
    m.error(key,
            "not a valid environment variable name (expected letters, digits and _, not starting with a "
            "digit; value hidden)");
    return;
  }
  out = std::move(text);
}

void read_absolute_path(const MapReader& m, std::string_view key, std::optional<std::string>& out,
                        Sensitivity sensitivity) {
  std::string text;
  if (!m.read(key, text, sensitivity)) return;
  if (text.empty() || text.front() != '/' || text.find('\0') != std::string::npos) {
    m.error(key, "expected an absolute file path" + (sensitivity == Sensitivity::hidden
                                                         ? std::string(" (value hidden)")
                                                         : ", got " + quote(text)));
    return;
  }
  out = std::move(text);
}

// Exactly one of `keys` must be present in m; reports none and every extra one.
void require_exactly_one(const MapReader& m, std::initializer_list<const char*> keys,
                         const std::string& what) {
  std::string list;
  for (const char* k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
  std::vector<const char*> present;
  for (const char* k : keys)
    if (m.has(k)) present.push_back(k);
  if (present.empty()) {
    m.issues().add(m.mark(), m.path(), "no " + what + " (set exactly one of " + list + ")");
    return;
  }
  for (std::size_t i = 1; i < present.size(); ++i)
    m.issues().add(m.key_mark(present[i]), m.path(present[i]),
                   "conflicting " + what + "s: " + present[0] + " and " + present[i] +
                       " are both set (set exactly one of " + list + ")");
}

// The rules are the transport's own (leadsync_netaddr), so config never accepts what the transport refuses.
void read_base_url(const MapReader& m, std::string& out) {
  std::string text;
  if (!m.read("base_url", text, Sensitivity::hidden)) return;
  netaddr::BaseUrlResult r = netaddr::parse_base_url(text);
  if (!r.url) {
    if (r.error == netaddr::UrlError::credentials)
      r.message += "; the token comes from access_token_env, access_token_file or oauth";
    m.error("base_url", std::move(r.message));
    return;
  }
  out = r.url->normalized();
}

void read_oauth(const MapReader& parent, std::optional<OAuthConfig>& out) {
  if (!parent.has("oauth")) return;
  MapReader m(parent.issues(), parent.node("oauth"), parent.path("oauth"), config_section("hubspot.oauth"),
              parent.key_mark("oauth"));
  if (!m.is_map()) return;
  OAuthConfig o;
  if (m.require("client_id") && m.read("client_id", o.client_id) && o.client_id.empty())
    m.error("client_id", "must not be empty");
  read_env_name(m, "client_secret_env", o.client_secret_env);
  read_absolute_path(m, "client_secret_file", o.client_secret_file, Sensitivity::hidden);
  require_exactly_one(m, {"client_secret_env", "client_secret_file"}, "client secret source");
  read_env_name(m, "refresh_token_env", o.refresh_token_env);
  read_absolute_path(m, "refresh_token_file", o.refresh_token_file, Sensitivity::hidden);
  require_exactly_one(m, {"refresh_token_env", "refresh_token_file"}, "refresh token source");
  std::string token_path;
  if (m.read("token_path", token_path)) {
    if (token_path.empty() || token_path.front() != '/' ||
        std::any_of(token_path.begin(), token_path.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
      m.error("token_path", "expected a path starting with /, got " + quote(token_path));
    else if (token_path.find_first_of("?#") != std::string::npos)
      // The credentials go in the form body only; a query string here would be sent with every refresh.
      m.error("token_path",
              "expected a path without a query string or fragment (not echoed: it may hold a secret); the "
              "OAuth credentials are sent in the form-encoded request body only");
    else
      o.token_path = std::move(token_path);
  }
  out = std::move(o);
}

void read_rate_limit(const MapReader& parent, RateLimitConfig& out) {
  MapReader m(parent.issues(), parent.node("rate_limit"), parent.path("rate_limit"),
              config_section("hubspot.rate_limit"), parent.key_mark("rate_limit"));
  m.read("enabled", out.enabled);
  m.read("requests_per_10s", out.requests_per_10s);
  m.read("search_per_second", out.search_per_second);
  m.read_percent("daily_share", out.daily_share);
  bool daily_ok = !m.has("daily") || m.read("daily", out.daily);
  if (m.read("daily_reserve", out.daily_reserve) && daily_ok) {
    if (out.daily == 0 && out.daily_reserve != 0)
      m.error("daily_reserve", "must be 0 when daily is 0 (no daily budget)");
    else if (out.daily > 0 && out.daily_reserve >= out.daily)
      m.error("daily_reserve", "must be less than daily (" + std::to_string(out.daily) + "), got " +
                                   std::to_string(out.daily_reserve));
  }
}

void read_hubspot(const MapReader& root, HubspotConfig& out) {
  MapReader m(root.issues(), root.node("hubspot"), "hubspot", config_section("hubspot"),
              root.key_mark("hubspot"));
  if (!m.is_map()) return;
  read_base_url(m, out.base_url);
  m.read("api_version", out.api_version, kApiVersions);
  read_env_name(m, "access_token_env", out.access_token_env);
  read_absolute_path(m, "access_token_file", out.access_token_file, Sensitivity::hidden);
  read_oauth(m, out.oauth);
  require_exactly_one(m, {"access_token_env", "access_token_file", "oauth"}, "token source");
  read_absolute_path(m, "ca_file", out.ca_file, Sensitivity::shown);
  std::string unique_key;
  if (m.read("unique_key_property", unique_key)) {
    if (is_property_name(unique_key))
      out.unique_key_property = unique_key;
    else
      m.error("unique_key_property", "invalid HubSpot property name " + quote(unique_key) +
                                         " (expected lowercase letters, digits and _)");
  }
  m.read("create_unique_key_property", out.create_unique_key_property);
  read_rate_limit(m, out.rate_limit);
  {
    MapReader t(m.issues(), m.node("timeouts"), m.path("timeouts"), config_section("hubspot.timeouts"),
                m.key_mark("timeouts"));
    t.read("connect", out.timeouts.connect);
    t.read("request", out.timeouts.request);
  }
  {
    MapReader r(m.issues(), m.node("retry"), m.path("retry"), config_section("hubspot.retry"),
                m.key_mark("retry"));
    r.read("max_attempts", out.retry.max_attempts);
    bool initial_ok = !r.has("initial_backoff") || r.read("initial_backoff", out.retry.initial_backoff);
    if (r.read("max_backoff", out.retry.max_backoff) && initial_ok &&
        out.retry.max_backoff < out.retry.initial_backoff)
      r.error("max_backoff", "must be at least initial_backoff (" +
                                 format_duration(out.retry.initial_backoff) + "), got " +
                                 format_duration(out.retry.max_backoff));
  }
  m.read("max_response_mb", out.max_response_mb);
}

// ---- database ------------------------------------------------------------------------------------------

// libpq keyword form (password=...) or URI form (postgresql://user:secret@host, ?password=...).
bool dsn_has_password(const std::string& dsn) {
  std::string l = lower(dsn);
  for (auto pos = l.find("password"); pos != std::string::npos; pos = l.find("password", pos + 1)) {
    auto after = l.find_first_not_of(" \t\r\n", pos + 8);
    if (after != std::string::npos && l[after] == '=') return true;
  }
  auto scheme_end = l.find("://");
  if (scheme_end != std::string::npos) {
    auto authority_begin = scheme_end + 3;
    auto authority_end = l.find_first_of("/?#", authority_begin);
    std::string authority =
        l.substr(authority_begin,
                 authority_end == std::string::npos ? std::string::npos : authority_end - authority_begin);
    auto at = authority.rfind('@');
    if (at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos) return true;
  }
  return false;
}

void read_database(const MapReader& root, DatabaseConfig& out) {
  MapReader m(root.issues(), root.node("database"), "database", config_section("database"),
              root.key_mark("database"));
  if (!m.is_map()) return;
  read_env_name(m, "dsn_env", out.dsn_env);
  read_absolute_path(m, "dsn_file", out.dsn_file, Sensitivity::hidden);
  std::string dsn;
  if (m.read("dsn", dsn, Sensitivity::hidden)) {
    if (dsn.empty())
      m.error("dsn", "must not be empty (e.g. \"host=/run/postgresql dbname=leads\")");
    else if (dsn_has_password(dsn))
      m.error("dsn",
              "an inline DSN must not contain a password (value hidden); use dsn_env or dsn_file, or keep "
              "the password in a PGPASSFILE");
    else
      out.dsn = std::move(dsn);
  }
  require_exactly_one(m, {"dsn_env", "dsn_file", "dsn"}, "DSN source");

  std::string table;
  if (!m.read("table", table)) return;
  std::string schema = "public";
  std::string name = table;
  if (auto dot = table.find('.'); dot != std::string::npos) {
    schema = table.substr(0, dot);
    name = table.substr(dot + 1);
  }
  if (!is_safe_identifier(schema) || !is_safe_identifier(name)) {
    m.error("table", "unsafe table name " + quote(table) + " (expected \"table\" or \"schema.table\", each " +
                         kIdentifierShape + ")");
    return;
  }
  std::string lschema = lower(schema);
  if (lschema == "leadsync" || lschema == "information_schema" || lschema.starts_with("pg_")) {
    m.error("table", "schema " + quote(schema) +
                         " is reserved (leadsync keeps its bookkeeping in schema "
                         "leadsync; pg_* and information_schema belong to PostgreSQL)");
    return;
  }
  if (name.size() > kMaxTableName) {
    m.error("table", "table name " + quote(name) + " is too long: at most " + std::to_string(kMaxTableName) +
                         " characters, so that " + name.substr(0, 8) + "..._associations fits PostgreSQL's " +
                         "63-character limit");
    return;
  }
  out.schema = std::move(schema);
  out.table = std::move(name);
}

// ---- sync ----------------------------------------------------------------------------------------------

void read_sync(const MapReader& root, SyncConfig& out) {
  MapReader m(root.issues(), root.node("sync"), "sync", config_section("sync"), root.key_mark("sync"));
  m.read("interval", out.interval);
  m.read("full_sweep_interval", out.full_sweep_interval);
  m.read("association_sweep_interval", out.association_sweep_interval);
  m.read("search_lookback", out.search_lookback);
  m.read("debounce", out.debounce);
  m.read("conflict_policy", out.conflict_policy, kConflictPolicies);
  m.read("on_remote_delete", out.on_remote_delete, kRemoteDeletePolicies);
  m.read("batch_size", out.batch_size);
  m.read("max_push_attempts", out.max_push_attempts);
}

// ---- mappings ------------------------------------------------------------------------------------------

std::string item_path(const std::string& list, std::size_t i) {
  return list + "[" + std::to_string(i) + "]";
}

// A list section: null or absent reads as empty; anything but a list is reported.
bool is_list(const MapReader& root, std::string_view key, const char* what) {
  YAML::Node node = root.node(key);
  if (!node.IsDefined() || node.IsNull() || node.IsSequence()) return true;
  root.error(key, std::string("expected a list of ") + what + ", got " + detail::describe(node));
  return false;
}

void read_mappings(const MapReader& root, const HubspotConfig& hubspot, std::vector<MappingConfig>& out) {
  if (!is_list(root, "mappings", "mappings")) return;
  YAML::Node list = root.node("mappings");
  if (!list.IsDefined() || list.IsNull() || list.size() == 0) {
    root.issues().add(
        root.value_mark("mappings"), "mappings",
        "at least one mapping is required, e.g. { property: hs_lead_name, column: lead_name, type: "
        "string }");
    return;
  }
  struct Seen {         // parallel to out
    std::size_t index;  // in the YAML list
    bool property_ok, column_ok;
  };
  std::vector<Seen> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    YAML::Node item = list[i];
    MapReader m(root.issues(), item, item_path("mappings", i), config_section("mappings[]"),
                detail::value_mark(item, root.value_mark("mappings")));
    if (!m.is_map()) continue;
    MappingConfig mapping;
    Seen s{i, false, false};
    if (m.require("property") && m.read("property", mapping.property)) {
      if (is_property_name(mapping.property))
        s.property_ok = true;
      else
        m.error("property", "invalid HubSpot property name " + quote(mapping.property) +
                                " (expected lowercase letters, digits and _, as in hs_lead_name)");
    }
    if (m.require("column") && m.read("column", mapping.column)) {
      if (!is_safe_identifier(mapping.column)) {
        m.error("column", "unsafe column name " + quote(mapping.column) +
                              " (expected a SQL identifier: " + kIdentifierShape + ")");
      } else if (std::any_of(std::begin(kReservedColumns), std::end(kReservedColumns),
                             [&](const char* r) { return lower(mapping.column) == r; })) {
        std::string reserved;
        for (const char* r : kReservedColumns) reserved += (reserved.empty() ? "" : ", ") + std::string(r);
        m.error("column", "column " + quote(mapping.column) + " is reserved for leadsync's bookkeeping (" +
                              reserved + ")");
      } else {
        s.column_ok = true;
      }
    }
    m.read("type", mapping.type, kPropertyTypes);
    bool direction_ok = !m.has("direction") || m.read("direction", mapping.direction, kDirections);
    if (s.property_ok && direction_ok && mapping.direction != Direction::pull &&
        std::any_of(std::begin(kReadOnlyProperties), std::end(kReadOnlyProperties),
                    [&](const char* p) { return mapping.property == p; }))
      m.issues().add(m.has("direction") ? m.value_mark("direction") : m.mark(), m.path("direction"),
                     mapping.property + " is read-only in HubSpot: direction must be pull, got " +
                         to_string(mapping.direction));
    if (s.property_ok && hubspot.unique_key_property == mapping.property) {
      m.error("property",
              quote(mapping.property) +
                  " is hubspot.unique_key_property, which holds the row's sync_key and cannot be mapped");
      s.property_ok = false;
    }
    for (std::size_t k = 0; k < seen.size(); ++k) {
      const Seen& prev = seen[k];
      const MappingConfig& p = out[k];
      if (s.property_ok && prev.property_ok && p.property == mapping.property)
        m.error("property", "duplicate property " + quote(mapping.property) + " (already mapped by " +
                                item_path("mappings", prev.index) + ")");
      if (s.column_ok && prev.column_ok && lower(p.column) == lower(mapping.column))
        m.error("column", "duplicate column " + quote(mapping.column) + " (already used by " +
                              item_path("mappings", prev.index) + ")");
    }
    seen.push_back(s);
    out.push_back(std::move(mapping));
  }
  bool all_properties_ok = seen.size() == list.size() &&
                           std::all_of(seen.begin(), seen.end(), [](const Seen& s) { return s.property_ok; });
  if (all_properties_ok && std::none_of(out.begin(), out.end(), [](const MappingConfig& mc) {
        return mc.property == kRequiredProperty;
      }))
    root.issues().add(root.key_mark("mappings"), "mappings",
                      "hs_lead_name is not mapped (HubSpot requires a lead name to create a lead); add e.g. "
                      "{ property: hs_lead_name, column: lead_name }");
}

void read_associations(const MapReader& root, std::vector<AssociationConfig>& out) {
  if (!is_list(root, "associations", "associations")) return;
  YAML::Node list = root.node("associations");
  if (!list.IsDefined() || list.IsNull()) return;
  std::vector<std::size_t> indices;  // index in the YAML list of each entry of out
  for (std::size_t i = 0; i < list.size(); ++i) {
    YAML::Node item = list[i];
    MapReader m(root.issues(), item, item_path("associations", i), config_section("associations[]"),
                detail::value_mark(item, root.value_mark("associations")));
    if (!m.is_map()) continue;
    AssociationConfig a;
    bool ok = true;
    if (m.require("to_object_type") && m.read("to_object_type", a.to_object_type)) {
      if (!is_safe_identifier(a.to_object_type)) {
        m.error("to_object_type", "invalid object type " + quote(a.to_object_type) +
                                      " (expected a HubSpot object type such as contacts or companies)");
        ok = false;
      } else {
        for (std::size_t k = 0; k < out.size(); ++k)
          if (out[k].to_object_type == a.to_object_type) {
            m.error("to_object_type", "duplicate object type " + quote(a.to_object_type) +
                                          " (already listed in " + item_path("associations", indices[k]) +
                                          ")");
            ok = false;
          }
      }
    } else {
      ok = false;
    }
    if (m.require("association_type_ids")) {
      YAML::Node ids = m.node("association_type_ids");
      std::string ids_path = m.path("association_type_ids");
      if (!ids.IsSequence()) {
        m.error("association_type_ids",
                "expected a list of association type ids such as [578, 608], got " + detail::describe(ids));
        ok = false;
      } else if (ids.size() == 0) {
        m.error("association_type_ids", "at least one association type id is required");
        ok = false;
      } else {
        for (std::size_t j = 0; j < ids.size(); ++j) {
          std::string id_path = item_path(ids_path, j);
          auto mark = detail::value_mark(ids[j], m.value_mark("association_type_ids"));
          auto id = detail::read_integer(root.issues(), ids[j], mark, id_path, 1, 2147483647);
          if (!id) {
            ok = false;
            continue;
          }
          int v = static_cast<int>(*id);
          if (std::find(a.association_type_ids.begin(), a.association_type_ids.end(), v) !=
              a.association_type_ids.end()) {
            root.issues().add(mark, id_path, "duplicate association type id " + std::to_string(v));
            ok = false;
            continue;
          }
          a.association_type_ids.push_back(v);
        }
      }
    } else {
      ok = false;
    }
    if (ok) {
      indices.push_back(i);
      out.push_back(std::move(a));
    }
  }
}

// ---- metrics, logging ----------------------------------------------------------------------------------

void read_metrics(const MapReader& root, MetricsConfig& out) {
  MapReader m(root.issues(), root.node("metrics"), "metrics", config_section("metrics"),
              root.key_mark("metrics"));
  m.read("enabled", out.enabled);
  std::string listen;
  if (!m.read("listen", listen)) return;
  netaddr::HostPortResult r =
      netaddr::parse_host_port(listen, netaddr::PortPresence::required, netaddr::PortRange::any);
  if (!r.value) {
    m.error("listen", "invalid listen address " + quote(listen) +
                          " (expected host:port such as 127.0.0.1:9464 or [::1]:9464, port 0..65535)");
    return;
  }
  out.listen_host = std::move(r.value->host);
  out.listen_port = *r.value->port;
}

// Native TLS: both files or neither. With them the listener speaks HTTPS only, so an http:// public_url
// cannot be what HubSpot calls and every signature would fail: refused here rather than as 401s later.
// Whether the files can be read and hold a matching PEM chain and key is checked when the listener starts.
void read_webhook_tls(const MapReader& m, WebhooksConfig& out) {
  read_absolute_path(m, "cert_file", out.cert_file, Sensitivity::shown);
  read_absolute_path(m, "key_file", out.key_file, Sensitivity::shown);
  const bool cert = m.has("cert_file");
  const bool key = m.has("key_file");
  if (cert && !key)
    m.error("cert_file", "native TLS needs key_file too (set both cert_file and key_file, or neither)");
  if (key && !cert)
    m.error("key_file", "native TLS needs cert_file too (set both cert_file and key_file, or neither)");
  if (cert && key && out.public_url.rfind("http://", 0) == 0)
    m.error("public_url",
            "with cert_file and key_file the receiver serves HTTPS only: expected https://, got " +
                quote(out.public_url));
}

void read_webhooks(const MapReader& root, WebhooksConfig& out) {
  if (!root.has("webhooks")) return;
  MapReader m(root.issues(), root.node("webhooks"), "webhooks", config_section("webhooks"),
              root.key_mark("webhooks"));
  if (!m.is_map()) return;
  m.read("enabled", out.enabled);
  std::string listen;
  if (m.read("listen", listen)) {
    netaddr::HostPortResult r =
        netaddr::parse_host_port(listen, netaddr::PortPresence::required, netaddr::PortRange::any);
    if (r.value) {
      out.listen_host = std::move(r.value->host);
      out.listen_port = *r.value->port;
    } else {
      m.error("listen", "invalid listen address " + quote(listen) +
                            " (expected host:port such as 127.0.0.1:9465 or [::1]:9465, port 0..65535)");
    }
  }
  auto printable = [](const std::string& v) {
    return std::none_of(v.begin(), v.end(),
                        [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
  };
  if (m.read("path", out.path) && (out.path.empty() || out.path.front() != '/' || !printable(out.path) ||
                                   out.path.find('?') != std::string::npos))
    m.error("path", "expected a path starting with /, without spaces or a query, got " + quote(out.path));
  if (m.read("public_url", out.public_url) &&
      (!(out.public_url.rfind("https://", 0) == 0 || out.public_url.rfind("http://", 0) == 0) ||
       !printable(out.public_url)))
    m.error("public_url", "expected the full http(s):// URL HubSpot calls, got " + quote(out.public_url));
  read_env_name(m, "client_secret_env", out.client_secret_env);
  read_absolute_path(m, "client_secret_file", out.client_secret_file, Sensitivity::hidden);
  if (m.has("app_id")) {
    std::int64_t app = 0;
    if (m.read("app_id", app)) out.app_id = app;
  }
  m.read("portal_id", out.portal_id);
  m.read("safety_interval", out.safety_interval);
  m.read("retention", out.retention);
  read_webhook_tls(m, out);
  if (!out.enabled) return;
  m.require("public_url");
  m.require("portal_id");
  require_exactly_one(m, {"client_secret_env", "client_secret_file"}, "client secret source");
}

void read_logging(const MapReader& root, LoggingConfig& out) {
  MapReader m(root.issues(), root.node("logging"), "logging", config_section("logging"),
              root.key_mark("logging"));
  m.read("level", out.level, kLogLevels);
  m.read("format", out.format, kLogFormats);
}

}  // namespace

const char* to_string(PropertyType v) noexcept {
  return name_of(v, kPropertyTypes);
}
const char* to_string(Direction v) noexcept {
  return name_of(v, kDirections);
}
const char* to_string(ConflictPolicy v) noexcept {
  return name_of(v, kConflictPolicies);
}
const char* to_string(RemoteDeletePolicy v) noexcept {
  return name_of(v, kRemoteDeletePolicies);
}
const char* to_string(LogLevel v) noexcept {
  return name_of(v, kLogLevels);
}
const char* to_string(LogFormat v) noexcept {
  return name_of(v, kLogFormats);
}
const char* to_string(ApiVersion v) noexcept {
  return name_of(v, kApiVersions);
}

namespace {

// Notes where a document starts; the second start is all parse_config needs to know.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
  }
  void OnMapEnd() override {}
};

// What load_first_document saw besides the first document. (No YAML::Node member: a Node's assignment
// may throw, which a struct's implicit move assignment must not.)
struct DocumentShape {
  std::optional<YAML::Mark> second_start;
  // A line other than blanks and comments: a null first document is then unreadable, not empty.
  bool has_content = false;
};

bool has_content(const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos && line[first] != '#' && line.compare(first, 3, "---") != 0) return true;
  }
  return false;
}

// The first document, and where a second one starts if there is one. Not YAML::LoadAll: yaml-cpp
// 0.7's LoadAll loops forever, allocating, on some malformed flow maps (its parser keeps reporting a
// new empty document without consuming input; fixed upstream after 0.8). Here the parser is asked
// for at most two documents.
YAML::Node load_first_document(std::istream& in, DocumentShape& out) {
  const std::string text(std::istreambuf_iterator<char>(in), {});
  out.has_content = has_content(text);
  YAML::Node first = YAML::Load(text);
  std::istringstream again(text);
  YAML::Parser parser(again);
  DocumentStarts starts;
  if (parser.HandleNextDocument(starts) && parser.HandleNextDocument(starts) && starts.starts.size() > 1)
    out.second_start = starts.starts[1];
  return first;
}

}  // namespace

AppConfig parse_config(std::istream& in, const std::string& file_name) {
  Issues issues(file_name);
  DocumentShape shape;
  YAML::Node first;
  try {
    first = load_first_document(in, shape);
  } catch (const YAML::Exception& e) {
    issues.add(e.mark, "", "YAML syntax error: " + e.msg);
    throw ConfigError(issues.take());
  }
  YAML::Mark start;  // line 1, column 1
  if (first.IsNull() && shape.has_content) {
    issues.add(start, "", "YAML syntax error: no document could be read (look for an unclosed { or [)");
    throw ConfigError(issues.take());
  }
  if (first.IsNull()) {
    issues.add(start, "",
               "the configuration is empty (expected a map with at least hubspot, database and mappings)");
    throw ConfigError(issues.take());
  }
  if (shape.second_start) {
    issues.add(*shape.second_start, "", "more than one YAML document (expected exactly one)");
    throw ConfigError(issues.take());
  }
  const YAML::Node& document = first;
  if (!document.IsMap()) {
    issues.add(detail::value_mark(document, start), "",
               "expected a map at the top level (hubspot, database, mappings, ...), got " +
                   detail::describe(document));
    throw ConfigError(issues.take());
  }

  AppConfig config;
  config.source_name = file_name;
  MapReader root(issues, document, "", config_section(""), start);
  read_hubspot(root, config.hubspot);
  read_database(root, config.database);
  read_sync(root, config.sync);
  read_mappings(root, config.hubspot, config.mappings);
  read_associations(root, config.associations);
  read_metrics(root, config.metrics);
  read_logging(root, config.logging);
  read_webhooks(root, config.webhooks);
  if (!issues.empty()) throw ConfigError(issues.take());
  return config;
}

AppConfig load_config_file(const std::string& path) {
  auto fail = [&](std::string message) {
    ConfigIssue issue;
    issue.file = path;
    issue.message = std::move(message);
    throw ConfigError({std::move(issue)});
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail("cannot read configuration file: it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(std::string("cannot open configuration file: ") + std::strerror(errno));
  return parse_config(in, path);
}

}  // namespace leadsync::config
