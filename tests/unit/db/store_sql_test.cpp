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
            "00000001"   // one dimension
            "00000000"   // no NULLs
            "00000014"   // int8 (OID 20)
            "00000002"   // two elements
            "00000001"   // lower bound 1
            "00000008" "0000000000000001"
            "00000008" "fffffffffffffffe");

  BinaryArray texts(BinaryArray::kText);
  texts.add("ab");
  texts.add("");
  texts.add("\"\\,");
  EXPECT_EQ(hex(texts.bytes()), "00000001" "00000000" "00000019" "00000003" "00000001"
                                "00000002" "6162"
                                "00000000"
                                "00000003" "225c2c");

  BinaryArray small(BinaryArray::kInt4);
  small.add_int4(578);
  EXPECT_EQ(hex(small.bytes()), "00000001" "00000000" "00000017" "00000001" "00000001" "00000004" "00000242");
}

TEST(BinaryArrayTest, AnEmptyArrayHasNoDimensions) {
  BinaryArray empty(BinaryArray::kText);
  EXPECT_EQ(hex(empty.bytes()), "00000000" "00000000" "00000019");
  EXPECT_EQ(empty.size(), 0u);
}

}  // namespace
}  // namespace leadsync::db::detail
