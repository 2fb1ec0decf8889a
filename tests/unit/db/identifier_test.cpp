#include "leadsync/db/identifier.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace leadsync::db {
namespace {

TEST(DbIdentifierTest, AcceptsPlainIdentifiers) {
  for (auto name : {"hubspot_leads", "_x", "Lead2", "a"}) EXPECT_TRUE(is_safe_identifier(name)) << name;
  EXPECT_TRUE(is_safe_identifier(std::string(63, 'a')));
}

TEST(DbIdentifierTest, RejectsEverythingElse) {
  for (auto name :
       {"", "2leads", "name; drop table x", "lead-name", "lead name", "\"q\"", "l\xc3\xa9", "a.b"})
    EXPECT_FALSE(is_safe_identifier(name)) << name;
  EXPECT_FALSE(is_safe_identifier(std::string(64, 'a')));  // PostgreSQL would truncate it silently
}

TEST(DbIdentifierTest, QuotesAndDoublesEmbeddedQuotes) {
  EXPECT_EQ(quote_identifier("leads"), "\"leads\"");
  EXPECT_EQ(quote_identifier("Mixed Case"), "\"Mixed Case\"");
  EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(quote_identifier("x\"; DROP TABLE t; --"), "\"x\"\"; DROP TABLE t; --\"");
  EXPECT_EQ(quote_qualified("public", "hubspot_leads"), "\"public\".\"hubspot_leads\"");
}

TEST(DbIdentifierTest, RefusesEmptyAndNul) {
  EXPECT_THROW(quote_identifier(""), std::invalid_argument);
  EXPECT_THROW(quote_identifier(std::string("a\0b", 3)), std::invalid_argument);
  EXPECT_THROW(quote_qualified("", "t"), std::invalid_argument);
}

}  // namespace
}  // namespace leadsync::db
