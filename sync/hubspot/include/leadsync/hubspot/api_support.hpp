#pragma once
// How long HubSpot supports each API version leadsync speaks, for the operator's warnings (--status,
// --check-config --online, the daemon's daily log line).
//
// HubSpot's rule for date versions: current for six months after release, supported (critical fixes) until
// 18 months after it, then unsupported. No end date has been announced for 2026-03 or 2026-09, so theirs are
// computed from that rule and marked estimated. For legacy the earliest announced date counts: the v4
// association paths leadsync uses there are unsupported from 2027-03-30 (v1-v3 from September 2027).
// "Unsupported" means no fixes and no stability promise, not necessarily errors. Pure functions.
#include <chrono>
#include <optional>
#include <string>

#include "leadsync/hubspot/api_version.hpp"

namespace leadsync::hubspot {

struct ApiSupport {
  std::chrono::sys_days end;  // first day HubSpot no longer supports the version
  bool estimated = false;     // computed from HubSpot's 18-month rule, not announced
};

ApiSupport api_support(ApiVersion v) noexcept;

// Warnings start this long before the end of support.
inline constexpr std::chrono::days kSupportWarningLead{183};

// "2027-09-30"
std::string iso_date(std::chrono::sys_days d);

// Nothing before kSupportWarningLead ahead of the end; then a sentence saying what to do.
std::optional<std::string> api_support_warning(ApiVersion v, std::chrono::sys_days today);

}  // namespace leadsync::hubspot
