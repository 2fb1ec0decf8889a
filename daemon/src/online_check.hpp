#pragma once
// --check-config --online: checks a valid configuration against the real systems without changing either.
//   PostgreSQL (read-only, db::inspect_schema): reachable, migrations applied or pending, the table and
//     <table>_associations present and fitting the mapping, columns and triggers still to be added.
//   HubSpot (properties and association-label APIs): every mapped property exists, its type fits the
//     mapping type, it is writable when the mapping pushes (direction push or both), the unique key
//     property exists with unique values (or will be created), the association type ids exist, and the
//     portal's property validation rules on what leadsync writes (property_rules_check.hpp).
// Exit code: 78 when something only the operator can fix was found, else 69 when a system could not be
// reached or refused the credentials, else 0 (warnings do not fail).
// check_properties is pure (unit-tested). Thread-safety: main thread only.
#include <string>
#include <vector>

#include "cli.hpp"
#include "leadsync/config/app_config.hpp"
#include "leadsync/hubspot/lead_types.hpp"

namespace leadsync::daemon {

class Runtime;

struct CheckItem {
  enum class Status { ok, warn, fail };
  Status status = Status::ok;
  std::string area;   // "postgresql" | "hubspot"
  std::string check;  // short name, e.g. "property hs_lead_name"
  std::string detail;
};

struct CheckReport {
  std::vector<CheckItem> items;
  bool unreachable = false;  // a system could not be reached, or refused the credentials
  int exit_code() const;
};

// Mapping vs HubSpot's lead property definitions.
std::vector<CheckItem> check_properties(const config::AppConfig& cfg,
                                        const std::vector<hubspot::PropertyDefinition>& properties);

CheckReport run_online_check(Runtime& runtime);
void print_check_report(const std::string& config_path, const config::AppConfig& cfg,
                        const CheckReport& report, OutputFormat format);

}  // namespace leadsync::daemon
