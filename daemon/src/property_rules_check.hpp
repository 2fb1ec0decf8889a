#pragma once
// --check-config --online: the portal's property validation rules against what leadsync writes.
// HubSpot refuses a write that breaks a rule (a record error: that row goes FAILED, the rest of its batch
// syncs), and leadsync does not evaluate rules locally, so every rule on a property leadsync pushes is a
// warning that names it. The unique key property is different: leadsync writes a UUID there on every
// create, so a rule no UUID can satisfy (too short a MAX_LENGTH, NUMERIC_ONLY, ...) would refuse every
// create; that is a failure. Rules on pull-only properties do not concern leadsync.
// Pure; unit-tested. Thread-safety: none needed.
#include <string>
#include <vector>

#include "leadsync/config/app_config.hpp"
#include "leadsync/hubspot/lead_types.hpp"
#include "online_check.hpp"

namespace leadsync::daemon {

// "MAX_LENGTH 10 (at most 10 characters)"; unknown rule types as "TYPE arg, arg".
std::string describe_rule(const hubspot::PropertyValidationRule& rule);

enum class RuleVerdict { satisfied, broken, unknown };
// Whether every value leadsync writes to the unique key property (a lower-case UUID, 36 characters with
// hyphens) satisfies the rule; unknown where leadsync cannot tell (patterns, rule types it does not know).
RuleVerdict uuid_verdict(const hubspot::PropertyValidationRule& rule);

std::vector<CheckItem> check_validation_rules(const config::AppConfig& cfg,
                                              const std::vector<hubspot::PropertyValidation>& validations);

}  // namespace leadsync::daemon
