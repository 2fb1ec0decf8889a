// Durations in the YAML: an integer and a unit, or several such parts (1h30m).
#include <gtest/gtest.h>

#include "leadsync/config/duration.hpp"

namespace leadsync::config {
namespace {

using namespace std::chrono_literals;

TEST(ConfigDuration, ParsesEachUnit) {
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("30s"), 30s);
  EXPECT_EQ(parse_duration("5m"), 5min);
  EXPECT_EQ(parse_duration("1h"), 1h);
  EXPECT_EQ(parse_duration("2d"), 48h);
  EXPECT_EQ(parse_duration("0s"), 0ms);
}

TEST(ConfigDuration, ParsesCompoundDurations) {
  EXPECT_EQ(parse_duration("1h30m"), 90min);
  EXPECT_EQ(parse_duration("1m30s500ms"), 90500ms);
  EXPECT_EQ(parse_duration("1d1h"), 25h);
}

TEST(ConfigDuration, RejectsAnythingElse) {
  for (const char* bad :
       {"", "30", "5 minutes", "-1s", "+1s", "1.5s", "1S", "s", "ms", "1h30", "30 s", " 30s", "30s ", "1w",
        "1y", "9223372036854775807d", "9223372036854775807ms1s", "0x10s", "1e3ms"})
    EXPECT_EQ(parse_duration(bad), std::nullopt) << '"' << bad << '"';
}

TEST(ConfigDuration, FormatsWithTheLargestExactUnit) {
  EXPECT_EQ(format_duration(90s), "90s");
  EXPECT_EQ(format_duration(2min), "2m");
  EXPECT_EQ(format_duration(1h), "1h");
  EXPECT_EQ(format_duration(24h), "1d");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(0ms), "0ms");
  for (auto d : {500ms, 1000ms, 90000ms, 3600000ms, 86400000ms, 123456789ms})
    EXPECT_EQ(parse_duration(format_duration(d)), d);
}

}  // namespace
}  // namespace leadsync::config
