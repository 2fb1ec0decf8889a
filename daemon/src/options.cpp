#include "options.hpp"

namespace leadsync::daemon {

namespace {

core::PropertyType to_core(config::PropertyType t) {
  switch (t) {
    case config::PropertyType::string:
      return core::PropertyType::string;
    case config::PropertyType::number:
      return core::PropertyType::number;
    case config::PropertyType::boolean:
      return core::PropertyType::boolean;
    case config::PropertyType::date:
      return core::PropertyType::date;
    case config::PropertyType::datetime:
      return core::PropertyType::datetime;
    case config::PropertyType::enumeration:
      return core::PropertyType::enumeration;
  }
  return core::PropertyType::string;
}

core::Direction to_core(config::Direction d) {
  switch (d) {
    case config::Direction::both:
      return core::Direction::both;
    case config::Direction::pull:
      return core::Direction::pull;
    case config::Direction::push:
      return core::Direction::push;
  }
  return core::Direction::both;
}

core::ConflictPolicy to_core(config::ConflictPolicy p) {
  switch (p) {
    case config::ConflictPolicy::remote_wins:
      return core::ConflictPolicy::remote_wins;
    case config::ConflictPolicy::local_wins:
      return core::ConflictPolicy::local_wins;
    case config::ConflictPolicy::newest_wins:
      return core::ConflictPolicy::newest_wins;
    case config::ConflictPolicy::manual:
      return core::ConflictPolicy::manual;
  }
  return core::ConflictPolicy::newest_wins;
}

}  // namespace

core::SyncMapping to_mapping(const config::AppConfig& cfg) {
  core::SyncMapping m;
  m.schema = cfg.database.schema;
  m.table = cfg.database.table;
  for (const auto& p : cfg.mappings)
    m.properties.push_back({p.property, p.column, to_core(p.type), to_core(p.direction)});
  for (const auto& a : cfg.associations) m.associations.push_back({a.to_object_type, a.association_type_ids});
  m.unique_key_property = cfg.hubspot.unique_key_property;
  return m;
}

PollSchedule poll_schedule(const config::AppConfig& cfg, bool rely_on_webhooks) {
  PollSchedule s{cfg.sync.interval, cfg.sync.full_sweep_interval, cfg.sync.association_sweep_interval};
  if (!rely_on_webhooks) return s;
  s.interval = std::max(s.interval, cfg.webhooks.safety_interval);
  s.association_sweep_interval = std::max(s.association_sweep_interval, kAssociationSweepWithWebhooks);
  s.full_sweep_interval = std::max(s.full_sweep_interval, kFullSweepWithWebhooks);
  return s;
}

core::EngineOptions to_engine_options(const config::AppConfig& cfg) {
  core::EngineOptions o;
  o.mapping = to_mapping(cfg);
  o.policy.conflict_policy = to_core(cfg.sync.conflict_policy);
  o.policy.on_remote_delete = cfg.sync.on_remote_delete == config::RemoteDeletePolicy::archive
                                  ? core::RemoteDeletePolicy::archive
                                  : core::RemoteDeletePolicy::remove;
  o.search_lookback = cfg.sync.search_lookback;
  o.full_sweep_interval = poll_schedule(cfg, cfg.webhooks.enabled).full_sweep_interval;
  o.association_sweep_interval = poll_schedule(cfg, cfg.webhooks.enabled).association_sweep_interval;
  o.batch_size = static_cast<std::size_t>(cfg.sync.batch_size);
  o.max_push_attempts = cfg.sync.max_push_attempts;
  o.apply_events = cfg.webhooks.enabled;
  o.event_retention = cfg.webhooks.retention;
  return o;
}

http::TransportOptions to_transport_options(const config::AppConfig& cfg) {
  http::TransportOptions o;
  o.base_url = cfg.hubspot.base_url;
  o.ca_file = cfg.hubspot.ca_file;
  o.connect_timeout = cfg.hubspot.timeouts.connect;
  o.tls_handshake_timeout = cfg.hubspot.timeouts.connect;
  o.request_timeout = cfg.hubspot.timeouts.request;
  o.io_timeout = cfg.hubspot.timeouts.request;
  o.max_response_bytes = static_cast<std::size_t>(cfg.hubspot.max_response_mb) << 20;
  o.user_agent = std::string("leadsync/") + LEADSYNC_VERSION;
  return o;
}

hubspot::RateLimitOptions to_rate_limit_options(const config::AppConfig& cfg) {
  hubspot::RateLimitOptions o;
  o.enabled = cfg.hubspot.rate_limit.enabled;
  o.requests_per_10s = cfg.hubspot.rate_limit.requests_per_10s;
  o.search_per_second = cfg.hubspot.rate_limit.search_per_second;
  o.daily = cfg.hubspot.rate_limit.daily > 0
                ? cfg.hubspot.rate_limit.daily - cfg.hubspot.rate_limit.daily_reserve
                : 0;
  return o;
}

hubspot::ClientOptions to_client_options(const config::AppConfig& cfg) {
  hubspot::ClientOptions o;
  o.retry.max_attempts = cfg.hubspot.retry.max_attempts;
  o.retry.initial_backoff = cfg.hubspot.retry.initial_backoff;
  o.retry.max_backoff = cfg.hubspot.retry.max_backoff;
  o.unique_key_property = cfg.hubspot.unique_key_property;
  o.api_version = to_api_version(cfg.hubspot.api_version);
  return o;
}

hubspot::ApiVersion to_api_version(config::ApiVersion v) {
  switch (v) {
    case config::ApiVersion::v2026_03:
      return hubspot::ApiVersion::v2026_03;
    case config::ApiVersion::v2026_09:
      return hubspot::ApiVersion::v2026_09;
    case config::ApiVersion::legacy:
      return hubspot::ApiVersion::legacy;
  }
  return hubspot::ApiVersion::v2026_03;
}

}  // namespace leadsync::daemon
