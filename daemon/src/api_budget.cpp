#include "api_budget.hpp"

namespace leadsync::daemon {

std::optional<double> ApiBudgetReport::share_percent() const {
  if (daily_budget <= 0) return std::nullopt;
  return 100.0 * static_cast<double>(projection.total) / static_cast<double>(daily_budget);
}

core::ApiSchedule api_schedule(const config::AppConfig& cfg) {
  return core::ApiSchedule{.interval = cfg.sync.interval,
                           .full_sweep_interval = cfg.sync.full_sweep_interval,
                           .association_sweep_interval = cfg.sync.association_sweep_interval};
}

ApiBudgetReport api_budget_report(const config::AppConfig& cfg, const core::ApiUsage& usage,
                                  std::optional<std::int64_t> reported_daily_max) {
  ApiBudgetReport r;
  r.usage = usage;
  r.projection = core::project_daily_calls(usage, api_schedule(cfg));
  if (reported_daily_max && *reported_daily_max > 0) {
    r.daily_budget = *reported_daily_max;
    r.budget_source = "HubSpot";
  } else {
    r.daily_budget = cfg.hubspot.rate_limit.daily;
    r.budget_source = "hubspot.rate_limit.daily";
  }
  return r;
}

}  // namespace leadsync::daemon
