#pragma once
// Helpers shared by the config tests.
#include <sstream>
#include <string>

#include "leadsync/config/app_config.hpp"
#include "leadsync/config/config_error.hpp"

namespace leadsync::config::testing {

inline AppConfig parse(const std::string& yaml, const std::string& name = "test.yaml") {
  std::istringstream in(yaml);
  return parse_config(in, name);
}

// The what() of the ConfigError that parsing yaml throws; "" when it parses (so a test fails readably).
inline std::string parse_error(const std::string& yaml, const std::string& name = "test.yaml") {
  try {
    parse(yaml, name);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// The smallest valid config: only what is required.
inline const std::string kMinimal = R"(hubspot:
  access_token_env: HUBSPOT_ACCESS_TOKEN
database:
  dsn_env: LEADSYNC_DATABASE_URL
mappings:
  - { property: hs_lead_name, column: lead_name }
)";

}  // namespace leadsync::config::testing
