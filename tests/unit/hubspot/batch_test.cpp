// Chunking, 207 multi-status parsing, trace-id matching, and the create retry rules (read-back by unique key
// or InDoubtError).
#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::vector<std::string> ids(int n, int first = 1) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(std::to_string(first + i));
  return out;
}

// Answers a batch read with every requested id found.
FakeTransport::Handler echo_batch_read() {
  return [](const http::Request& r) {
    Json body = Json::parse(r.body);
    Json results = Json::array();
    for (const auto& in : body["inputs"]) results.push_back(lead_json(in["id"].get<std::string>()));
    http::Response resp;
    resp.status = 200;
    resp.body = batch_json(results);
    return resp;
  };
}

class BatchTest : public ClientFixture {};

TEST_F(BatchTest, BatchReadChunksOf100) {
  for (int i = 0; i < 3; ++i) transport.handle(echo_batch_read());
  auto r = run_sync(client.batch_read(ids(250)));
  ASSERT_EQ(transport.requests().size(), 3u);
  EXPECT_EQ(body_of(request(0))["inputs"].size(), 100u);
  EXPECT_EQ(body_of(request(1))["inputs"].size(), 100u);
  EXPECT_EQ(body_of(request(2))["inputs"].size(), 50u);
  EXPECT_EQ(body_of(request(2))["inputs"][0]["id"], "201");
  EXPECT_EQ(r.results.size(), 250u);
}

TEST_F(BatchTest, BatchReadWithHistoryChunksOf50) {
  for (int i = 0; i < 5; ++i) transport.handle(echo_batch_read());
  BatchReadOptions o;
  o.properties_with_history = {"hs_lead_label"};
  auto r = run_sync(client.batch_read(ids(250), o));
  ASSERT_EQ(transport.requests().size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(body_of(request(i))["inputs"].size(), 50u);
  EXPECT_EQ(r.results.size(), 250u);
}

TEST_F(BatchTest, AssociationBatchReadChunksOf1000) {
  for (int i = 0; i < 3; ++i) transport.respond(200, R"({"status":"COMPLETE","results":[]})");
  auto r = run_sync(client.batch_read_associations("contacts", ids(2500)));
  ASSERT_EQ(transport.requests().size(), 3u);
  EXPECT_EQ(body_of(request(0))["inputs"].size(), 1000u);
  EXPECT_EQ(body_of(request(1))["inputs"].size(), 1000u);
  EXPECT_EQ(body_of(request(2))["inputs"].size(), 500u);
  EXPECT_EQ(r.by_lead.size(), 2500u);
}

TEST_F(BatchTest, BatchCreateUpdateArchiveChunksOf100) {
  std::vector<LeadCreateInput> creates(250);
  for (int i = 0; i < 3; ++i) transport.respond(201, batch_json(Json::array()));
  run_sync(client.batch_create(creates));
  std::vector<LeadUpdateInput> updates;
  for (auto& id : ids(150)) updates.push_back({id, {{"a", "b"}}, std::nullopt});
  for (int i = 0; i < 2; ++i) transport.respond(200, batch_json(Json::array()));
  run_sync(client.batch_update(updates));
  for (int i = 0; i < 2; ++i) transport.respond(204, "");
  run_sync(client.batch_archive(ids(101)));
  std::vector<std::size_t> sizes;
  for (const auto& r : transport.requests()) sizes.push_back(body_of(r)["inputs"].size());
  EXPECT_THAT(sizes, ElementsAre(100u, 100u, 50u, 100u, 50u, 100u, 1u));
}

TEST_F(BatchTest, BatchCreate207ResultsOutOfOrderAreMatchedByTraceId) {
  // HubSpot's 2026 shape: results echo objectWriteTraceId, in any order; one input failed.
  Json r3 = lead_json("1003", {{"hs_lead_name", "C"}});
  r3["objectWriteTraceId"] = "t-3";
  Json r1 = lead_json("1001", {{"hs_lead_name", "A"}});
  r1["objectWriteTraceId"] = "t-1";
  Json err{{"status", "error"},
           {"category", "VALIDATION_ERROR"},
           {"message",
            "Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\"missing\\\" does "
            "not exist\"}]"},
           {"context", {{"objectWriteTraceId", {"t-2"}}}}};
  transport.respond(207, batch_json(Json::array({r3, r1}), Json::array({err})));
  std::vector<LeadCreateInput> in(3);
  in[0].properties = {{"hs_lead_name", "A"}};
  in[0].object_write_trace_id = "t-1";
  in[1].properties = {{"missing", "x"}};
  in[1].object_write_trace_id = "t-2";
  in[2].properties = {{"hs_lead_name", "C"}};
  in[2].object_write_trace_id = "t-3";
  auto r = run_sync(client.batch_create(in));
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0].id, "1003");
  EXPECT_EQ(r.results[0].object_write_trace_id, "t-3");
  EXPECT_EQ(r.results[1].object_write_trace_id, "t-1");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].http_status, 207);
  EXPECT_EQ(r.errors[0].category, "VALIDATION_ERROR");
  EXPECT_THAT(r.errors[0].trace_ids(), ElementsAre("t-2"));
}

class UniqueKeyTest : public ClientFixture {
 public:
  static ClientOptions opts() {
    ClientOptions o = legacy_options();
    o.unique_key_property = "leadsync_key";
    return o;
  }
  UniqueKeyTest() : ClientFixture(RateLimitOptions{}, opts()) {}

  static LeadCreateInput input(const std::string& key) {
    LeadCreateInput in;
    in.properties = {{"hs_lead_name", "Lead " + key}, {"leadsync_key", key}};
    in.associations.push_back({"101", {{"HUBSPOT_DEFINED", 578}}});
    return in;
  }
};

TEST_F(UniqueKeyTest, ResultsWithoutTraceIdsAreMatchedByUniqueKey) {
  // The 207 example of docs/hubspot-api.md#batch-responses: results carry no objectWriteTraceId.
  transport.respond(207, batch_json(Json::array({lead_json("2", {{"leadsync_key", "k2"}}),
                                                 lead_json("1", {{"leadsync_key", "k1"}})}),
                                    Json::array({{{"status", "error"},
                                                  {"category", "VALIDATION_ERROR"},
                                                  {"message", "bad"},
                                                  {"context", {{"objectWriteTraceId", {"t-3"}}}}}})));
  std::vector<LeadCreateInput> in{input("k1"), input("k2"), input("k3")};
  in[0].object_write_trace_id = "t-1";
  in[1].object_write_trace_id = "t-2";
  in[2].object_write_trace_id = "t-3";
  auto r = run_sync(client.batch_create(in));
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0].id, "2");
  EXPECT_EQ(r.results[0].object_write_trace_id, "t-2");
  EXPECT_EQ(r.results[1].object_write_trace_id, "t-1");
}

TEST_F(BatchTest, AResultWithoutTraceIdIsMatchedWhenItIsTheOnlyPossibility) {
  transport.respond(207, batch_json(Json::array({lead_json("9")}),
                                    Json::array({{{"status", "error"},
                                                  {"category", "VALIDATION_ERROR"},
                                                  {"message", "bad"},
                                                  {"context", {{"objectWriteTraceId", {"t-1"}}}}}})));
  std::vector<LeadCreateInput> in(2);
  in[0].object_write_trace_id = "t-1";
  in[1].object_write_trace_id = "t-2";
  auto r = run_sync(client.batch_create(in));
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].object_write_trace_id, "t-2");
}

TEST_F(BatchTest, ResultsAreNeverMatchedByPosition) {
  transport.respond(201, batch_json(Json::array({lead_json("8"), lead_json("9")})));
  std::vector<LeadCreateInput> in(2);
  auto r = run_sync(client.batch_create(in));
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_FALSE(r.results[0].object_write_trace_id);
  EXPECT_FALSE(r.results[1].object_write_trace_id);
  // Every input got a distinct trace id.
  Json body = body_of(request(0));
  EXPECT_NE(body["inputs"][0]["objectWriteTraceId"], body["inputs"][1]["objectWriteTraceId"]);
}

TEST_F(BatchTest, CreateAfterServerErrorWithoutUniqueKeyIsInDoubtAndNotRetried) {
  transport.respond(502, "");
  LeadCreateInput in;
  in.properties = {{"hs_lead_name", "A"}};
  in.object_write_trace_id = "t-9";
  try {
    run_sync(client.create(in));
    FAIL();
  } catch (const InDoubtError& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_TRUE(is_in_doubt(e));
    EXPECT_THAT(e.trace_ids(), ElementsAre("t-9"));
    EXPECT_EQ(e.details().http_status, 502);
    EXPECT_THAT(e.what(), HasSubstr("cannot be retried safely"));
  }
  EXPECT_EQ(transport.requests().size(), 1u);
  EXPECT_TRUE(sleeps().empty());
}

TEST_F(BatchTest, BatchCreateAfterTimeoutWithoutUniqueKeyIsInDoubt) {
  transport.fail(http::TransportErrorKind::timeout, "read timed out");
  std::vector<LeadCreateInput> in(2);
  EXPECT_THROW(run_sync(client.batch_create(in)), InDoubtError);
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST_F(BatchTest, CreateWithMalformedSuccessBodyIsInDoubt) {
  transport.respond(201, R"({"id":"1","propert)");
  EXPECT_THROW(run_sync(client.create(LeadCreateInput{})), InDoubtError);
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST_F(BatchTest, CreateIsRetriedWhenTheRequestProvablyDidNotArrive) {
  transport.fail(http::TransportErrorKind::connect, "connection refused")
      .respond(429, kTenSecondlyBody)
      .respond(423, "")
      .respond(201, lead_json("1").dump());
  auto lead = run_sync(client.create(LeadCreateInput{}));
  EXPECT_EQ(lead.id, "1");
  EXPECT_EQ(transport.requests().size(), 4u);
  // backoff; then the oldest request in the window (t=0) leaves it 9,800 ms later, + 500 ms jitter; then 423.
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(250), milliseconds(10'300), milliseconds(2'000)));
}

TEST_F(BatchTest, CreateValidationErrorIsARecordError) {
  transport.respond(400, error_json("VALIDATION_ERROR", "lead must be associated"));
  try {
    run_sync(client.create(LeadCreateInput{}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_record());
    EXPECT_FALSE(is_in_doubt(e));
  }
}

TEST_F(UniqueKeyTest, AmbiguousCreateReadsBackByUniqueKeyAndReturnsTheExistingLead) {
  transport.fail(http::TransportErrorKind::timeout, "read timed out")
      .respond(
          200,
          batch_json(Json::array({lead_json("77", {{"leadsync_key", "k1"}, {"hs_lead_name", "Lead k1"}})})));
  auto in = input("k1");
  in.object_write_trace_id = "t-1";
  auto lead = run_sync(client.create(in));
  EXPECT_EQ(lead.id, "77");
  EXPECT_EQ(lead.object_write_trace_id, "t-1");
  ASSERT_EQ(transport.requests().size(), 2u);
  EXPECT_EQ(request(1).target, "/crm/v3/objects/leads/batch/read?archived=false");
  Json read = body_of(request(1));
  EXPECT_EQ(read["idProperty"], "leadsync_key");
  EXPECT_EQ(read["inputs"], Json::parse(R"([{"id":"k1"}])"));
  EXPECT_EQ(read["properties"], Json::parse(R"(["hs_lead_name","leadsync_key"])"));
  EXPECT_THAT(sleeps(), ElementsAre(milliseconds(250)));
}

TEST_F(UniqueKeyTest, AmbiguousBatchCreateRecreatesOnlyTheMissingInputs) {
  Json not_found{{"status", "error"},
                 {"category", "OBJECT_NOT_FOUND"},
                 {"message", "Could not get some LEAD objects"},
                 {"context", {{"ids", {"k1", "k3"}}}}};
  transport.respond(503, "")
      .respond(207,
               batch_json(Json::array({lead_json("2", {{"leadsync_key", "k2"}})}), Json::array({not_found})))
      .respond(201, batch_json(Json::array({lead_json("3", {{"leadsync_key", "k3"}}),
                                            lead_json("1", {{"leadsync_key", "k1"}})})));
  std::vector<LeadCreateInput> in{input("k1"), input("k2"), input("k3")};
  auto r = run_sync(client.batch_create(in));
  ASSERT_EQ(transport.requests().size(), 3u);
  EXPECT_EQ(request(0).target, "/crm/v3/objects/leads/batch/create");
  EXPECT_EQ(request(1).target, "/crm/v3/objects/leads/batch/read?archived=false");
  EXPECT_EQ(request(2).target, "/crm/v3/objects/leads/batch/create");
  Json retry = body_of(request(2));
  ASSERT_EQ(retry["inputs"].size(), 2u);
  EXPECT_EQ(retry["inputs"][0]["properties"]["leadsync_key"], "k1");
  EXPECT_EQ(retry["inputs"][1]["properties"]["leadsync_key"], "k3");
  // The retried inputs keep their trace ids.
  Json first = body_of(request(0));
  EXPECT_EQ(retry["inputs"][0]["objectWriteTraceId"], first["inputs"][0]["objectWriteTraceId"]);
  ASSERT_EQ(r.results.size(), 3u);
  std::vector<std::string> got;
  for (const auto& l : r.results) got.push_back(l.id + "=" + *l.object_write_trace_id);
  EXPECT_THAT(got, UnorderedElementsAre("2=" + first["inputs"][1]["objectWriteTraceId"].get<std::string>(),
                                        "1=" + first["inputs"][0]["objectWriteTraceId"].get<std::string>(),
                                        "3=" + first["inputs"][2]["objectWriteTraceId"].get<std::string>()));
  EXPECT_TRUE(r.errors.empty());
}

TEST_F(UniqueKeyTest, AnInputWithoutTheKeyMakesTheChunkInDoubt) {
  transport.fail(http::TransportErrorKind::closed, "connection closed after the request was sent");
  std::vector<LeadCreateInput> in{input("k1"), LeadCreateInput{}};
  EXPECT_THROW(run_sync(client.batch_create(in)), InDoubtError);
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST_F(UniqueKeyTest, ReadBackFailureKeepsTheCreateInDoubt) {
  transport.respond(500, "");
  for (int i = 0; i < 5; ++i) transport.respond(500, "");
  EXPECT_THROW(run_sync(client.create(input("k1"))), InDoubtError);
  EXPECT_EQ(transport.requests().size(), 6u);  // the create + 5 attempts of the read-back
}

TEST_F(UniqueKeyTest, RepeatedAmbiguityGivesUpInDoubtAfterMaxAttempts) {
  for (int i = 0; i < 5; ++i) {
    transport.respond(504, "");
    if (i < 4) transport.respond(200, batch_json(Json::array()));
  }
  EXPECT_THROW(run_sync(client.create(input("k1"))), InDoubtError);
  EXPECT_EQ(transport.requests().size(), 9u);  // 5 creates, 4 read-backs
  EXPECT_THAT(sleeps(),
              ElementsAre(milliseconds(250), milliseconds(500), milliseconds(1'000), milliseconds(2'000)));
}

}  // namespace
}  // namespace leadsync::hubspot::test
