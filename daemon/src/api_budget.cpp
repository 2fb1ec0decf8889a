#include "api_budget.hpp"

#include "leadsync/config/duration.hpp"
#include "leadsync/hubspot/api_support.hpp"
#include "options.hpp"

namespace leadsync::daemon {

namespace {

using core::ApiActivity;
using core::index_of;

std::int64_t calls_of(const core::ApiProjection& p, std::initializer_list<ApiActivity> activities) {
  std::int64_t n = 0;
  for (auto a : activities) n += p.calls[index_of(a)];
  return n;
}

}  // namespace

ApiVersionNotice api_version_notice(const config::AppConfig& cfg) {
  const auto v = to_api_version(cfg.hubspot.api_version);
  const auto support = hubspot::api_support(v);
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return ApiVersionNotice{.version = std::string(hubspot::to_string(v)),
                          .end_of_support = hubspot::iso_date(support.end),
                          .estimated = support.estimated,
                          .warning = hubspot::api_support_warning(v, today)};
}

std::optional<double> ApiBudgetReport::share_percent() const {
  if (daily_budget <= 0) return std::nullopt;
  return 100.0 * static_cast<double>(projection.total) / static_cast<double>(daily_budget);
}

core::ApiSchedule api_schedule(const config::AppConfig& cfg) {
  const PollSchedule s = poll_schedule(cfg, cfg.webhooks.enabled);
  return core::ApiSchedule{.interval = s.interval,
                           .full_sweep_interval = s.full_sweep_interval,
                           .association_sweep_interval = s.association_sweep_interval};
}

ApiBudgetReport api_budget_report(const config::AppConfig& cfg, const core::ApiUsage& usage,
                                  std::optional<std::int64_t> reported_daily_max) {
  ApiBudgetReport r;
  r.version = api_version_notice(cfg);
  r.usage = usage;
  if (reported_daily_max && *reported_daily_max > 0) {
    r.daily_budget = *reported_daily_max;
    r.budget_source = "HubSpot";
  } else {
    r.daily_budget = cfg.hubspot.rate_limit.daily;
    r.budget_source = "hubspot.rate_limit.daily";
  }
  const auto estimated = core::with_estimated_sweeps(usage, cfg.associations.size());
  r.plan =
      core::plan_within_share(estimated, api_schedule(cfg),
                              core::daily_share_calls(r.daily_budget, cfg.hubspot.rate_limit.daily_share));
  r.projection = r.plan.at_planned;
  r.plan_lines = describe_plan(cfg, r);
  return r;
}

std::vector<std::string> describe_plan(const config::AppConfig& cfg, const ApiBudgetReport& report) {
  const auto& plan = report.plan;
  std::vector<std::string> lines;
  if (!plan.stretched()) return lines;
  const std::string allows = "the share allows " + std::to_string(plan.allowed) + " (" +
                             std::to_string(cfg.hubspot.rate_limit.daily_share) + "% of " +
                             std::to_string(report.daily_budget) + "), " +
                             std::to_string(plan.at_configured.total - plan.sweep_calls(plan.at_configured)) +
                             " of them taken by polls and pushes";
  auto line = [&](const char* sweep, std::chrono::milliseconds configured, std::chrono::milliseconds planned,
                  std::int64_t needs) {
    if (configured == planned) return;
    lines.push_back(std::string(sweep) + " every " + config::format_duration(configured) + " needs " +
                    std::to_string(needs) + " calls/day; " + allows + "; sweeping every " +
                    config::format_duration(planned));
  };
  line("full sweep", plan.configured.full_sweep_interval, plan.planned.full_sweep_interval,
       calls_of(plan.at_configured, {ApiActivity::full_sweep}));
  line("association sweep", plan.configured.association_sweep_interval,
       plan.planned.association_sweep_interval,
       calls_of(plan.at_configured, {ApiActivity::association_sweep, ApiActivity::recycle_bin}));
  if (!plan.fits())
    lines.push_back("even so the day takes " + std::to_string(plan.at_planned.total) +
                    " calls: raise hubspot.rate_limit.daily_share or sync.interval");
  return lines;
}

}  // namespace leadsync::daemon
