#pragma once
// Translates the YAML configuration (config::AppConfig) into each module's own option types. This is
// the only place that knows both; sync/ and db/ never see config/.
#include "leadsync/config/app_config.hpp"
#include "leadsync/core/engine.hpp"
#include "leadsync/core/mapping.hpp"
#include "leadsync/http/beast_transport.hpp"
#include "leadsync/hubspot/client.hpp"
#include "leadsync/hubspot/rate_limiter.hpp"

namespace leadsync::daemon {

// The poll and sweep intervals in force. With webhooks relied on (enabled, and no change missed lately), the
// poll is only the safety net: the incremental search runs every webhooks.safety_interval (or sync.interval
// when longer), the association sweep at most daily and the full sweep at most weekly, since events bring
// every kind of change (and the safety poll and the daily recycle-bin scan catch what they miss).
struct PollSchedule {
  std::chrono::milliseconds interval, full_sweep_interval, association_sweep_interval;
};
inline constexpr std::chrono::milliseconds kAssociationSweepWithWebhooks{86'400'000};
inline constexpr std::chrono::milliseconds kFullSweepWithWebhooks{7 * 86'400'000LL};
PollSchedule poll_schedule(const config::AppConfig& cfg, bool rely_on_webhooks);

core::SyncMapping to_mapping(const config::AppConfig& cfg);
core::EngineOptions to_engine_options(const config::AppConfig& cfg);
http::TransportOptions to_transport_options(const config::AppConfig& cfg);
hubspot::RateLimitOptions to_rate_limit_options(const config::AppConfig& cfg);
hubspot::ClientOptions to_client_options(const config::AppConfig& cfg);
hubspot::ApiVersion to_api_version(config::ApiVersion v);

}  // namespace leadsync::daemon
