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

namespace {
std::string text(std::string_view s) {
  std::string out;
  leadsync::daemon::append_text_escaped(out, s);
  return out;
}
}  // namespace

// A text log line is one line whatever the message holds: a line break from HubSpot or a database must not
// start a line of its own (under journald a "<2>" there would even set the priority of the forged entry).
TEST(TextLogTest, LineBreaksAndControlCharactersAreEscaped) {
  EXPECT_EQ(text("bad\n<2>error: forged"), "bad\\n<2>error: forged");
  EXPECT_EQ(text("a\r\nb"), "a\\r\\nb");
  EXPECT_EQ(text("\x1b[2Jcleared"), "\\x1b[2Jcleared");
  EXPECT_EQ(text(std::string_view("nul\0del\x7f", 8)), "nul\\x00del\\x7f");
  EXPECT_EQ(text("csi \xc2\x9b"
                 "2J"),
            "csi \\xc2\\x9b2J")
      << "C1 controls too";
  EXPECT_EQ(text("tab\tand Müller 日本"), "tab\tand Müller 日本");
  EXPECT_EQ(text("bad \xff byte"), "bad \\xff byte");
}

TEST(TextLogTest, LongMessagesAreCutAtACharacterBoundary) {
  const std::string long_value = std::string(8191, 'x') + "日本" + std::string(10000, 'y');
  const auto out = text(long_value);
  EXPECT_EQ(out.rfind(std::string(8191, 'x'), 0), 0u);
  EXPECT_EQ(out.substr(8191), "... [10006 more bytes not logged]") << "the cut character is not split";
  std::string json;
  leadsync::daemon::append_json_escaped(json, long_value);
  EXPECT_GT(json.size(), 18000u) << "append_json_escaped itself does not cut; the JSON log line does";
}
