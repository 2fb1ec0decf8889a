#include "leadsync/core/values.hpp"

#include <gtest/gtest.h>

namespace leadsync::core {
namespace {

struct Case {
  PropertyType type;
  std::optional<std::string> raw;
  Value expected;
};

class NormalizeTest : public ::testing::TestWithParam<Case> {};

TEST_P(NormalizeTest, Canonicalises) {
  const auto& c = GetParam();
  auto got = normalize_value(c.type, c.raw ? std::optional<std::string_view>(*c.raw) : std::nullopt);
  EXPECT_EQ(got, c.expected) << to_string(c.type) << " '" << c.raw.value_or("<null>") << "'";
}

INSTANTIATE_TEST_SUITE_P(
    Values, NormalizeTest,
    ::testing::Values(
        Case{PropertyType::string, std::nullopt, std::nullopt}, Case{PropertyType::string, "", std::nullopt},
        Case{PropertyType::string, " Jane ", " Jane "}, Case{PropertyType::enumeration, "HOT", "HOT"},
        Case{PropertyType::enumeration, "", std::nullopt}, Case{PropertyType::number, "1.50", "1.5"},
        Case{PropertyType::number, "1.5", "1.5"}, Case{PropertyType::number, "+001.500", "1.5"},
        Case{PropertyType::number, "-0", "0"}, Case{PropertyType::number, "-0.00", "0"},
        Case{PropertyType::number, "100", "100"}, Case{PropertyType::number, "1e3", "1000"},
        Case{PropertyType::number, "1.25E-2", "0.0125"}, Case{PropertyType::number, ".5", "0.5"},
        Case{PropertyType::number, "12.", "12"}, Case{PropertyType::number, "", std::nullopt},
        Case{PropertyType::number, "abc", "abc"}, Case{PropertyType::number, "-12.340", "-12.34"},
        Case{PropertyType::boolean, "true", "true"}, Case{PropertyType::boolean, "t", "true"},
        Case{PropertyType::boolean, "FALSE", "false"}, Case{PropertyType::boolean, "0", "false"},
        Case{PropertyType::boolean, "maybe", "maybe"}, Case{PropertyType::date, "2026-03-01", "2026-03-01"},
        Case{PropertyType::date, "1772323200000", "2026-03-01"},
        Case{PropertyType::date, "2026-03-01T00:00:00.000Z", "2026-03-01"},
        Case{PropertyType::datetime, "2026-01-17T19:55:04.281Z", "2026-01-17T19:55:04.281Z"},
        Case{PropertyType::datetime, "2026-01-17T19:55:04Z", "2026-01-17T19:55:04.000Z"},
        Case{PropertyType::datetime, "2026-01-17 20:55:04.281123+01", "2026-01-17T19:55:04.281Z"},
        Case{PropertyType::datetime, "2026-01-17T14:25:04.2819-05:30", "2026-01-17T19:55:04.281Z"},
        Case{PropertyType::datetime, "1768679704281", "2026-01-17T19:55:04.281Z"},
        Case{PropertyType::datetime, "not a date", "not a date"},
        Case{PropertyType::datetime, "", std::nullopt}));

TEST(TimestampTest, FormatsWithMillisecondsAndZ) {
  EXPECT_EQ(format_timestamp(from_epoch_ms(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_timestamp(from_epoch_ms(1768679704281)), "2026-01-17T19:55:04.281Z");
  EXPECT_EQ(format_timestamp(from_epoch_ms(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_timestamp(from_epoch_ms(9214646399999)),
            "2261-12-31T23:59:59.999Z");  // near WallTime's limit
  EXPECT_EQ(format_timestamp(from_epoch_ms(951782400000)), "2000-02-29T00:00:00.000Z");
}

TEST(TimestampTest, RejectsGarbage) {
  EXPECT_FALSE(parse_timestamp("2026-13-01").has_value());
  EXPECT_FALSE(parse_timestamp("2026-01-01T25:00").has_value());
  EXPECT_FALSE(parse_timestamp("2026-01-01X").has_value());
  EXPECT_FALSE(parse_timestamp("").has_value());
}

TEST(TimestampTest, RoundTrips) {
  for (std::int64_t ms : {0LL, 951782400000LL, 1767225600000LL, 4102444799999LL}) {
    auto text = format_timestamp(from_epoch_ms(ms));
    auto back = parse_timestamp(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(to_epoch_ms(*back), ms) << text;
  }
}

TEST(ToHubspotTest, NullClearsAndValuesPassThrough) {
  EXPECT_EQ(to_hubspot_value(PropertyType::string, std::nullopt), "");
  EXPECT_EQ(to_hubspot_value(PropertyType::number, "1.5"), "1.5");
  EXPECT_EQ(to_hubspot_value(PropertyType::datetime, "2026-01-17T19:55:04.281Z"), "2026-01-17T19:55:04.281Z");
}

}  // namespace
}  // namespace leadsync::core
