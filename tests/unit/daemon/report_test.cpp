#include "report.hpp"

#include <gtest/gtest.h>

using leadsync::daemon::format_epoch_ms;

TEST(ReportTest, EpochMillisecondsAsIsoUtc) {
  EXPECT_EQ(format_epoch_ms("0"), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_epoch_ms("1714557600123"), "2024-05-01T10:00:00.123Z");
  EXPECT_EQ(format_epoch_ms(""), "");
  EXPECT_EQ(format_epoch_ms("not a time"), "not a time");
  EXPECT_EQ(format_epoch_ms("-5"), "-5");
}
