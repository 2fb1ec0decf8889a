// The page scanner (json_scan.hpp) against nlohmann's SAX parser: whatever the scanner accepts, nlohmann
// accepts with the same events in the same order; a handler's refusal is a refusal under both; and the bodies
// of a full sweep (ASCII or not, with the short escapes) are scanned, not left to nlohmann.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "json_scan.hpp"

namespace leadsync::hubspot::detail {
namespace {

using Json = nlohmann::json;

// Records every event; refuses the event numbered refuse_at (0-based), if any.
class Recorder : public nlohmann::json_sax<Json> {
 public:
  explicit Recorder(int refuse_at = -1) : refuse_at_(refuse_at) {}
  std::vector<std::string> events;

  bool null() override { return add("null"); }
  bool boolean(bool v) override { return add(v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override { return add("int " + std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return add("uint " + std::to_string(v)); }
  bool number_float(number_float_t, const string_t& s) override { return add("float " + s); }
  bool string(string_t& v) override { return add("string " + v); }
  bool binary(binary_t&) override { return add("binary"); }
  bool start_object(std::size_t n) override { return add("{ " + std::to_string(n)); }
  bool key(string_t& k) override { return add("key " + k); }
  bool end_object() override { return add("}"); }
  bool start_array(std::size_t n) override { return add("[ " + std::to_string(n)); }
  bool end_array() override { return add("]"); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool add(std::string e) {
    events.push_back(std::move(e));
    return static_cast<int>(events.size()) - 1 != refuse_at_;
  }
  int refuse_at_;
};

std::string show(const std::string& body) {
  std::string out;
  for (unsigned char c : body) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Checks the scanner against nlohmann on `body`; returns the scanner's result.
ScanResult check(const std::string& body) {
  Recorder theirs;
  const bool ok = Json::sax_parse(body.begin(), body.end(), &theirs);
  Recorder ours;
  const ScanResult r = scan_json(body, ours);
  EXPECT_NE(r, ScanResult::refused) << show(body);  // this handler refuses nothing
  if (r == ScanResult::accepted) {
    EXPECT_TRUE(ok) << "accepted what nlohmann refuses: " << show(body);
    EXPECT_EQ(ours.events, theirs.events) << show(body);
  } else {
    // Whatever it delivered before giving up, nlohmann delivers too, in the same order.
    EXPECT_LE(ours.events.size(), theirs.events.size()) << show(body);
    for (std::size_t i = 0; i < ours.events.size() && i < theirs.events.size(); ++i)
      EXPECT_EQ(ours.events[i], theirs.events[i]) << show(body);
  }
  return r;
}

// A page as fake-hubspot sends it: ASCII and not, quotes and backslashes escaped.
const std::string kPage =
    "{\"results\":[{\"id\":\"5000000001\",\"properties\":{"
    "\"hs_lead_name\":\"Ann \\\"the\\\" Lead \\\\ \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\\/\\n\","
    "\"hs_lead_label\":null,\"hs_lead_type\":\"NEW_BUSINESS\"},"
    "\"createdAt\":\"2026-01-01T00:00:00.000Z\",\"updatedAt\":\"2026-01-02T00:00:00.000Z\","
    "\"archived\":false,"
    "\"associations\":{\"contacts\":{\"results\":[{\"id\":\"101\",\"type\":\"lead_to_primary_contact\"}]},"
    "\"companies\":{\"results\":[]}}},\n {\"id\":\"5000000002\",\"properties\":{},\"archived\":true}],"
    "\"paging\":{\"next\":{\"after\":\"5000000003\",\"link\":\"https://x/y?after=5000000003\"}}}";

TEST(JsonScanTest, APageOfTheSweepIsScannedWithNlohmannsEvents) {
  EXPECT_EQ(check(kPage), ScanResult::accepted);
  for (const std::string body : {
           "{}",
           "[]",
           "\"\"",
           "true",
           "false",
           "null",
           " \t\r\n[ {} , [ ] ,\"\\b\\f\\r\\t\" ] ",
           "{\"\":\"\",\"a\":[true,false,null]}",
           "\"\x7f\"",
           // the edges of UTF-8's ranges
           "\"\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"",
       })
    EXPECT_EQ(check(body), ScanResult::accepted) << show(body);
}

TEST(JsonScanTest, WhatItDoesNotDoIsLeftToNlohmann) {
  for (const std::string body : {
           "",
           " ",
           "1",
           "[1]",
           "{\"a\":-0.5e3}",
           "\"\\u00e9\"",
           "\xef\xbb\xbf{}",  // numbers, \u, a BOM
           "{",
           "}",
           "[",
           "]",
           "{]",
           "[}",
           "{\"a\"}",
           "{\"a\":}",
           "{\"a\" 1}",
           "{\"a\":1,}",
           "[1,]",
           "[,]",
           "{,}",
           "[true false]",
           "{\"a\":true \"b\":null}",
           "{} {}",
           "{}x",
           "tru",
           "truex",
           "nul",
           "fals",
           "\"abc",
           "\"\\\"",
           "\"\\x\"",
           "\"\\",
           "'a'",
           "{a:1}",
           "\"\x01\"",
           "\"\x1f\"",
           "\"\n\"",
           "\"\x80\"",
           "\"\xc0\xaf\"",
           "\"\xc1\xbf\"",
           "\"\xe0\x9f\xbf\"",
           "\"\xed\xa0\x80\"",
           "\"\xf0\x8f\xbf\xbf\"",
           "\"\xf4\x90\x80\x80\"",
           "\"\xf5\x80\x80\x80\"",
           "\"\xff\"",
           "\"\xc3\"",
           "\"\xe2\x82\"",
           "\"\xf0\x9f\x98\"",
       })
    EXPECT_NE(check(body), ScanResult::accepted) << show(body);
}

TEST(JsonScanTest, ARefusedEventIsARefusalUnderBoth) {
  Recorder all;
  ASSERT_EQ(scan_json(kPage, all), ScanResult::accepted);
  for (int k = 0; k < static_cast<int>(all.events.size()); ++k) {
    Recorder theirs(k), ours(k);
    EXPECT_FALSE(Json::sax_parse(kPage.begin(), kPage.end(), &theirs)) << k;
    EXPECT_EQ(scan_json(kPage, ours), ScanResult::refused) << k;
    EXPECT_EQ(ours.events, theirs.events) << k;
  }
}

// Every truncation and many one-byte changes of the page (bytes of JSON's syntax, control characters and
// every kind of UTF-8 lead and continuation byte): accepted only with nlohmann's events.
TEST(JsonScanTest, DamagedPagesAreLeftToNlohmannOrScannedAsItParsesThem) {
  for (std::size_t n = 0; n < kPage.size(); ++n) check(kPage.substr(0, n));
  std::mt19937 rng(7);
  const std::string bytes = std::string("{}[]\",:0123456789.-etrufalsnbu \\/\t\n\x01\x1f\x7f") +
                            "\x80\x8f\x90\x9f\xa0\xbf\xc0\xc1\xc2\xdf\xe0\xe1\xec\xed\xee\xef" +
                            "\xf0\xf1\xf3\xf4\xf5\xff";
  int accepted = 0, unsure = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string body = kPage;
    const int changes = 1 + static_cast<int>(rng() % 2);
    for (int c = 0; c < changes; ++c) body[rng() % body.size()] = bytes[rng() % bytes.size()];
    (check(body) == ScanResult::accepted ? accepted : unsure)++;
  }
  // Both outcomes were compared many times: the scanner neither gave every body up nor took every one.
  EXPECT_GT(accepted, 2000);
  EXPECT_GT(unsure, 2000);
}

}  // namespace
}  // namespace leadsync::hubspot::detail
