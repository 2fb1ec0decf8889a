#pragma once
// The HubSpot API version the client speaks. HubSpot moved from /crm/v3 + /crm/v4 paths to date-based
// versions (a new one every March and September, the date a path segment: /crm/objects/2026-03/leads);
// legacy keeps the old paths for portals that still need them. Only routes.cpp turns this into paths.
#include <string_view>

namespace leadsync::hubspot {

enum class ApiVersion {
  v2026_03,  // the default
  v2026_09,  // batch errors inline (200/201 with numErrors), portal validation rules enforced on writes
  legacy,    // /crm/v3/objects, /crm/v4/associations, /crm/v3/properties, /crm/v3/pipelines
};

// "2026-03", "2026-09", "legacy".
constexpr std::string_view to_string(ApiVersion v) noexcept {
  switch (v) {
    case ApiVersion::v2026_03:
      return "2026-03";
    case ApiVersion::v2026_09:
      return "2026-09";
    case ApiVersion::legacy:
      return "legacy";
  }
  return "?";
}

constexpr bool is_dated(ApiVersion v) noexcept {
  return v != ApiVersion::legacy;
}

}  // namespace leadsync::hubspot
