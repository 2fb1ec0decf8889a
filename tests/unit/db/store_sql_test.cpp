// The pull's array parameters: the text literal (ArrayLiteral) and the binary format (BinaryArray). Both are
// also checked end to end against PostgreSQL by the engine integration tests (ImportTest, LifecycleTest).
#include <gtest/gtest.h>

#include "store_sql.hpp"

namespace leadsync::db::detail {
namespace {

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

TEST(ArrayLiteralTest, QuotesEveryElementAndEscapesOnlyQuotesAndBackslashes) {
  ArrayLiteral a;
  a.add(std::string_view("plain"));
  a.add(std::string_view("say \"hi\""));
  a.add(std::string_view("back\\slash\\"));
  a.add(std::string_view("NULL"));
  a.add_null();
  a.add(std::string_view("{a,b}"));
  a.add(std::int64_t{-42});
  EXPECT_EQ(a.str(), R"({"plain","say \"hi\"","back\\slash\\","NULL",NULL,"{a,b}",-42})");
  EXPECT_EQ(a.size(), 7u);
  EXPECT_EQ(ArrayLiteral().str(), "{}");
}

TEST(BinaryArrayTest, HeaderThenLengthPrefixedBigEndianElements) {
  BinaryArray ints(BinaryArray::kInt8);
  ints.add_int8(1);
  ints.add_int8(-2);
  EXPECT_EQ(hex(ints.bytes()),
            "00000001"  // one dimension
            "00000000"  // no NULLs
            "00000014"  // int8 (OID 20)
            "00000002"  // two elements
            "00000001"  // lower bound 1
            "00000008"
            "0000000000000001"
            "00000008"
            "fffffffffffffffe");

  BinaryArray texts(BinaryArray::kText);
  texts.add("ab");
  texts.add("");
  texts.add("\"\\,");
  EXPECT_EQ(hex(texts.bytes()),
            "00000001"
            "00000000"
            "00000019"
            "00000003"
            "00000001"
            "00000002"
            "6162"
            "00000000"
            "00000003"
            "225c2c");

  BinaryArray small(BinaryArray::kInt4);
  small.add_int4(578);
  EXPECT_EQ(hex(small.bytes()),
            "00000001"
            "00000000"
            "00000017"
            "00000001"
            "00000001"
            "00000004"
            "00000242");
}

TEST(BinaryArrayTest, JsonbTimestamptzAndNulls) {
  BinaryArray json(BinaryArray::kJsonb);
  json.add_jsonb(R"({"a":1})");
  json.add_null();
  EXPECT_EQ(hex(json.bytes()),
            "00000001"
            "00000001"
            "00000eda"
            "00000002"
            "00000001"  // has NULLs, jsonb (3802)
            "00000008"
            "01"
            "7b2261223a317d"  // version 1, then the text
            "ffffffff");      // NULL: length -1

  BinaryArray times(BinaryArray::kTimestamptz);
  times.add_timestamptz(946'684'800'000);  // 2000-01-01T00:00:00Z, PostgreSQL's epoch
  times.add_timestamptz(946'684'800'001);  // one millisecond later: 1,000 microseconds
  times.add_timestamptz(946'684'799'999);  // one millisecond before
  EXPECT_EQ(hex(times.bytes()),
            "00000001"
            "00000000"
            "000004a0"
            "00000003"
            "00000001"
            "00000008"
            "0000000000000000"
            "00000008"
            "00000000000003e8"
            "00000008"
            "fffffffffffffc18");
}

TEST(BinaryArrayTest, AnEmptyArrayHasNoDimensions) {
  BinaryArray empty(BinaryArray::kText);
  EXPECT_EQ(hex(empty.bytes()),
            "00000000"
            "00000000"
            "00000019");
  EXPECT_EQ(empty.size(), 0u);
}

}  // namespace
}  // namespace leadsync::db::detail
