// HubSpotClient: deprecation notices in response headers (deprecation_notice.hpp).
#include <spdlog/spdlog.h>

#include "leadsync/hubspot/client.hpp"

namespace leadsync::hubspot {

void HubSpotClient::note_deprecation(const http::Response& response) {
  const DeprecationHeaders headers = parse_deprecation_headers(response.headers);
  // Notes quote escaped, bounded prefixes only: a hostile server cannot write into the log.
  for (const auto& n : headers.ignored) spdlog::debug("HubSpot response: {}", n);
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  auto update = deprecations_.observe(options_.api_version, headers, now);
  if (!update) return;
  if (update->log) spdlog::warn("{}", describe_deprecation(options_.api_version, update->notice));
  observer_.on_deprecation_notice(options_.api_version, update->notice);
}

}  // namespace leadsync::hubspot
