#include "leadsync/core/api_activity.hpp"

#include <gtest/gtest.h>

namespace leadsync::core {
namespace {

using namespace std::chrono_literals;

TEST(ApiActivity, NamesRoundTrip) {
  for (std::size_t i = 0; i < kApiActivityCount; ++i) {
    const auto a = static_cast<ApiActivity>(i);
    EXPECT_EQ(api_activity_from_string(to_string(a)), a);
  }
  EXPECT_EQ(api_activity_from_string("sweep"), std::nullopt);
}

TEST(ApiProjection, SweepsAndPollsRecurOnTheScheduleAtTheirAverageCost) {
  ApiUsage u;
  u.covered = 24h;
  u.calls[index_of(ApiActivity::full_sweep)] = 2 * 201;  // two sweeps of 201 calls
  u.occurrences[index_of(ApiActivity::full_sweep)] = 2;
  u.calls[index_of(ApiActivity::association_sweep)] = 40;
  u.occurrences[index_of(ApiActivity::association_sweep)] = 1;
  u.calls[index_of(ApiActivity::recycle_bin)] = 3;
  u.occurrences[index_of(ApiActivity::recycle_bin)] = 3;
  u.calls[index_of(ApiActivity::incremental)] = 10;
  u.occurrences[index_of(ApiActivity::incremental)] = 10;
  const ApiSchedule s{.interval = 60s, .full_sweep_interval = 6h, .association_sweep_interval = 15min};
  const auto p = project_daily_calls(u, s);
  EXPECT_EQ(p.calls[index_of(ApiActivity::full_sweep)], 4 * 201);
  EXPECT_EQ(p.calls[index_of(ApiActivity::association_sweep)], 96 * 40);
  EXPECT_EQ(p.calls[index_of(ApiActivity::recycle_bin)], 96);
  EXPECT_EQ(p.calls[index_of(ApiActivity::incremental)], 1440);
  EXPECT_EQ(p.total, 4 * 201 + 96 * 40 + 96 + 1440);
}

TEST(ApiProjection, PushesFollowTheirRateButOneBusyStartIsNotADay) {
  ApiUsage u;
  u.calls[index_of(ApiActivity::push)] = 100;
  u.covered = 6h;
  EXPECT_EQ(project_daily_calls(u, {}).calls[index_of(ApiActivity::push)], 400);
  u.covered = 1min;  // counted as an hour
  EXPECT_EQ(project_daily_calls(u, {}).calls[index_of(ApiActivity::push)], 2400);
}

TEST(ApiProjection, NothingRecordedProjectsNothing) {
  EXPECT_EQ(project_daily_calls({}, {}).total, 0);
}

}  // namespace
}  // namespace leadsync::core
