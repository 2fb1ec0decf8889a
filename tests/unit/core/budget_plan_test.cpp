#include "leadsync/core/budget_plan.hpp"

#include <gtest/gtest.h>

namespace leadsync::core {
namespace {

using namespace std::chrono_literals;

void measured(ApiUsage& u, ApiActivity a, std::int64_t calls_per_run, std::int64_t runs = 1) {
  u.calls[index_of(a)] = calls_per_run * runs;
  u.occurrences[index_of(a)] = runs;
}

// A 1,000,000-lead portal with two associated object types, measured once each.
ApiUsage million_leads() {
  ApiUsage u;
  u.covered = 24h;
  u.synced_leads = 1'000'000;
  measured(u, ApiActivity::full_sweep, 10'000);
  measured(u, ApiActivity::association_sweep, 2'000);
  measured(u, ApiActivity::recycle_bin, 1);
  measured(u, ApiActivity::incremental, 1, 1440);
  return u;
}

const ApiSchedule kDefaults{.interval = 60s, .full_sweep_interval = 24h, .association_sweep_interval = 1h};

TEST(BudgetPlan, AScheduleThatFitsTheShareIsKept) {
  const auto plan = plan_within_share(million_leads(), kDefaults, 130'000);
  EXPECT_FALSE(plan.stretched());
  EXPECT_TRUE(plan.fits());
  EXPECT_EQ(plan.planned.association_sweep_interval, 1h);
  EXPECT_EQ(plan.at_planned.total, 10'000 + 24 * 2'000 + 24 + 1440);
}

TEST(BudgetPlan, SweepsThatExceedTheShareAreStretchedUntilTheDayFits) {
  const ApiSchedule every_15_min{
      .interval = 60s, .full_sweep_interval = 1h, .association_sweep_interval = 15min};
  const auto plan = plan_within_share(million_leads(), every_15_min, 130'000);
  ASSERT_TRUE(plan.stretched());
  EXPECT_TRUE(plan.fits());
  EXPECT_LE(plan.at_planned.total, 130'000);
  // Configured: 240,000 (full) + 192,000 (associations) + 96 (recycle bin) + 1,440 (polls) = 433,536.
  EXPECT_EQ(plan.at_configured.total, 433'536);
  // The sweeps get what the polls leave, 128,560 of 432,096: each interval times 3.36, in whole minutes.
  EXPECT_EQ(plan.planned.full_sweep_interval, 202min);
  EXPECT_EQ(plan.planned.association_sweep_interval, 51min);
  // Polls are never stretched: they carry the edits people wait for.
  EXPECT_EQ(plan.planned.interval, 60s);
}

TEST(BudgetPlan, WithoutADailyBudgetNothingIsStretched) {
  const ApiSchedule tight{.interval = 60s, .full_sweep_interval = 1min, .association_sweep_interval = 1min};
  const auto plan = plan_within_share(million_leads(), tight, 0);
  EXPECT_FALSE(plan.stretched());
  EXPECT_TRUE(plan.fits());
}

TEST(BudgetPlan, WhenPollsAloneExceedTheShareSweepsWaitTheirLongestAndThePlanSaysItDoesNotFit) {
  ApiUsage u = million_leads();
  measured(u, ApiActivity::incremental, 100, 1440);  // 144,000 calls of polling a day
  const auto plan = plan_within_share(u, kDefaults, 130'000);
  EXPECT_TRUE(plan.stretched());
  EXPECT_FALSE(plan.fits());
  EXPECT_EQ(plan.planned.full_sweep_interval, kLongestPlannedFullSweep);
  EXPECT_EQ(plan.planned.association_sweep_interval, kLongestPlannedAssociationSweep);
}

TEST(BudgetPlan, ALongerConfiguredIntervalThanTheLongestPlannedOneIsKept) {
  const ApiSchedule rare{.interval = 60s, .full_sweep_interval = 30 * 24h, .association_sweep_interval = 48h};
  ApiUsage u = million_leads();
  measured(u, ApiActivity::incremental, 200, 1440);
  const auto plan = plan_within_share(u, rare, 130'000);
  EXPECT_EQ(plan.planned.full_sweep_interval, 30 * 24h);
  EXPECT_EQ(plan.planned.association_sweep_interval, 48h);
}

TEST(BudgetPlan, UnmeasuredSweepsAreEstimatedFromTheLinkedLeads) {
  ApiUsage u;
  u.synced_leads = 1'000'001;
  const auto e = with_estimated_sweeps(u, 2);
  EXPECT_EQ(e.calls[index_of(ApiActivity::full_sweep)], 10'001);
  EXPECT_EQ(e.calls[index_of(ApiActivity::association_sweep)], 2 * 1'001);
  EXPECT_EQ(e.calls[index_of(ApiActivity::recycle_bin)], 1);
  EXPECT_EQ(e.occurrences[index_of(ApiActivity::full_sweep)], 1);
  // A measured sweep is not replaced by the estimate.
  ApiUsage m = million_leads();
  m.calls[index_of(ApiActivity::full_sweep)] = 12'345;
  EXPECT_EQ(with_estimated_sweeps(m, 2).calls[index_of(ApiActivity::full_sweep)], 12'345);
  // No associations mapped: no association sweep calls.
  EXPECT_EQ(with_estimated_sweeps(u, 0).calls[index_of(ApiActivity::association_sweep)], 0);
}

TEST(BudgetPlan, TheShareIsAPercentOfTheDailyBudget) {
  EXPECT_EQ(daily_share_calls(650'000, 20), 130'000);
  EXPECT_EQ(daily_share_calls(250'000, 100), 250'000);
  EXPECT_EQ(daily_share_calls(99, 50), 49);
  EXPECT_EQ(daily_share_calls(0, 20), 0);
}

}  // namespace
}  // namespace leadsync::core
