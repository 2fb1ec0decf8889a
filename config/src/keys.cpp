#include "leadsync/config/keys.hpp"

#include <algorithm>
#include <stdexcept>

namespace leadsync::config {

namespace {

// A key's value, reached from AppConfig through a chain of members (&AppConfig::sync, &SyncConfig::debounce).
template <auto... Members>
bool differs(const AppConfig& a, const AppConfig& b) {
  return !((a.*....*Members) == (b.*....*Members));
}

// A key of the optional oauth section: absent on one side and present on the other counts as a change of
// hubspot.oauth, not of each of its keys.
template <auto Member>
bool oauth_differs(const AppConfig& a, const AppConfig& b) {
  return a.hubspot.oauth && b.hubspot.oauth && !((*a.hubspot.oauth).*Member == (*b.hubspot.oauth).*Member);
}

bool oauth_presence_differs(const AppConfig& a, const AppConfig& b) {
  return a.hubspot.oauth.has_value() != b.hubspot.oauth.has_value();
}

// `table: schema.table` fills two fields.
bool table_differs(const AppConfig& a, const AppConfig& b) {
  return a.database.schema != b.database.schema || a.database.table != b.database.table;
}

// `listen: host:port` fills two fields.
bool listen_differs(const AppConfig& a, const AppConfig& b) {
  return a.metrics.listen_host != b.metrics.listen_host || a.metrics.listen_port != b.metrics.listen_port;
}

using K = KeyType;
constexpr std::int64_t kOneSecond = 1000;

constexpr KeySpec kRoot[] = {
    {.name = "hubspot", .type = K::section},
    {.name = "database", .type = K::section},
    {.name = "sync", .type = K::section},
    {.name = "mappings", .type = K::list, .differs = &differs<&AppConfig::mappings>},
    {.name = "associations", .type = K::list, .differs = &differs<&AppConfig::associations>},
    {.name = "metrics", .type = K::section},
    {.name = "logging", .type = K::section},
    {.name = "webhooks", .type = K::section},
};

constexpr KeySpec kHubspot[] = {
    {.name = "base_url",
     .type = K::url,
     .default_text = "https://api.hubapi.com",
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::base_url>},
    // Live: a reload builds a new HubSpotClient anyway (the client is cheap; connections are kept).
    {.name = "api_version",
     .type = K::enumeration,
     .default_text = "2026-03",
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::api_version>},
    {.name = "access_token_env",
     .type = K::env_name,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::access_token_env>},
    {.name = "access_token_file",
     .type = K::file_path,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::access_token_file>},
    {.name = "oauth", .type = K::section, .differs = &oauth_presence_differs},
    {.name = "ca_file",
     .type = K::file_path,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::ca_file>},
    {.name = "unique_key_property",
     .type = K::string,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::unique_key_property>},
    {.name = "create_unique_key_property",
     .type = K::boolean,
     .default_text = "true",
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::create_unique_key_property>},
    {.name = "rate_limit", .type = K::section},
    {.name = "timeouts", .type = K::section},
    {.name = "retry", .type = K::section},
    {.name = "max_response_mb",
     .type = K::integer,
     .default_text = "64",
     .min = 1,
     .max = 1024,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::max_response_mb>},
};

constexpr KeySpec kOAuth[] = {
    {.name = "client_id", .type = K::string, .differs = &oauth_differs<&OAuthConfig::client_id>},
    {.name = "client_secret_env",
     .type = K::env_name,
     .differs = &oauth_differs<&OAuthConfig::client_secret_env>},
    {.name = "client_secret_file",
     .type = K::file_path,
     .differs = &oauth_differs<&OAuthConfig::client_secret_file>},
    {.name = "refresh_token_env",
     .type = K::env_name,
     .differs = &oauth_differs<&OAuthConfig::refresh_token_env>},
    {.name = "refresh_token_file",
     .type = K::file_path,
     .differs = &oauth_differs<&OAuthConfig::refresh_token_file>},
    {.name = "token_path", .type = K::string, .differs = &oauth_differs<&OAuthConfig::token_path>},
};

constexpr KeySpec kRateLimit[] = {
    {.name = "enabled",
     .type = K::boolean,
     .default_text = "true",
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::rate_limit, &RateLimitConfig::enabled>},
    {.name = "requests_per_10s",
     .type = K::integer,
     .default_text = "100",
     .min = 1,
     .max = 1000,
     .differs =
         &differs<&AppConfig::hubspot, &HubspotConfig::rate_limit, &RateLimitConfig::requests_per_10s>},
    {.name = "search_per_second",
     .type = K::integer,
     .default_text = "5",
     .min = 1,
     .max = 100,
     .differs =
         &differs<&AppConfig::hubspot, &HubspotConfig::rate_limit, &RateLimitConfig::search_per_second>},
    {.name = "daily",
     .type = K::integer,
     .default_text = "250000",
     .min = 0,
     .max = 100'000'000,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::rate_limit, &RateLimitConfig::daily>},
    {.name = "daily_reserve",
     .type = K::integer,
     .default_text = "0",
     .min = 0,
     .max = 100'000'000,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::rate_limit, &RateLimitConfig::daily_reserve>},
    {.name = "daily_share",
     .type = K::percent,
     .default_text = "20%",
     .min = 1,
     .max = 100,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::rate_limit, &RateLimitConfig::daily_share>},
};

constexpr KeySpec kTimeouts[] = {
    {.name = "connect",
     .type = K::duration,
     .default_text = "10s",
     .min = 1,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::timeouts, &TimeoutConfig::connect>},
    {.name = "request",
     .type = K::duration,
     .default_text = "1m",
     .min = 1,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::timeouts, &TimeoutConfig::request>},
};

constexpr KeySpec kRetry[] = {
    {.name = "max_attempts",
     .type = K::integer,
     .default_text = "6",
     .min = 1,
     .max = 100,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::retry, &RetryConfig::max_attempts>},
    {.name = "initial_backoff",
     .type = K::duration,
     .default_text = "500ms",
     .min = 1,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::retry, &RetryConfig::initial_backoff>},
    {.name = "max_backoff",
     .type = K::duration,
     .default_text = "1m",
     .min = 1,
     .differs = &differs<&AppConfig::hubspot, &HubspotConfig::retry, &RetryConfig::max_backoff>},
};

// The database connection and table are fixed for the life of the process: the change listener, the
// leader lock and the schema checks are bound to them.
constexpr KeySpec kDatabase[] = {
    {.name = "dsn_env",
     .type = K::env_name,
     .reload = Reload::restart,
     .differs = &differs<&AppConfig::database, &DatabaseConfig::dsn_env>},
    {.name = "dsn_file",
     .type = K::file_path,
     .reload = Reload::restart,
     .differs = &differs<&AppConfig::database, &DatabaseConfig::dsn_file>},
    {.name = "dsn",
     .type = K::string,
     .reload = Reload::restart,
     .differs = &differs<&AppConfig::database, &DatabaseConfig::dsn>},
    {.name = "table",
     .type = K::string,
     .default_text = "hubspot_leads",
     .reload = Reload::restart,
     .differs = &table_differs},
};

constexpr KeySpec kSync[] = {
    {.name = "interval",
     .type = K::duration,
     .default_text = "1m",
     .min = kOneSecond,
     .differs = &differs<&AppConfig::sync, &SyncConfig::interval>},
    {.name = "full_sweep_interval",
     .type = K::duration,
     .default_text = "24h",
     .min = 1,
     .differs = &differs<&AppConfig::sync, &SyncConfig::full_sweep_interval>},
    {.name = "association_sweep_interval",
     .type = K::duration,
     .default_text = "1h",
     .min = 1,
     .differs = &differs<&AppConfig::sync, &SyncConfig::association_sweep_interval>},
    {.name = "search_lookback",
     .type = K::duration,
     .default_text = "1m",
     .min = 1,
     .differs = &differs<&AppConfig::sync, &SyncConfig::search_lookback>},
    {.name = "debounce",
     .type = K::duration,
     .default_text = "500ms",
     .min = 0,
     .differs = &differs<&AppConfig::sync, &SyncConfig::debounce>},
    {.name = "conflict_policy",
     .type = K::enumeration,
     .default_text = "newest_wins",
     .differs = &differs<&AppConfig::sync, &SyncConfig::conflict_policy>},
    {.name = "on_remote_delete",
     .type = K::enumeration,
     .default_text = "archive",
     .differs = &differs<&AppConfig::sync, &SyncConfig::on_remote_delete>},
    {.name = "batch_size",
     .type = K::integer,
     .default_text = "100",
     .min = 1,
     .max = 100,
     .differs = &differs<&AppConfig::sync, &SyncConfig::batch_size>},
    {.name = "max_push_attempts",
     .type = K::integer,
     .default_text = "10",
     .min = 1,
     .max = 1000,
     .differs = &differs<&AppConfig::sync, &SyncConfig::max_push_attempts>},
};

constexpr KeySpec kMapping[] = {
    {.name = "property", .type = K::string},
    {.name = "column", .type = K::string},
    {.name = "type", .type = K::enumeration, .default_text = "string"},
    {.name = "direction", .type = K::enumeration, .default_text = "both"},
};

constexpr KeySpec kAssociation[] = {
    {.name = "to_object_type", .type = K::string},
    {.name = "association_type_ids", .type = K::list},
};

// The metrics listener is bound once at start.
constexpr KeySpec kMetrics[] = {
    {.name = "enabled",
     .type = K::boolean,
     .default_text = "true",
     .reload = Reload::restart,
     .differs = &differs<&AppConfig::metrics, &MetricsConfig::enabled>},
    {.name = "listen",
     .type = K::host_port,
     .default_text = "127.0.0.1:9464",
     .reload = Reload::restart,
     .differs = &listen_differs},
};

constexpr KeySpec kLogging[] = {
    {.name = "level",
     .type = K::enumeration,
     .default_text = "info",
     .differs = &differs<&AppConfig::logging, &LoggingConfig::level>},
    {.name = "format",
     .type = K::enumeration,
     .default_text = "text",
     .differs = &differs<&AppConfig::logging, &LoggingConfig::format>},
};

// The receiver's listener is bound once at start, with the secret read then.
template <auto Member>
constexpr KeySpec webhook_key(std::string_view name, KeyType type, std::string_view default_text = {},
                              std::int64_t min = 0, std::int64_t max = 0) {
  return {.name = name,
          .type = type,
          .default_text = default_text,
          .min = min,
          .max = max,
          .reload = Reload::restart,
          .differs = &differs<&AppConfig::webhooks, Member>};
}
bool webhook_listen_differs(const AppConfig& a, const AppConfig& b) {
  return a.webhooks.listen_host != b.webhooks.listen_host || a.webhooks.listen_port != b.webhooks.listen_port;
}
constexpr std::int64_t kMaxHubspotId = 9'007'199'254'740'991;  // 2^53 - 1: JSON numbers stay exact
constexpr KeySpec kWebhooks[] = {
    webhook_key<&WebhooksConfig::enabled>("enabled", K::boolean, "false"),
    {.name = "listen",
     .type = K::host_port,
     .default_text = "127.0.0.1:9465",
     .reload = Reload::restart,
     .differs = &webhook_listen_differs},
    webhook_key<&WebhooksConfig::path>("path", K::string, "/hubspot/webhooks"),
    webhook_key<&WebhooksConfig::public_url>("public_url", K::string),
    webhook_key<&WebhooksConfig::client_secret_env>("client_secret_env", K::env_name),
    webhook_key<&WebhooksConfig::client_secret_file>("client_secret_file", K::file_path),
    webhook_key<&WebhooksConfig::app_id>("app_id", K::integer, {}, 1, kMaxHubspotId),
    webhook_key<&WebhooksConfig::portal_id>("portal_id", K::integer, {}, 1, kMaxHubspotId),
    // The engine and the scheduler are rebuilt on a reload: these two take effect live.
    {.name = "safety_interval",
     .type = K::duration,
     .default_text = "15m",
     .min = kOneSecond,
     .differs = &differs<&AppConfig::webhooks, &WebhooksConfig::safety_interval>},
    {.name = "retention",
     .type = K::duration,
     .default_text = "7d",
     .min = kOneSecond,
     .differs = &differs<&AppConfig::webhooks, &WebhooksConfig::retention>},
    // Loaded once by the listener at start, like the secret.
    webhook_key<&WebhooksConfig::cert_file>("cert_file", K::file_path),
    webhook_key<&WebhooksConfig::key_file>("key_file", K::file_path),
};

constexpr SectionSpec kSections[] = {
    {"", kRoot},
    {"hubspot", kHubspot},
    {"hubspot.oauth", kOAuth},
    {"hubspot.rate_limit", kRateLimit},
    {"hubspot.timeouts", kTimeouts},
    {"hubspot.retry", kRetry},
    {"database", kDatabase},
    {"sync", kSync},
    {"mappings[]", kMapping},
    {"associations[]", kAssociation},
    {"metrics", kMetrics},
    {"logging", kLogging},
    {"webhooks", kWebhooks},
};

}  // namespace

const KeySpec* SectionSpec::find(std::string_view name) const noexcept {
  auto it = std::find_if(keys.begin(), keys.end(), [&](const KeySpec& k) { return k.name == name; });
  return it == keys.end() ? nullptr : &*it;
}

std::string SectionSpec::key_path(std::string_view name) const {
  return path.empty() ? std::string(name) : std::string(path) + "." + std::string(name);
}

std::span<const SectionSpec> config_sections() noexcept {
  return kSections;
}

const SectionSpec& config_section(std::string_view path) {
  for (const SectionSpec& s : kSections)
    if (s.path == path) return s;
  throw std::logic_error("no configuration section \"" + std::string(path) + "\" in the key table");
}

namespace {

// Depth first, in declaration order: a section's keys right after the key that opens it.
template <typename Visit>
void for_each_key(const SectionSpec& section, const Visit& visit) {
  for (const KeySpec& key : section.keys) {
    visit(section, key);
    if (key.type == KeyType::section) for_each_key(config_section(section.key_path(key.name)), visit);
  }
}

std::vector<std::string> differing_keys(const AppConfig& a, const AppConfig& b, bool restart_only) {
  std::vector<std::string> out;
  for_each_key(config_section(""), [&](const SectionSpec& section, const KeySpec& key) {
    if (restart_only && key.reload != Reload::restart) return;
    if (key.differs && key.differs(a, b)) out.push_back(section.key_path(key.name));
  });
  return out;
}

}  // namespace

std::vector<std::string> changed_keys(const AppConfig& a, const AppConfig& b) {
  return differing_keys(a, b, false);
}

std::vector<std::string> changed_sections(const AppConfig& a, const AppConfig& b) {
  std::vector<std::string> out;
  for (const std::string& key : changed_keys(a, b)) {
    std::string top = key.substr(0, key.find('.'));
    if (std::find(out.begin(), out.end(), top) == out.end()) out.push_back(std::move(top));
  }
  return out;
}

std::vector<std::string> non_reloadable_differences(const AppConfig& old_config,
                                                    const AppConfig& new_config) {
  return differing_keys(old_config, new_config, true);
}

}  // namespace leadsync::config
