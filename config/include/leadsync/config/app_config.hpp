#pragma once
// The daemon's configuration: typed structs with their defaults (the schema), and the YAML loader that
// fills them with strict validation (unknown keys, wrong types, unsafe SQL identifiers, out-of-range
// values are all errors, reported together). Secrets are not part of AppConfig: it only names where they
// come from (an environment variable or a file); see secrets.hpp.
// These enums are config's own; daemon/ translates them into the modules' option types.
// Throws ConfigError (config_error.hpp) from load_config_file / parse_config.
// Thread-safety: plain values; the functions are reentrant.
#include <chrono>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace leadsync::config {

using std::chrono::milliseconds;

enum class PropertyType { string, number, boolean, date, datetime, enumeration };  // YAML: "bool" = boolean
enum class Direction { both, pull, push };
enum class ConflictPolicy { remote_wins, local_wins, newest_wins, manual };
enum class RemoteDeletePolicy { archive, remove };  // YAML: archive | delete
enum class LogLevel { trace, debug, info, warn, error };
enum class LogFormat { text, json };
// Which HubSpot API paths the client calls. YAML: 2026-03 | 2026-09 | legacy (/crm/v3 and /crm/v4).
enum class ApiVersion { v2026_03, v2026_09, legacy };

// The YAML spelling of each value.
const char* to_string(PropertyType v) noexcept;
const char* to_string(Direction v) noexcept;
const char* to_string(ConflictPolicy v) noexcept;
const char* to_string(RemoteDeletePolicy v) noexcept;
const char* to_string(LogLevel v) noexcept;
const char* to_string(LogFormat v) noexcept;
const char* to_string(ApiVersion v) noexcept;

struct OAuthConfig {
  std::string client_id;                          // required
  std::optional<std::string> client_secret_env;   // exactly one of client_secret_env | client_secret_file
  std::optional<std::string> client_secret_file;  // absolute path
  std::optional<std::string> refresh_token_env;   // exactly one of refresh_token_env | refresh_token_file
  std::optional<std::string> refresh_token_file;  // absolute path
  // POSTed to on base_url. Unset: the HubSpot client's own token endpoint, so the path lives in one place
  // (the client) and moves with it.
  std::optional<std::string> token_path;

  bool operator==(const OAuthConfig&) const = default;
};

struct RateLimitConfig {
  bool enabled = true;         // false: no client-side limiting at all (benchmarks against fake-hubspot only)
  int requests_per_10s = 100;  // 1..1000, the ten-secondly bucket
  int search_per_second = 5;   // 1..100, the search endpoint's own limit
  std::int64_t daily = 250000;     // 0..100000000; 0 = no daily budget (public OAuth apps)
  std::int64_t daily_reserve = 0;  // calls of the daily budget left for other integrations; < daily
  int daily_share = 20;  // 1..100: percent of `daily` leadsync's background sweeps are planned to fit in

  bool operator==(const RateLimitConfig&) const = default;
};

struct TimeoutConfig {
  milliseconds connect{10'000};
  milliseconds request{60'000};

  bool operator==(const TimeoutConfig&) const = default;
};

struct RetryConfig {
  int max_attempts = 6;  // 1..100, including the first attempt
  milliseconds initial_backoff{500};
  milliseconds max_backoff{60'000};  // >= initial_backoff

  bool operator==(const RetryConfig&) const = default;
};

struct HubspotConfig {
  // scheme://host[:port], no path; http:// only for loopback hosts. Normalised (no trailing slash).
  std::string base_url = "https://api.hubapi.com";
  ApiVersion api_version = ApiVersion::v2026_03;
  // Exactly one token source: access_token_env | access_token_file | oauth.
  std::optional<std::string> access_token_env;
  std::optional<std::string> access_token_file;  // absolute path (systemd LoadCredential)
  std::optional<OAuthConfig> oauth;
  std::optional<std::string> ca_file;              // extra CA bundle, absolute path
  std::optional<std::string> unique_key_property;  // [a-z0-9_]+; holds the row's sync_key in HubSpot
  bool create_unique_key_property = true;          // create it in HubSpot when missing
  RateLimitConfig rate_limit;
  TimeoutConfig timeouts;
  RetryConfig retry;
  int max_response_mb = 64;  // 1..1024

  bool operator==(const HubspotConfig&) const = default;
};

struct DatabaseConfig {
  // Exactly one DSN source. An inline dsn must not contain a password.
  std::optional<std::string> dsn_env;
  std::optional<std::string> dsn_file;  // absolute path
  std::optional<std::string> dsn;
  // From `table: schema.table` or `table: table` (schema public); both safe identifiers.
  std::string schema = "public";
  std::string table = "hubspot_leads";

  std::string qualified_table() const { return schema + "." + table; }
  bool operator==(const DatabaseConfig&) const = default;
};

struct SyncConfig {
  milliseconds interval{60'000};                       // >= 1s
  milliseconds full_sweep_interval{86'400'000};        // > 0; an upper bound, see rate_limit.daily_share
  milliseconds association_sweep_interval{3'600'000};  // > 0; an upper bound, see rate_limit.daily_share
  milliseconds search_lookback{60'000};                // > 0: overlap of incremental searches
  milliseconds debounce{500};                          // >= 0: wait after a NOTIFY before pushing
  ConflictPolicy conflict_policy = ConflictPolicy::newest_wins;
  RemoteDeletePolicy on_remote_delete = RemoteDeletePolicy::archive;
  int batch_size = 100;        // 1..100 (HubSpot's batch limit)
  int max_push_attempts = 10;  // 1..1000 transient failures before a change is marked FAILED

  bool operator==(const SyncConfig&) const = default;
};

struct MappingConfig {
  std::string property;  // HubSpot internal name, [a-z0-9_]+
  std::string column;    // safe SQL identifier, not a bookkeeping column
  PropertyType type = PropertyType::string;
  Direction direction = Direction::both;

  bool operator==(const MappingConfig&) const = default;
};

struct AssociationConfig {
  std::string to_object_type;             // contacts, companies, ...
  std::vector<int> association_type_ids;  // positive, at least one

  bool operator==(const AssociationConfig&) const = default;
};

struct MetricsConfig {
  bool enabled = true;
  std::string listen_host = "127.0.0.1";  // from `listen: host:port` ([::1]:9464 for IPv6)
  std::uint16_t listen_port = 9464;       // 0 = any free port

  bool operator==(const MetricsConfig&) const = default;
};

// The receiver of HubSpot's webhook POSTs (its own listener). When enabled, public_url, portal_id and
// exactly one client secret source are required. Native TLS takes cert_file and key_file together; with
// them the listener speaks HTTPS only, so public_url must be https://.
struct WebhooksConfig {
  bool enabled = false;
  std::string listen_host = "127.0.0.1";  // from `listen: host:port`
  std::uint16_t listen_port = 9465;       // 0 = any free port
  std::string path = "/hubspot/webhooks";
  std::string public_url;  // the exact URL HubSpot calls (the signature covers it)
  std::optional<std::string> client_secret_env;
  std::optional<std::string> client_secret_file;  // absolute path
  std::optional<std::int64_t> app_id;             // when set, events of another app are refused
  std::int64_t portal_id = 0;                     // events of another portal are refused
  std::optional<std::string> cert_file;           // absolute path: PEM chain, server certificate first
  std::optional<std::string> key_file;            // absolute path: PEM private key of that certificate
  // With the receiver on, the poll is only the safety net: incremental search at most this often.
  std::chrono::milliseconds safety_interval{15 * 60'000};
  std::chrono::milliseconds retention{7 * 86'400'000LL};  // applied events are kept this long

  bool operator==(const WebhooksConfig&) const = default;
};

struct LoggingConfig {
  LogLevel level = LogLevel::info;
  LogFormat format = LogFormat::text;

  bool operator==(const LoggingConfig&) const = default;
};

struct AppConfig {
  std::string source_name;  // the file name used in messages (as given to parse_config)
  HubspotConfig hubspot;
  DatabaseConfig database;
  SyncConfig sync;
  std::vector<MappingConfig> mappings;  // at least one; hs_lead_name mapped
  std::vector<AssociationConfig> associations;
  MetricsConfig metrics;
  LoggingConfig logging;
  WebhooksConfig webhooks;

  bool operator==(const AppConfig&) const = default;
};

// Reads and validates a YAML file. Throws ConfigError (a missing or unreadable file is one issue naming it).
AppConfig load_config_file(const std::string& path);
// Parses and validates YAML from a stream; file_name is used in messages. Throws ConfigError.
AppConfig parse_config(std::istream& in, const std::string& file_name);

// Key paths that differ between two configs but cannot change while the daemon runs (a SIGHUP reload
// must be refused when this is non-empty): the keys declared Reload::restart in keys.hpp (database.*,
// metrics.*). Empty when a reload may proceed.
std::vector<std::string> non_reloadable_differences(const AppConfig& old_config, const AppConfig& new_config);

}  // namespace leadsync::config
