#pragma once
// Fitting leadsync's background work into the share of the portal's daily API budget the operator allows
// (hubspot.rate_limit.daily_share).
//
// HubSpot's daily budget is shared by every integration of a portal, and what leadsync's sweeps cost grows
// with the portal, not with change. The configured sweep intervals are therefore upper bounds on freshness:
// when the projection at those intervals exceeds the share, the background sweeps (full sweep, association
// sweep with its recycle-bin scan) are stretched, all by the same factor, until the day fits. Polls for
// changes, pushes and events are never stretched: they carry the edits people wait for. Pure functions.
#include <cstddef>
#include <cstdint>

#include "leadsync/core/api_activity.hpp"

namespace leadsync::core {

// The longest a stretched sweep waits, whatever the budget: beyond it a sweep no longer backs anything up.
inline constexpr std::chrono::milliseconds kLongestPlannedFullSweep{7LL * 24 * 3'600'000};
inline constexpr std::chrono::milliseconds kLongestPlannedAssociationSweep{24LL * 3'600'000};

// Sweeps that no run of the last 24 hours measured (a new installation, a schedule longer than a day) are
// estimated from the leads leadsync has linked: a list page of 100 per call for the full sweep, a batch
// read of 1,000 leads per associated object type for the association sweep, one call for the recycle bin.
ApiUsage with_estimated_sweeps(ApiUsage usage, std::size_t association_object_types);

struct BudgetPlan {
  ApiSchedule configured;
  ApiSchedule planned;       // the configured schedule, or its sweeps stretched to fit `allowed`
  std::int64_t allowed = 0;  // calls per day the share allows; 0: no daily budget, nothing is stretched
  ApiProjection at_configured;
  ApiProjection at_planned;

  bool stretched() const noexcept;
  // Whether the planned day fits the share (it may not when polls and pushes alone exceed it, or when the
  // sweeps reached their longest wait).
  bool fits() const noexcept { return allowed <= 0 || at_planned.total <= allowed; }
  // Calls per day of the sweeps alone (full, association, recycle bin).
  std::int64_t sweep_calls(const ApiProjection& p) const noexcept;
};

BudgetPlan plan_within_share(const ApiUsage& usage, const ApiSchedule& configured, std::int64_t allowed);

// The share of a daily budget, in calls (daily * percent / 100); 0 when there is no daily budget.
std::int64_t daily_share_calls(std::int64_t daily, int share_percent) noexcept;

}  // namespace leadsync::core
