#include <gtest/gtest.h>

#include "json_writer.hpp"
#include "util.hpp"

namespace leadsync::fake_hubspot {
namespace {

TEST(FakeHubspotUtil, IsoTimestampsAlwaysHaveThreeFractionDigitsAndZ) {
  EXPECT_EQ(format_iso_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso_ms(1767225600123), "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(format_iso_ms(1645129167424), "2022-02-17T20:19:27.424Z");
  EXPECT_EQ(format_iso_ms(951782400000), "2000-02-29T00:00:00.000Z");  // leap day
  EXPECT_EQ(format_date(1767225600123), "2026-01-01");
}

TEST(FakeHubspotUtil, ParsesIsoAndEpochMilliseconds) {
  EXPECT_EQ(parse_iso("2022-02-17T20:19:27.424Z"), 1645129167424);
  EXPECT_EQ(parse_iso("2022-02-17T20:19:27Z"), 1645129167000);
  EXPECT_EQ(parse_iso("2022-02-17T22:19:27.424+02:00"), 1645129167424);
  EXPECT_EQ(parse_iso("2026-01-01"), 1767225600000);
  EXPECT_EQ(parse_iso("2022-02-17T20:19:27.4Z"), 1645129167400);
  EXPECT_FALSE(parse_iso("2022-13-01"));
  EXPECT_FALSE(parse_iso("yesterday"));
  EXPECT_EQ(parse_time_value("1767225600000"), 1767225600000);
  for (std::int64_t t : {0LL, 1767225600123LL, 4102444799999LL}) EXPECT_EQ(parse_iso(format_iso_ms(t)), t);
}

TEST(FakeHubspotUtil, QueryListsAcceptCommaSeparatedAndRepeatedKeys) {
  auto q = parse_query("properties=a,b&properties=c&after=5&x=%2Fy+z&properties=");
  EXPECT_EQ(query_list(q, "properties"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(query_value(q, "after"), "5");
  EXPECT_EQ(query_value(q, "x"), "/y z");
  EXPECT_FALSE(query_value(q, "missing"));
}

TEST(FakeHubspotUtil, UuidsAreVersion4) {
  Uuid u;
  const auto a = u.next(), b = u.next();
  EXPECT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(a, b);
}

TEST(FakeHubspotJsonWriter, EscapesAndSeparates) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a\"b");
  w.string("line\nbreak \\ \"quoted\" \x01 ünïcode");
  w.quoted_key(R"("n":)");
  w.begin_array();
  w.integer(-3);
  w.integer_string(5000000001);
  w.null();
  w.boolean(true);
  w.end_array();
  w.key("empty");
  w.begin_object();
  w.end_object();
  w.end_object();
  EXPECT_EQ(
      out,
      R"({"a\"b":"line\nbreak \\ \"quoted\" \u0001 ünïcode","n":[-3,"5000000001",null,true],"empty":{}})");
}

}  // namespace
}  // namespace leadsync::fake_hubspot
