#include "logging.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using leadsync::daemon::append_json_escaped;

namespace {
std::string esc(std::string_view s) {
  std::string out;
  append_json_escaped(out, s);
  return out;
}
// The escaped text, put between quotes, must parse as JSON and give back `expected`.
void round_trips(std::string_view raw, std::string_view expected) {
  const auto doc = "\"" + esc(raw) + "\"";
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(doc)) << doc;
  EXPECT_EQ(j.get<std::string>(), expected);
}
}  // namespace

TEST(JsonLogTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(esc(R"(say "hi" \ bye)"), R"(say \"hi\" \\ bye)");
  EXPECT_EQ(esc("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(esc(std::string_view("x\0y\x1f\x7f", 5)), "x\\u0000y\\u001f\\u007f");
  round_trips(R"(HubSpot said: {"message":"Property \"x\" does not exist"})",
              R"(HubSpot said: {"message":"Property \"x\" does not exist"})");
}

TEST(JsonLogTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  round_trips("Müller 日本 🙂", "Müller 日本 🙂");
  round_trips("bad \xff\xfe end", "bad \xEF\xBF\xBD\xEF\xBF\xBD end");
  round_trips("truncated \xe6\x97", "truncated \xEF\xBF\xBD\xEF\xBF\xBD");
  round_trips("overlong \xc0\xaf", "overlong \xEF\xBF\xBD\xEF\xBF\xBD");
  round_trips("surrogate \xed\xa0\x80", "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}
