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

core::SyncMapping to_mapping(const config::AppConfig& cfg);
core::EngineOptions to_engine_options(const config::AppConfig& cfg);
http::TransportOptions to_transport_options(const config::AppConfig& cfg);
hubspot::RateLimitOptions to_rate_limit_options(const config::AppConfig& cfg);
hubspot::ClientOptions to_client_options(const config::AppConfig& cfg);
hubspot::ApiVersion to_api_version(config::ApiVersion v);

}  // namespace leadsync::daemon
