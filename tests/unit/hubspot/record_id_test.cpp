// Record ids go into request paths: only digits are ever sent. A bad id from the table fails that row with a
// clear reason and sends nothing for it; a bad id from HubSpot is never stored or addressed.
#include "leadsync/hubspot/leads_remote.hpp"
#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using ::testing::HasSubstr;

core::SyncMapping mapping() {
  core::SyncMapping m;
  m.table = "leads";
  m.properties.push_back({"hs_lead_name", "lead_name"});
  return m;
}

class RecordIdTest : public ClientFixture {
 protected:
  HubSpotLeadsRemote remote{client, mapping(), [] { return std::uint64_t{0}; }};

  std::string record_error_of(net::awaitable<void> call) {
    try {
      run_sync(std::move(call));
    } catch (const core::Error& e) {
      EXPECT_TRUE(e.is_record()) << e.what();
      return e.what();
    }
    ADD_FAILURE() << "expected a record error";
    return {};
  }
};

net::awaitable<void> update(HubSpotClient& c, std::string id) {
  std::map<std::string, std::string> properties;
  properties["hs_lead_name"] = "x";
  co_await c.update(std::move(id), std::move(properties));
}
net::awaitable<void> archive(HubSpotClient& c, std::string id) {
  co_await c.archive(std::move(id));
}
net::awaitable<void> get(HubSpotClient& c, std::string id) {
  co_await c.get_lead(std::move(id));
}
net::awaitable<void> associate(HubSpotClient& c, std::string id) {
  co_await c.associate("1", "contacts", std::move(id), 608);
}
net::awaitable<void> remove_association(HubSpotClient& c, std::string id) {
  co_await c.remove_association(std::move(id), "contacts", "2");
}

TEST_F(RecordIdTest, TheClientNeverPutsANonNumericIdIntoAPath) {
  for (const std::string id : {"..", "1/2", "", "12a", "%2e%2e", "1 2"}) {
    SCOPED_TRACE(id);
    EXPECT_THAT(record_error_of(update(client, id)), HasSubstr("is not a HubSpot record id (digits only)"));
    record_error_of(archive(client, id));
    record_error_of(get(client, id));
    EXPECT_THAT(record_error_of(associate(client, id)), HasSubstr("associated record id"));
    record_error_of(remove_association(client, id));
  }
  EXPECT_TRUE(transport.requests().empty());
}

TEST_F(RecordIdTest, AValueLookedUpByAUniquePropertyCannotBeADotSegment) {
  transport.respond(404, "{}");
  GetOptions o;
  o.id_property = "leadsync_key";
  EXPECT_FALSE(run_sync(client.get_lead("..", o)));
  EXPECT_EQ(request(0).target.substr(0, 30), "/crm/v3/objects/leads/%2E%2E?i");
}

TEST_F(RecordIdTest, ABadTableIdFailsOnlyItsRowInABatchUpdate) {
  transport.respond(200, batch_json(Json::array({lead_json("7")})));
  auto results = run_sync(remote.update({{"7", {{"hs_lead_name", "a"}}}, {"../7", {{"hs_lead_name", "b"}}}}));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].ok);
  EXPECT_FALSE(results[1].ok);
  ASSERT_TRUE(results[1].error);
  EXPECT_TRUE(results[1].error->is_record());
  EXPECT_THAT(results[1].error->what(), HasSubstr(R"(hubspot_id "../7" is not a HubSpot record id)"));
  ASSERT_EQ(transport.requests().size(), 1u);
  EXPECT_THAT(request(0).body, ::testing::Not(HasSubstr("../7")));
}

TEST_F(RecordIdTest, ABadTableIdFailsItsRowInASingleUpdateAndInArchives) {
  auto one = run_sync(remote.update({{"..", {{"hs_lead_name", "a"}}}}));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_FALSE(one[0].ok);
  EXPECT_TRUE(one[0].error->is_record());
  transport.respond(204, "");
  auto archived = run_sync(remote.archive({"5", "x5"}));
  ASSERT_EQ(archived.size(), 2u);
  EXPECT_TRUE(archived[0].ok);
  EXPECT_FALSE(archived[1].ok);
  EXPECT_THAT(archived[1].error->what(), HasSubstr("not a HubSpot record id"));
  ASSERT_EQ(transport.requests().size(), 1u);
  EXPECT_EQ(body_of(request(0))["inputs"], Json::array({{{"id", "5"}}}));
}

TEST_F(RecordIdTest, ALeadFromHubSpotWithABadIdIsNotStored) {
  Json bad = lead_json("1");
  bad["id"] = "../1";
  transport.respond(200, Json{{"results", Json::array({lead_json("2"), bad})}}.dump());
  auto page = run_sync(remote.list_page(std::nullopt, false));
  ASSERT_EQ(page.leads.size(), 1u);
  EXPECT_EQ(page.leads[0].id, "2");
  EXPECT_EQ(remote.leads_skipped_bad_id(), 1u);
}

TEST_F(RecordIdTest, LeadsLeftOutForABadIdAreCountedInEveryRead) {
  Json bad = lead_json("1");
  bad["id"] = "1x";
  transport.respond(200, batch_json(Json::array({lead_json("2"), bad})));
  auto read =
      run_sync(remote.read({"2", "../3", "4a"}, false));  // two table ids not sent, one answer dropped
  EXPECT_EQ(read.found.size(), 1u);
  EXPECT_EQ(remote.leads_skipped_bad_id(), 3u);
  run_sync(remote.read_associations({"x"}));  // nothing left to send
  EXPECT_EQ(remote.leads_skipped_bad_id(), 4u);
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST_F(RecordIdTest, ACreateAnsweredWithABadIdIsARecordErrorForThatRow) {
  transport.handle([](const http::Request& r) {
    const auto inputs = Json::parse(r.body)["inputs"];
    Json created = lead_json("../9");
    created["objectWriteTraceId"] = inputs[0]["objectWriteTraceId"];
    http::Response response;
    response.status = 201;
    response.body = batch_json(Json::array({created}));
    return response;
  });
  core::CreateRequest c;
  c.ref = "row-1";
  c.properties["hs_lead_name"] = "x";
  auto results = run_sync(remote.create({c}));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].ok);
  ASSERT_TRUE(results[0].error);
  EXPECT_TRUE(results[0].error->is_record());
  EXPECT_THAT(results[0].error->what(), HasSubstr("HubSpot answered the create with id \"../9\""));
}

}  // namespace
}  // namespace leadsync::hubspot::test
