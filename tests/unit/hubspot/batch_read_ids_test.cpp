// Ids that are not record ids stay out of batch read bodies as they stay out of paths: HubSpot reports such
// an id as not found, and a lead not found is deleted locally by the full sweep's delete check. Left out with
// an error log, neither found nor missing.
#include "leadsync/hubspot/leads_remote.hpp"
#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

core::SyncMapping mapping() {
  core::SyncMapping m;
  m.table = "leads";
  m.properties.push_back({"hs_lead_name", "lead_name"});
  m.associations.push_back({"contacts", {578, 608}});
  return m;
}

std::vector<std::string> input_ids(const http::Request& r) {
  const Json body = Json::parse(r.body);
  std::vector<std::string> ids;
  for (const auto& in : body.at("inputs")) ids.push_back(in.at("id").get<std::string>());
  return ids;
}

class BatchReadIdsTest : public ClientFixture {
 protected:
  HubSpotLeadsRemote remote{client, mapping(), [] { return std::uint64_t{0}; }};
};

// Before: "..", "12a" and "1/2" went into the body, came back as not found, and were reported missing.
TEST_F(BatchReadIdsTest, IdsThatAreNotRecordIdsAreNeitherSentNorReportedMissing) {
  transport.handle([](const http::Request& r) {
    EXPECT_THAT(input_ids(r), ElementsAre("101", "102"));
    http::Response response{
        207,
        {},
        batch_json(Json::array({lead_json("101")}), Json::array({{{"status", "error"},
                                                                  {"category", "OBJECT_NOT_FOUND"},
                                                                  {"message", "not found"},
                                                                  {"context", {{"ids", {"102"}}}}}}))};
    return response;
  });
  auto read = run_sync(remote.read({"101", "..", "12a", "1/2", "102"}, false));
  ASSERT_EQ(read.found.size(), 1u);
  EXPECT_EQ(read.found[0].id, "101");
  EXPECT_THAT(read.missing, ElementsAre("102"));
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST_F(BatchReadIdsTest, OnlyBadIdsSendNothing) {
  auto read = run_sync(remote.read({"..", ""}, true));
  EXPECT_THAT(read.found, IsEmpty());
  EXPECT_THAT(read.missing, IsEmpty());
  auto associations = run_sync(remote.read_associations({"x"}));
  EXPECT_THAT(associations, IsEmpty());
  EXPECT_THAT(transport.requests(), IsEmpty());
}

TEST_F(BatchReadIdsTest, AssociationReadsSendOnlyRecordIds) {
  transport.handle([](const http::Request& r) {
    EXPECT_THAT(input_ids(r), ElementsAre("5"));
    return http::Response{200, {}, R"({"status":"COMPLETE","results":[]})"};
  });
  run_sync(remote.read_associations({"5", "../5"}));
  EXPECT_EQ(transport.requests().size(), 1u);
}

}  // namespace
}  // namespace leadsync::hubspot::test
