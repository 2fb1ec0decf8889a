// Numbers are read as the text HubSpot wrote: beyond 64 bits or with a fraction they are not rounded through
// a double, and an int field (typeId) out of int's range is refused, not truncated.
#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using ::testing::HasSubstr;

class NumberTextTest : public ClientFixture {};

TEST_F(NumberTextTest, NumbersBeyondUint64AndFractionsKeepTheirText) {
  transport.respond(200, R"({"results":[{"id":"1","properties":{"big":18446744073709551617,)"
                         R"("fraction":0.10000000000000000001,"exp":1E+300,"plain":42,"negative":-7}}]})");
  const auto page = run_sync(client.list_page({}));
  ASSERT_EQ(page.results.size(), 1u);
  const auto& p = page.results[0].properties;
  EXPECT_EQ(p.at("big"), "18446744073709551617");
  EXPECT_EQ(p.at("fraction"), "0.10000000000000000001");
  EXPECT_EQ(p.at("exp"), "1E+300");
  EXPECT_EQ(p.at("plain"), "42");
  EXPECT_EQ(p.at("negative"), "-7");
}

TEST_F(NumberTextTest, AnIdBeyondUint64KeepsItsDigits) {
  transport.respond(200, R"({"results":[{"id":123456789012345678901234567890,"properties":{}}]})");
  const auto page = run_sync(client.list_page({}));
  ASSERT_EQ(page.results.size(), 1u);
  EXPECT_EQ(page.results[0].id, "123456789012345678901234567890");
}

TEST_F(NumberTextTest, ATypeIdOutOfIntRangeIsRefusedNotTruncated) {
  const std::string body = R"({"results":[{"category":"HUBSPOT_DEFINED","typeId":4294967297,"label":"x"}]})";
  for (int i = 0; i < client.options().retry.max_attempts; ++i) transport.respond(200, body);
  try {
    run_sync(client.association_labels("contacts"));
    FAIL() << "4294967297 must not be read as type 1";
  } catch (const core::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(R"("typeId" is out of range: 4294967297)"));
  }
}

TEST_F(NumberTextTest, ASearchTotalBeyondInt64IsRefusedNotRounded) {
  const std::string body = R"({"total":100000000000000000000000,"results":[]})";
  for (int i = 0; i < client.options().retry.max_attempts; ++i) transport.respond(200, body);
  EXPECT_THROW(run_sync(client.search(SearchRequest{})), core::Error);
}

}  // namespace
}  // namespace leadsync::hubspot::test
