#pragma once
// The daily API budget leadsync shares with a portal's other integrations, and what the configured schedule
// will take of it: for --status, the daemon's budget gauge and its start-up warning.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "leadsync/config/app_config.hpp"
#include "leadsync/core/api_activity.hpp"
#include "leadsync/core/budget_plan.hpp"

namespace leadsync::daemon {

// The API version in use and HubSpot's end of support for it (hubspot/api_support.hpp).
struct ApiVersionNotice {
  std::string version;                 // "2026-03"
  std::string end_of_support;          // "2027-09-30"
  bool estimated = false;              // computed from HubSpot's 18-month rule, not announced
  std::optional<std::string> warning;  // from six months before the end
  // What HubSpot itself announced in Deprecation / Sunset response headers (recorded by a daemon or a run);
  // set by --status from sync_state.
  std::optional<std::string> announced;
};
ApiVersionNotice api_version_notice(const config::AppConfig& cfg);

struct ApiBudgetReport {
  ApiVersionNotice version;
  core::ApiUsage usage;                 // last 24 h
  core::BudgetPlan plan;                // the sweep intervals that fit hubspot.rate_limit.daily_share
  core::ApiProjection projection;       // next 24 h at the planned schedule
  std::vector<std::string> plan_lines;  // describe_plan's lines (empty when nothing was stretched)
  std::int64_t daily_budget = 0;        // 0: no daily budget (public OAuth apps)
  std::string budget_source;  // "HubSpot" (reported in its rate-limit headers) or "hubspot.rate_limit.daily"
  // Projected share of the daily budget, in percent; nullopt without a budget.
  std::optional<double> share_percent() const;
};

core::ApiSchedule api_schedule(const config::AppConfig& cfg);
// The day's budget (HubSpot's reported maximum, else hubspot.rate_limit.daily) times daily_share.
// HubSpot's reported daily limit wins over the configured one: it is the portal's real budget.
ApiBudgetReport api_budget_report(const config::AppConfig& cfg, const core::ApiUsage& usage,
                                  std::optional<std::int64_t> reported_daily_max);

// What the plan changed and why, one line per stretched sweep ("association sweep every 15m needs 192000
// calls/day; the share allows 130000 ...; sweeping every 22m"); empty when nothing was stretched.
std::vector<std::string> describe_plan(const config::AppConfig& cfg, const ApiBudgetReport& report);

}  // namespace leadsync::daemon
