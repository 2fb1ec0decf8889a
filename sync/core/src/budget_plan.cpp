#include "leadsync/core/budget_plan.hpp"

#include <algorithm>
#include <cmath>

namespace leadsync::core {

namespace {

constexpr std::int64_t kListPageSize = 100;           // leads per list page
constexpr std::int64_t kAssociationReadBatch = 1000;  // leads per association batch read

std::int64_t pages(std::int64_t leads, std::int64_t per_call) {
  return leads <= 0 ? 1 : (leads + per_call - 1) / per_call;
}

void estimate(ApiUsage& u, ApiActivity a, std::int64_t calls_per_run) {
  const auto i = index_of(a);
  if (u.occurrences[i] > 0) return;
  u.calls[i] = calls_per_run;
  u.occurrences[i] = 1;
}

std::chrono::milliseconds stretch(std::chrono::milliseconds configured, double factor,
                                  std::chrono::milliseconds longest) {
  if (factor <= 1.0) return configured;
  // Whole minutes: a stretched interval is read by people ("sweeping every 22m"), and a minute is far below
  // what the stretch is about.
  const double ms = std::ceil(static_cast<double>(configured.count()) * factor / 60'000.0) * 60'000.0;
  return std::clamp(std::chrono::milliseconds(static_cast<std::int64_t>(std::min(ms, 1e15))), configured,
                    std::max(configured, longest));
}

}  // namespace

ApiUsage with_estimated_sweeps(ApiUsage usage, std::size_t association_object_types) {
  const std::int64_t leads = usage.synced_leads;
  estimate(usage, ApiActivity::full_sweep, pages(leads, kListPageSize));
  if (association_object_types > 0)
    estimate(usage, ApiActivity::association_sweep,
             pages(leads, kAssociationReadBatch) * static_cast<std::int64_t>(association_object_types));
  estimate(usage, ApiActivity::recycle_bin, 1);
  estimate(usage, ApiActivity::incremental, 1);
  return usage;
}

bool BudgetPlan::stretched() const noexcept {
  return planned.full_sweep_interval != configured.full_sweep_interval ||
         planned.association_sweep_interval != configured.association_sweep_interval;
}

std::int64_t BudgetPlan::sweep_calls(const ApiProjection& p) const noexcept {
  return p.calls[index_of(ApiActivity::full_sweep)] + p.calls[index_of(ApiActivity::association_sweep)] +
         p.calls[index_of(ApiActivity::recycle_bin)];
}

BudgetPlan plan_within_share(const ApiUsage& usage, const ApiSchedule& configured, std::int64_t allowed) {
  BudgetPlan plan;
  plan.configured = plan.planned = configured;
  plan.allowed = std::max<std::int64_t>(allowed, 0);
  plan.at_configured = plan.at_planned = project_daily_calls(usage, configured);
  if (plan.allowed == 0 || plan.at_configured.total <= plan.allowed) return plan;

  const std::int64_t sweeps = plan.sweep_calls(plan.at_configured);
  if (sweeps == 0) return plan;  // only polls and pushes: nothing of ours to stretch
  const std::int64_t left_for_sweeps = plan.allowed - (plan.at_configured.total - sweeps);
  // Polls and pushes alone take the whole share: the sweeps go to their longest wait.
  const double factor = left_for_sweeps <= 0 ? 1e9 : static_cast<double>(sweeps) / left_for_sweeps;
  plan.planned.full_sweep_interval =
      stretch(configured.full_sweep_interval, factor, kLongestPlannedFullSweep);
  plan.planned.association_sweep_interval =
      stretch(configured.association_sweep_interval, factor, kLongestPlannedAssociationSweep);
  plan.at_planned = project_daily_calls(usage, plan.planned);
  return plan;
}

std::int64_t daily_share_calls(std::int64_t daily, int share_percent) noexcept {
  if (daily <= 0) return 0;
  return daily / 100 * share_percent + daily % 100 * share_percent / 100;
}

}  // namespace leadsync::core
