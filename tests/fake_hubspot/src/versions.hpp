#pragma once
// HubSpot's API versions as fake-hubspot tells them apart, the per-version response shapes that
// /_fake/config can switch (where HubSpot's behaviour is not confirmed, so clients can be tested
// against every plausible form), and the 2026-09 write-validation rules a portal admin configures
// (conditional required properties, properties required on create).
// Plain data and pure functions; parse_* throw std::invalid_argument naming the bad field.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace leadsync::fake_hubspot {

// legacy = /crm/v3, /crm/v4, /oauth/v1. Date versions from 2026-09 on (2026-09-beta, 2027-03, ...)
// behave as 2026-09; dates before 2026-03 do not exist.
enum class ApiVersion { legacy, v2026_03, v2026_09 };

// A path segment "2026-03" / "2026-09-beta" / "2027-03"; nullopt when it is not a date version
// HubSpot serves.
std::optional<ApiVersion> parse_api_version(std::string_view segment);
bool is_dated(ApiVersion v);

enum class WriteRuleKind {
  conditional_required,  // `property` is required when `if_property` has the value `if_value`
  required_on_create,    // `property` is required when a record is created (the Create Record form)
};

struct WriteRule {
  WriteRuleKind kind = WriteRuleKind::required_on_create;
  std::string property;
  std::string if_property;
  std::string if_value;
};

struct RuleViolation {
  std::string code;  // MISSING_CONDITIONAL_REQUIRED_PROPERTY, MISSING_REQUIRED_PROPERTY
  std::string property;
  std::string message;
};

// Value of a property after the write (the record's current value overlaid with the input);
// nullopt or "" = no value.
using ValueAfterWrite = std::function<std::optional<std::string>(const std::string& name)>;
std::vector<RuleViolation> check_write_rules(const std::vector<WriteRule>& rules, bool creating,
                                             const ValueAfterWrite& value_after);

WriteRule parse_write_rule(const nlohmann::json& j);
nlohmann::ordered_json write_rule_json(const WriteRule& r);

// What /_fake/config can change about the versions (defaults = the forms HubSpot's specs describe).
struct VersionConfig {
  // 2026-09 batch writes/reads with per-input errors: false = 200/201 with numErrors/errors inline
  // (the pre-GA spec), true = 207 as in 2026-03.
  bool multi_status_2026_09 = false;
  // Association batch archive and labels archive in the date versions: false = 200 with a
  // BatchResponse body (the 2026-03 spec), true = 204 as in v4.
  bool archive_no_content_dated = false;
  // Object ids in association responses of the date versions (LabelsBetweenObjectPair, toObjectId):
  // false = JSON numbers (as v4 sends them), true = strings (as every spec declares them).
  bool association_ids_as_strings = false;
  std::vector<WriteRule> write_rules;  // enforced on 2026-09 writes only
  std::int64_t oauth_access_token_ttl_s = 1800;
  bool oauth_rotate_refresh_tokens = false;
};

// Applies the keys of a /_fake/config body that belong to VersionConfig; other keys are left to the
// caller (returned in `rest`). Throws std::invalid_argument on a bad value.
void apply_version_config(const nlohmann::json& body, VersionConfig& config, nlohmann::json& rest);
void version_config_json(const VersionConfig& c, nlohmann::ordered_json& out);

}  // namespace leadsync::fake_hubspot
