#pragma once
// The HubSpot API version the integration suites run leadsync on, from one place: the environment variable
// LEADSYNC_TEST_API_VERSION (2026-03, 2026-09 or legacy), default 2026-03. ctest variants set it to run a
// suite on another version; fixtures that write a leadsync config put it in hubspot.api_version.
#include <cstdlib>
#include <string>

namespace leadsync::testing {

inline std::string test_api_version() {
  const char* v = std::getenv("LEADSYNC_TEST_API_VERSION");
  return v && *v ? std::string(v) : std::string("2026-03");
}

// Where leadsync's lead calls go on `version`: /crm/v3/objects/leads (legacy) or /crm/objects/2026-03/leads.
inline std::string leads_path(const std::string& version) {
  return version == "legacy" ? "/crm/v3/objects/leads" : "/crm/objects/" + version + "/leads";
}

}  // namespace leadsync::testing
