// Deprecation / Sunset / Link response headers: the RFC forms read, hostile values ignored with an escaped
// note, the notice kept per version with its earliest dates, logged once per announcement and once a day.
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "leadsync/hubspot/api_support.hpp"
#include "leadsync/hubspot/deprecation_notice.hpp"
#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using namespace std::chrono;

SysSeconds at(int y, unsigned m, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

DeprecationHeaders parse(std::vector<http::Header> headers) {
  return parse_deprecation_headers(headers);
}

TEST(DeprecationHeaders, HttpDateInItsThreeForms) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), at(1994, 11, 6, 8, 49, 37));
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), at(1994, 11, 6, 8, 49, 37));
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), at(1994, 11, 6, 8, 49, 37));
  EXPECT_EQ(parse_http_date("Thu, 30 Sep 2027 00:00:00 GMT"), at(2027, 9, 30));
  for (const char* bad : {"", "2027-09-30", "Thu, 31 Sep 2027 00:00:00 GMT", "Thu, 30 Sep 2027 24:00:00 GMT",
                          "Thu, 30 Sep 2027 00:00:00 UTC", "Xyz, 30 Sep 2027 00:00:00 GMT",
                          "Thu, 30 Foo 2027 00:00:00 GMT", "Thu, 30 Sep 1969 00:00:00 GMT",
                          "Thu, 30 Sep 2027 00:00:00 GMT extra", "Thu, -1 Sep 2027 00:00:00 GMT"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(parse_http_date(bad), std::nullopt);
  }
}

TEST(DeprecationHeaders, DeprecationValueAsStructuredDateLegacyTrueOrHttpDate) {
  EXPECT_EQ(parse_deprecation_value("@1735689600")->at, at(2025, 1, 1));  // RFC 9745
  EXPECT_EQ(parse_deprecation_value("@0")->at, SysSeconds{});
  auto legacy = parse_deprecation_value("true");  // earlier drafts: deprecated, no date
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->at, std::nullopt);
  EXPECT_EQ(parse_deprecation_value("Wed, 01 Jan 2025 00:00:00 GMT")->at, at(2025, 1, 1));
  for (const char* bad : {"", "@", "@-5", "@1.5", "@abc", "@1735689600x", "@9999999999999999",
                          "@999999999999999", "false", "yes", "1735689600", "?1"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(parse_deprecation_value(bad), std::nullopt);
  }
}

TEST(DeprecationHeaders, AllThreeHeadersReadCaseInsensitivelyWithTheEarliestDates) {
  auto h = parse({{"deprecation", "@1767225600"},
                  {"Deprecation", "@1735689600"},
                  {"SUNSET", "Thu, 30 Sep 2027 00:00:00 GMT"},
                  {"Sunset", "Tue, 30 Mar 2027 00:00:00 GMT"},
                  {"Link", R"(<https://example.com/other>; rel="next", )"
                           R"(<https://developers.hubspot.com/changelog/x>; rel="sunset"; type="text/html", )"
                           R"(<https://developers.hubspot.com/changelog/y>; rel="alternate deprecation")"}});
  EXPECT_TRUE(h.deprecated);
  EXPECT_EQ(h.deprecated_at, at(2025, 1, 1));
  EXPECT_EQ(h.sunset, at(2027, 3, 30));
  EXPECT_EQ(h.link, "https://developers.hubspot.com/changelog/y");  // rel=deprecation preferred
  EXPECT_TRUE(h.ignored.empty());

  auto sunset_only = parse({{"Sunset", "Tue, 30 Mar 2027 00:00:00 GMT"},
                            {"Link", "<https://developers.hubspot.com/s>;rel=sunset"}});
  EXPECT_FALSE(sunset_only.deprecated);
  EXPECT_TRUE(sunset_only.announces());
  EXPECT_EQ(sunset_only.link, "https://developers.hubspot.com/s");

  // A Link alone announces nothing, and no link is kept without an announcement.
  auto link_only = parse({{"Link", R"(<https://developers.hubspot.com/d>; rel="deprecation")"}});
  EXPECT_FALSE(link_only.announces());
  EXPECT_EQ(link_only.link, std::nullopt);
  EXPECT_FALSE(parse({{"X-HubSpot-RateLimit-Max", "100"}}).announces());
}

TEST(DeprecationHeaders, HostileValuesAreIgnoredWithAnEscapedBoundedNote) {
  const std::string huge(20000, 'A');
  auto h = parse({{"Deprecation", huge},
                  {"Deprecation", "@1735689600\x1b[31m"},
                  {"Deprecation", "tru\xc3\xa9"},
                  {"Deprecation", "@99999999999999999999"},
                  {"Sunset", "soon"},
                  {"Sunset", std::string("Thu, 30 Sep 2027 00:00:00 GMT\0", 30)},
                  {"Link", "<https://x.example/a"},
                  {"Link", std::string(5000, '<')}});
  EXPECT_FALSE(h.announces());
  EXPECT_EQ(h.ignored.size(), 8u);
  for (const auto& n : h.ignored) {
    SCOPED_TRACE(n);
    EXPECT_LT(n.size(), 200u);  // a bounded prefix, never the whole value
    for (char c : n) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
  }
  EXPECT_NE(h.ignored[1].find("\\x1b"), std::string::npos) << h.ignored[1];
  EXPECT_NE(h.ignored[0].find("20000 bytes"), std::string::npos) << h.ignored[0];

  // A readable header next to unreadable ones still counts; unusable link targets are dropped.
  auto mixed = parse(
      {{"Deprecation", "garbage"},
       {"Deprecation", "true"},
       {"Link", R"(<javascript:alert(1)>; rel="deprecation", <https://a.example/x y>; rel=deprecation)"}});
  EXPECT_TRUE(mixed.deprecated);
  EXPECT_EQ(mixed.deprecated_at, std::nullopt);
  EXPECT_EQ(mixed.link, std::nullopt);
  EXPECT_EQ(mixed.ignored.size(), 1u);
}

TEST(DeprecationTracker, KeepsTheEarliestDatesPerVersionAndLogsOncePerAnnouncementAndDaily) {
  DeprecationTracker t;
  const SysSeconds t0 = at(2026, 12, 7, 10);
  DeprecationHeaders sunset_2027_09;
  sunset_2027_09.sunset = at(2027, 9, 30);
  EXPECT_EQ(t.observe(ApiVersion::v2026_03, DeprecationHeaders{}, t0), std::nullopt);

  auto first = t.observe(ApiVersion::v2026_03, sunset_2027_09, t0);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->log);
  EXPECT_EQ(first->notice.first_seen, t0);
  // The same announcement again: kept fresh, not logged.
  auto again = t.observe(ApiVersion::v2026_03, sunset_2027_09, t0 + hours{1});
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->log);
  EXPECT_EQ(again->notice.last_seen, t0 + hours{1});
  // A later sunset does not move the earliest one; an earlier one does, and is logged.
  DeprecationHeaders later;
  later.sunset = at(2028, 1, 1);
  EXPECT_FALSE(t.observe(ApiVersion::v2026_03, later, t0 + hours{2})->log);
  DeprecationHeaders earlier;
  earlier.sunset = at(2027, 6, 1);
  earlier.deprecated = true;
  auto moved = t.observe(ApiVersion::v2026_03, earlier, t0 + hours{3});
  EXPECT_TRUE(moved->log);
  EXPECT_EQ(moved->notice.sunset, at(2027, 6, 1));
  EXPECT_TRUE(moved->notice.deprecated);
  // Still sent a day after the last log line: logged again.
  EXPECT_FALSE(t.observe(ApiVersion::v2026_03, earlier, t0 + hours{26})->log);
  EXPECT_TRUE(t.observe(ApiVersion::v2026_03, earlier, t0 + hours{27})->log);
  // Versions are apart.
  EXPECT_TRUE(t.observe(ApiVersion::legacy, sunset_2027_09, t0 + hours{27})->log);
  const auto all = t.notices();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all.at(ApiVersion::legacy).sunset, at(2027, 9, 30));
  EXPECT_EQ(all.at(ApiVersion::v2026_03).sunset, at(2027, 6, 1));
}

TEST(DeprecationTracker, TheWarningNamesTheVersionTheDatesAndWhatToDo) {
  DeprecationNotice n;
  n.deprecated = true;
  n.deprecated_at = at(2025, 1, 1);
  n.sunset = at(2027, 9, 30);
  n.link = "https://developers.hubspot.com/changelog/x";
  EXPECT_EQ(
      describe_deprecation(ApiVersion::v2026_03, n),
      "HubSpot announced in its response headers that API version 2026-03 is deprecated (from 2025-01-01) "
      "and stops working on 2027-09-30 (sunset); details: https://developers.hubspot.com/changelog/x: "
      "set hubspot.api_version to a newer date version before then, after checking its changes");
  DeprecationNotice only_flag;
  only_flag.deprecated = true;
  EXPECT_EQ(describe_deprecation(ApiVersion::legacy, only_flag),
            "HubSpot announced in its response headers that API version legacy is deprecated: set "
            "hubspot.api_version to 2026-03, after checking its changes");
}

// The client reads every response's headers, keeps the notice for its version, tells the observer and
// logs a warning once; unreadable values only reach the debug log, escaped.
class DeprecationClientTest : public ClientFixture {
 protected:
  DeprecationClientTest() : ClientFixture({}, ClientOptions{}) {}
  void SetUp() override {
    log_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(50);
    spdlog::default_logger()->sinks().push_back(log_);
    level_ = spdlog::get_level();
    spdlog::set_level(spdlog::level::debug);
  }
  void TearDown() override {
    spdlog::default_logger()->sinks().pop_back();
    spdlog::set_level(level_);
  }
  std::string logged(spdlog::level::level_enum level) const {
    // Formatted lines: "[time] [level] text\n"; the level's tag picks them.
    const std::string tag = "[" + std::string(spdlog::level::to_string_view(level).data()) + "] ";
    std::string out;
    for (const auto& line : log_->last_formatted()) {
      const auto at = line.find(tag);
      if (at != std::string::npos) out += line.substr(at + tag.size());
    }
    return out;
  }
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> log_;
  spdlog::level::level_enum level_ = spdlog::level::info;
};

TEST_F(DeprecationClientTest, ResponsesWithNoticesAreKeptLoggedOnceAndReported) {
  const std::vector<http::Header> notice = {{"Deprecation", "@1735689600"},
                                            {"Sunset", "Thu, 30 Sep 2027 00:00:00 GMT"}};
  transport.respond(200, R"({"results":[]})", notice).respond(200, R"({"results":[]})", notice);
  transport.respond(200, R"({"results":[]})", {{"Sunset", "Thu, 30 Sep 2027 00:00:00 GMT\x07"}});
  for (int i = 0; i < 3; ++i) run_sync(client.list_page(ListRequest{}));
  const auto notices = client.deprecation_notices();
  ASSERT_EQ(notices.size(), 1u);
  const auto& n = notices.at(ApiVersion::v2026_03);
  EXPECT_TRUE(n.deprecated);
  EXPECT_EQ(n.sunset, at(2027, 9, 30));
  EXPECT_EQ(observer.deprecations, 2);
  const std::string warnings = logged(spdlog::level::warn);
  EXPECT_EQ(warnings, describe_deprecation(ApiVersion::v2026_03, n) + "\n");
  const std::string debug = logged(spdlog::level::debug);
  EXPECT_NE(debug.find("Sunset header \"Thu, 30 Sep 2027 00:00:00 GMT\\x07\""), std::string::npos) << debug;
  EXPECT_EQ(debug.find('\x07'), std::string::npos);
}

}  // namespace
}  // namespace leadsync::hubspot::test
