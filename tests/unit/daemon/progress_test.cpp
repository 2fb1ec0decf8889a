#include "progress.hpp"

#include <gtest/gtest.h>

using namespace leadsync;
using namespace leadsync::daemon;
using namespace std::chrono_literals;

TEST(ProgressTest, GroupsThousands) {
  EXPECT_EQ(group_thousands(0), "0");
  EXPECT_EQ(group_thousands(999), "999");
  EXPECT_EQ(group_thousands(1000), "1,000");
  EXPECT_EQ(group_thousands(1234567), "1,234,567");
  EXPECT_EQ(group_thousands(-20000), "-20,000");
}

TEST(ProgressTest, ShowsDoneTotalRateAndEta) {
  core::Progress p{"full sweep", 12'300, 20'000};
  EXPECT_EQ(format_progress(p, 15s), "full sweep 12,300/20,000 leads (61%)  820/s  ETA 0:09");
  p.done = 100;
  p.total = 1'000'000;
  EXPECT_EQ(format_progress(p, 10s), "full sweep 100/1,000,000 leads (0%)  10/s  ETA 27:46:30");
}

TEST(ProgressTest, NoRateBeforeASecondAndNoEtaWithoutTotal) {
  EXPECT_EQ(format_progress({"full sweep", 100, 20'000}, 200ms), "full sweep 100/20,000 leads (0%)");
  EXPECT_EQ(format_progress({"search", 400, std::nullopt}, 2s), "search 400 leads  200/s");
  EXPECT_EQ(format_progress({"push", 0, std::nullopt}, 5s), "push 0 leads");
}

TEST(ProgressTest, DisabledLineWritesNothing) {
  char buf[64] = {};
  std::FILE* f = fmemopen(buf, sizeof buf, "w");
  ASSERT_NE(f, nullptr);
  {
    ProgressLine line(f, false);
    line.update({"full sweep", 1, 2});
    line.finish();
  }
  std::fclose(f);
  EXPECT_STREQ(buf, "");
}
