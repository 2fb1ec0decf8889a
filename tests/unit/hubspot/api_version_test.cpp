// HubSpot API versions: the route map (legacy v3/v4 paths kept exactly, the date versions' paths), batch and
// archive answers in every form a version sends, 2026-09 validation refusals as record errors naming the
// property, and a batch refused as a whole split until the refused input stands alone.
#include "routes.hpp"
#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using detail::Op;
using detail::route;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

ClientOptions version_options(ApiVersion v) {
  ClientOptions o;
  o.api_version = v;
  return o;
}

const detail::RouteArgs kArgs{.id = "11", .to_type = "contacts", .to_id = "22", .type_id = 608, .name = "p"};

std::string line(Op op, ApiVersion v) {
  auto r = route(op, v, "leads", kArgs);
  return r.method + " " + r.target + " | " + r.route;
}

// ---- the route map -----------------------------------------------------------------------------------

TEST(Routes, LegacyKeepsTodaysV3AndV4Paths) {
  const auto v = ApiVersion::legacy;
  EXPECT_EQ(line(Op::ListLeads, v), "GET /crm/v3/objects/leads | GET /crm/v3/objects/leads");
  EXPECT_EQ(line(Op::GetLead, v), "GET /crm/v3/objects/leads/11 | GET /crm/v3/objects/leads/{id}");
  EXPECT_EQ(line(Op::BatchReadLeads, v),
            "POST /crm/v3/objects/leads/batch/read | POST /crm/v3/objects/leads/batch/read");
  EXPECT_EQ(line(Op::SearchLeads, v),
            "POST /crm/v3/objects/leads/search | POST /crm/v3/objects/leads/search");
  EXPECT_EQ(line(Op::CreateLead, v), "POST /crm/v3/objects/leads | POST /crm/v3/objects/leads");
  EXPECT_EQ(line(Op::BatchCreateLeads, v),
            "POST /crm/v3/objects/leads/batch/create | POST /crm/v3/objects/leads/batch/create");
  EXPECT_EQ(line(Op::UpdateLead, v), "PATCH /crm/v3/objects/leads/11 | PATCH /crm/v3/objects/leads/{id}");
  EXPECT_EQ(line(Op::BatchUpdateLeads, v),
            "POST /crm/v3/objects/leads/batch/update | POST /crm/v3/objects/leads/batch/update");
  EXPECT_EQ(line(Op::BatchUpsertLeads, v),
            "POST /crm/v3/objects/leads/batch/upsert | POST /crm/v3/objects/leads/batch/upsert");
  EXPECT_EQ(line(Op::ArchiveLead, v), "DELETE /crm/v3/objects/leads/11 | DELETE /crm/v3/objects/leads/{id}");
  EXPECT_EQ(line(Op::BatchArchiveLeads, v),
            "POST /crm/v3/objects/leads/batch/archive | POST /crm/v3/objects/leads/batch/archive");
  EXPECT_EQ(line(Op::AssociateType, v),
            "PUT /crm/v3/objects/leads/11/associations/contacts/22/608 | "
            "PUT /crm/v3/objects/leads/{id}/associations/{toType}/{toId}/{typeId}");
  EXPECT_EQ(line(Op::UnassociateType, v),
            "DELETE /crm/v3/objects/leads/11/associations/contacts/22/608 | "
            "DELETE /crm/v3/objects/leads/{id}/associations/{toType}/{toId}/{typeId}");
  EXPECT_EQ(line(Op::PutPairLabels, v),
            "PUT /crm/v4/objects/leads/11/associations/contacts/22 | "
            "PUT /crm/v4/objects/leads/{id}/associations/{toType}/{toId}");
  EXPECT_EQ(line(Op::DeletePair, v),
            "DELETE /crm/v4/objects/leads/11/associations/contacts/22 | "
            "DELETE /crm/v4/objects/leads/{id}/associations/{toType}/{toId}");
  EXPECT_EQ(line(Op::BatchReadAssociations, v),
            "POST /crm/v4/associations/leads/contacts/batch/read | "
            "POST /crm/v4/associations/leads/{toType}/batch/read");
  EXPECT_EQ(line(Op::BatchCreateAssociations, v),
            "POST /crm/v4/associations/leads/contacts/batch/create | "
            "POST /crm/v4/associations/leads/{toType}/batch/create");
  EXPECT_EQ(line(Op::BatchArchiveAssociations, v),
            "POST /crm/v4/associations/leads/contacts/batch/archive | "
            "POST /crm/v4/associations/leads/{toType}/batch/archive");
  EXPECT_EQ(line(Op::BatchArchiveLabels, v),
            "POST /crm/v4/associations/leads/contacts/batch/labels/archive | "
            "POST /crm/v4/associations/leads/{toType}/batch/labels/archive");
  EXPECT_EQ(
      line(Op::AssociationLabels, v),
      "GET /crm/v4/associations/leads/contacts/labels | GET /crm/v4/associations/leads/{toType}/labels");
  EXPECT_EQ(line(Op::ListProperties, v), "GET /crm/v3/properties/leads | GET /crm/v3/properties/leads");
  EXPECT_EQ(line(Op::GetProperty, v), "GET /crm/v3/properties/leads/p | GET /crm/v3/properties/leads/{name}");
  EXPECT_EQ(line(Op::CreateProperty, v), "POST /crm/v3/properties/leads | POST /crm/v3/properties/leads");
  EXPECT_EQ(line(Op::ListPipelines, v), "GET /crm/v3/pipelines/leads | GET /crm/v3/pipelines/leads");
  // Addressed by object type id, whatever the client's object type is called.
  EXPECT_EQ(line(Op::ListPropertyValidations, v),
            "GET /crm/v3/property-validations/0-136 | GET /crm/v3/property-validations/0-136");
}

TEST(Routes, DateVersionsPutTheVersionAfterTheFamily) {
  for (auto v : {ApiVersion::v2026_03, ApiVersion::v2026_09}) {
    const std::string d(to_string(v));
    SCOPED_TRACE(d);
    EXPECT_EQ(line(Op::ListLeads, v), "GET /crm/objects/" + d + "/leads | GET /crm/objects/" + d + "/leads");
    EXPECT_EQ(line(Op::GetLead, v),
              "GET /crm/objects/" + d + "/leads/11 | GET /crm/objects/" + d + "/leads/{id}");
    EXPECT_EQ(
        line(Op::BatchUpdateLeads, v),
        "POST /crm/objects/" + d + "/leads/batch/update | POST /crm/objects/" + d + "/leads/batch/update");
    EXPECT_EQ(line(Op::SearchLeads, v),
              "POST /crm/objects/" + d + "/leads/search | POST /crm/objects/" + d + "/leads/search");
    EXPECT_EQ(line(Op::ArchiveLead, v),
              "DELETE /crm/objects/" + d + "/leads/11 | DELETE /crm/objects/" + d + "/leads/{id}");
    EXPECT_EQ(line(Op::PutPairLabels, v), "PUT /crm/objects/" + d +
                                              "/leads/11/associations/contacts/22 | PUT /crm/objects/" + d +
                                              "/leads/{id}/associations/{toType}/{toId}");
    EXPECT_EQ(line(Op::DeletePair, v), "DELETE /crm/objects/" + d +
                                           "/leads/11/associations/contacts/22 | DELETE /crm/objects/" + d +
                                           "/leads/{id}/associations/{toType}/{toId}");
    EXPECT_EQ(line(Op::BatchReadAssociations, v), "POST /crm/associations/" + d +
                                                      "/leads/contacts/batch/read | POST /crm/associations/" +
                                                      d + "/leads/{toType}/batch/read");
    EXPECT_EQ(line(Op::BatchArchiveLabels, v),
              "POST /crm/associations/" + d +
                  "/leads/contacts/batch/labels/archive | POST /crm/associations/" + d +
                  "/leads/{toType}/batch/labels/archive");
    EXPECT_EQ(line(Op::AssociationLabels, v), "GET /crm/associations/" + d +
                                                  "/leads/contacts/labels | GET /crm/associations/" + d +
                                                  "/leads/{toType}/labels");
    EXPECT_EQ(line(Op::ListProperties, v),
              "GET /crm/properties/" + d + "/leads | GET /crm/properties/" + d + "/leads");
    EXPECT_EQ(line(Op::CreateProperty, v),
              "POST /crm/properties/" + d + "/leads | POST /crm/properties/" + d + "/leads");
    EXPECT_EQ(line(Op::ListPipelines, v),
              "GET /crm/pipelines/" + d + "/leads | GET /crm/pipelines/" + d + "/leads");
    EXPECT_EQ(
        line(Op::ListPropertyValidations, v),
        "GET /crm/property-validations/" + d + "/0-136 | GET /crm/property-validations/" + d + "/0-136");
  }
}

TEST(Routes, PerTypeAssociationPathsHaveNoDatedForm) {
  for (auto v : {ApiVersion::v2026_03, ApiVersion::v2026_09}) {
    for (auto op : {Op::AssociateType, Op::UnassociateType}) {
      EXPECT_FALSE(detail::available(op, v));
      try {
        (void)route(op, v, "leads", kArgs);
        ADD_FAILURE() << "no error";
      } catch (const core::Error& e) {
        EXPECT_TRUE(e.is_fatal());
        EXPECT_THAT(e.what(), HasSubstr("internal error"));
        EXPECT_THAT(e.what(), HasSubstr(std::string(to_string(v))));
      }
    }
  }
  EXPECT_TRUE(detail::available(Op::AssociateType, ApiVersion::legacy));
}

TEST(Routes, ObjectTypeAndPathValuesAreEncoded) {
  auto r = route(Op::BatchReadAssociations, ApiVersion::v2026_03, "0-136", {.to_type = "a/b"});
  EXPECT_EQ(r.target, "/crm/associations/2026-03/0-136/a%2Fb/batch/read");
  EXPECT_EQ(r.route, "POST /crm/associations/2026-03/0-136/{toType}/batch/read");
}

TEST(Routes, OAuthTokenPathPerVersion) {
  EXPECT_EQ(detail::oauth_token_path(ApiVersion::legacy), "/oauth/v1/token");
  EXPECT_EQ(detail::oauth_token_path(ApiVersion::v2026_03), "/oauth/2026-03/token");
  EXPECT_EQ(detail::oauth_token_path(ApiVersion::v2026_09), "/oauth/2026-09/token");
}

// ---- the client on each version ----------------------------------------------------------------------

struct DatedClient : ClientFixture {
  DatedClient() : ClientFixture(RateLimitOptions{}, version_options(ApiVersion::v2026_09)) {}
};
struct MarchClient : ClientFixture {
  MarchClient() : ClientFixture(RateLimitOptions{}, version_options(ApiVersion::v2026_03)) {}
};
struct LegacyClient : ClientFixture {
  LegacyClient() : ClientFixture(RateLimitOptions{}, version_options(ApiVersion::legacy)) {}
};

TEST_F(MarchClient, CallsTheDatedPathsAndReportsVersionedRoutes) {
  transport.respond(200, R"({"results":[]})");
  (void)run_sync(client.list_page({}));
  EXPECT_THAT(request(0).target, ::testing::StartsWith("/crm/objects/2026-03/leads?"));
  EXPECT_EQ(observer.calls.at(0).route, "GET /crm/objects/2026-03/leads");
}

TEST_F(MarchClient, PerTypeAssociateIsUnavailableAndSendsNothing) {
  try {
    run_sync(client.associate("1", "contacts", "2", 608));
    ADD_FAILURE() << "no error";
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_THAT(e.what(), HasSubstr("internal error"));
  }
  EXPECT_TRUE(transport.requests().empty());
}

TEST_F(MarchClient, PairLabelsPutUsesTheObjectsFamily) {
  transport.respond(
      201,
      R"({"fromObjectTypeId":"0-136","fromObjectId":1,"toObjectTypeId":"0-1","toObjectId":2,"labels":[]})");
  (void)run_sync(client.put_association_labels("1", "contacts", "2", {{"HUBSPOT_DEFINED", 608}}));
  EXPECT_EQ(request(0).method, "PUT");
  EXPECT_EQ(request(0).target, "/crm/objects/2026-03/leads/1/associations/contacts/2");
}

TEST_F(MarchClient, CreatePropertyGivesEveryOptionADisplayOrder) {
  transport.respond(
      201, R"({"name":"tier","label":"Tier","type":"enumeration","fieldType":"select","groupName":"g"})");
  PropertyDefinition d;
  d.name = "tier";
  d.label = "Tier";
  d.type = "enumeration";
  d.field_type = "select";
  d.group_name = "g";
  d.options = {{"Gold", "gold", false, std::nullopt, std::nullopt},
               {"Silver", "silver", false, std::nullopt, 4},
               {"Bronze", "bronze", false, std::nullopt, std::nullopt}};
  (void)run_sync(client.create_property(d));
  const Json opts = body_of(request(0))["options"];
  EXPECT_EQ(request(0).target, "/crm/properties/2026-03/leads");
  EXPECT_EQ(opts[0]["displayOrder"], 5);
  EXPECT_EQ(opts[1]["displayOrder"], 4);
  EXPECT_EQ(opts[2]["displayOrder"], 6);
}

TEST_F(LegacyClient, CreatePropertyLeavesDisplayOrderOptional) {
  transport.respond(
      201, R"({"name":"tier","label":"Tier","type":"enumeration","fieldType":"select","groupName":"g"})");
  PropertyDefinition d;
  d.name = "tier";
  d.type = "enumeration";
  d.options = {{"Gold", "gold", false, std::nullopt, std::nullopt}};
  (void)run_sync(client.create_property(d));
  EXPECT_EQ(request(0).target, "/crm/v3/properties/leads");
  EXPECT_FALSE(body_of(request(0))["options"][0].contains("displayOrder"));
}

// ---- batch answers in every form ---------------------------------------------------------------------

// A 2026-09 validation failure as a batch error item: the rule's own errors[] nested inside.
Json validation_item(const std::string& trace_id, const std::string& code, const std::string& property) {
  return Json{{"status", "error"},
              {"category", "VALIDATION_ERROR"},
              {"message", "Some rule failed"},
              {"context", {{"objectWriteTraceId", {trace_id}}}},
              {"errors", {{{"code", code}, {"message", "x"}, {"context", {{"propertyName", {property}}}}}}},
              {"links", Json::object()}};
}

LeadUpdateInput update_input(const std::string& id) {
  return LeadUpdateInput{id, {{"hs_lead_type", "EXISTING_BUSINESS"}}, id};
}

TEST_F(MarchClient, MultiStatusErrorsAreRecordErrors) {
  transport.respond(207, batch_json(Json::array({lead_json("1")}),
                                    Json::array({validation_item("2", "INVALID_OPTION", "hs_lead_type")})));
  auto r = run_sync(client.batch_update({update_input("1"), update_input("2")}));
  ASSERT_EQ(r.results.size(), 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].http_status, 207);
  EXPECT_THAT(r.errors[0].trace_ids(), ::testing::ElementsAre("2"));
}

TEST_F(DatedClient, InlineErrorsOfA200AreRecordErrorsNamingTheProperty) {
  transport.respond(
      200,
      batch_json(Json::array({lead_json("1")}),
                 Json::array({validation_item("2", "MISSING_CONDITIONAL_REQUIRED_PROPERTY", "lead_notes")})));
  auto r = run_sync(client.batch_update({update_input("1"), update_input("2")}));
  ASSERT_EQ(transport.requests().size(), 1u);
  EXPECT_EQ(request(0).target, "/crm/objects/2026-09/leads/batch/update");
  ASSERT_EQ(r.results.size(), 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].http_status, 200);
  EXPECT_THAT(r.errors[0].trace_ids(), ::testing::ElementsAre("2"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("lead_notes (MISSING_CONDITIONAL_REQUIRED_PROPERTY)"));
  EXPECT_THAT(r.errors[0].context.at("propertyName"), ::testing::ElementsAre("lead_notes"));
}

TEST_F(DatedClient, InlineErrorsOfACreatedBatchCreateAreRecordErrors) {
  transport.handle([](const http::Request& req) {
    const Json in = Json::parse(req.body)["inputs"];
    Json ok = lead_json("100");
    ok["objectWriteTraceId"] = in[0]["objectWriteTraceId"];
    http::Response resp;
    resp.status = 201;
    resp.body = batch_json(Json::array({ok}),
                           Json::array({validation_item(in[1]["objectWriteTraceId"].get<std::string>(),
                                                        "MISSING_REQUIRED_PROPERTY", "lead_phone")}));
    return resp;
  });
  LeadCreateInput a, b;
  a.properties = {{"hs_lead_name", "A"}};
  b.properties = {{"hs_lead_name", "B"}};
  a.object_write_trace_id = "ta";
  b.object_write_trace_id = "tb";
  auto r = run_sync(client.batch_create({a, b}));
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].object_write_trace_id, "ta");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].trace_ids(), ::testing::ElementsAre("tb"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("lead_phone (MISSING_REQUIRED_PROPERTY)"));
}

TEST_F(LegacyClient, AssociationArchiveAnswered204HasNoErrors) {
  transport.respond(204, "");
  auto errors = run_sync(client.batch_archive_associations("contacts", {{"1", "2", {}}}));
  EXPECT_EQ(request(0).target, "/crm/v4/associations/leads/contacts/batch/archive");
  EXPECT_TRUE(errors.empty());
}

TEST_F(MarchClient, AssociationArchiveAnswered200WithABodyHasNoErrors) {
  transport.respond(200, R"({"status":"COMPLETE","results":[],"startedAt":"x","completedAt":"y"})");
  auto errors = run_sync(client.batch_archive_labels("contacts", {{"1", "2", {{"USER_DEFINED", 101}}}}));
  EXPECT_EQ(request(0).target, "/crm/associations/2026-03/leads/contacts/batch/labels/archive");
  EXPECT_TRUE(errors.empty());
}

TEST_F(MarchClient, AssociationArchiveErrorsInA200BodyAreReturned) {
  Json err{{"status", "error"},
           {"category", "VALIDATION_ERROR"},
           {"message", "bad pair"},
           {"context", {{"fromObjectId", {"1"}}}}};
  transport.respond(200, batch_json(Json::array(), Json::array({err})));
  auto errors = run_sync(client.batch_archive_associations("contacts", {{"1", "2", {}}}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].category, "VALIDATION_ERROR");
  EXPECT_EQ(errors[0].http_status, 200);
}

TEST_F(DatedClient, AssociationArchiveMayAlsoAnswer204) {
  transport.respond(204, "");
  auto errors = run_sync(client.batch_archive_labels("contacts", {{"1", "2", {{"USER_DEFINED", 101}}}}));
  EXPECT_TRUE(errors.empty());
}

TEST_F(MarchClient, LeadArchiveErrorsOfA207AreReturned) {
  transport.respond(207, batch_json(Json::array(), Json::array({Json{{"status", "error"},
                                                                     {"category", "OBJECT_NOT_FOUND"},
                                                                     {"message", "gone"},
                                                                     {"context", {{"ids", {"7"}}}}}})));
  auto errors = run_sync(client.batch_archive({"7", "8"}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].ids(), ::testing::ElementsAre("7"));
}

TEST_F(MarchClient, GarbledArchiveBodyIsRetriedNotTakenAsDone) {
  transport.respond(200, "<html>proxy</html>");
  transport.respond(204, "");
  auto errors = run_sync(client.batch_archive_associations("contacts", {{"1", "2", {}}}));
  EXPECT_EQ(transport.requests().size(), 2u);
  EXPECT_TRUE(errors.empty());
}

// ---- 2026-09 validation refusals -----------------------------------------------------------------------

const std::string kConditionalBody =
    R"({"status":"error","message":"Property lead_notes is required when hs_lead_type is EXISTING_BUSINESS [hs_lead_type]",)"
    R"("correlationId":"c0ffee00-0000-4000-8000-000000000002","category":"VALIDATION_ERROR",)"
    R"("errors":[{"code":"MISSING_CONDITIONAL_REQUIRED_PROPERTY","message":"m","context":{"propertyName":["lead_notes"]}}]})";

TEST_F(DatedClient, SingleUpdateRefusedByARuleIsARecordErrorNeverRetried) {
  transport.respond(400, kConditionalBody);
  try {
    (void)run_sync(client.update("1", {{"hs_lead_type", "EXISTING_BUSINESS"}}));
    ADD_FAILURE() << "no error";
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_record());
    EXPECT_THAT(e.what(), HasSubstr("lead_notes (MISSING_CONDITIONAL_REQUIRED_PROPERTY)"));
    EXPECT_EQ(e.details().category, "VALIDATION_ERROR");
  }
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST_F(DatedClient, AnyOtherValidationCodeStillNamesTheProperty) {
  transport.respond(400, R"({"status":"error","message":"nope","category":"VALIDATION_ERROR",)"
                         R"("errors":[{"code":"SOMETHING_NEW","context":{"propertyName":"lead_score"}}]})");
  try {
    (void)run_sync(client.update("1", {{"lead_score", "x"}}));
    ADD_FAILURE() << "no error";
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_record());
    EXPECT_THAT(e.what(), HasSubstr("lead_score (SOMETHING_NEW)"));
  }
  EXPECT_EQ(transport.requests().size(), 1u);
}

// Refuses (400, nothing written) every batch that contains `bad_id`, answers the others.
FakeTransport::Handler refuse_batches_with(std::string bad_id) {
  return [bad_id](const http::Request& req) {
    const Json in = Json::parse(req.body)["inputs"];
    http::Response resp;
    Json results = Json::array();
    for (const auto& i : in) {
      if (i["id"] == bad_id) {
        resp.status = 400;
        resp.body = kConditionalBody;
        return resp;
      }
      Json lead = lead_json(i["id"].get<std::string>());
      results.push_back(lead);
    }
    resp.status = 200;
    resp.body = batch_json(results);
    return resp;
  };
}

TEST_F(DatedClient, ABatchRefusedAsAWholeIsSplitUntilTheBadInputStandsAlone) {
  for (int i = 0; i < 5; ++i) transport.handle(refuse_batches_with("3"));
  auto r = run_sync(
      client.batch_update({update_input("1"), update_input("2"), update_input("3"), update_input("4")}));
  // [1,2,3,4] refused -> [1,2] ok, [3,4] refused -> [3] refused, [4] ok.
  EXPECT_EQ(transport.requests().size(), 5u);
  std::vector<std::string> ok;
  for (const auto& l : r.results) ok.push_back(l.id);
  EXPECT_THAT(ok, UnorderedElementsAre("1", "2", "4"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].trace_ids(), ::testing::ElementsAre("3"));
  EXPECT_THAT(r.errors[0].ids(), ::testing::ElementsAre("3"));
  EXPECT_EQ(r.errors[0].category, "VALIDATION_ERROR");
  EXPECT_THAT(r.errors[0].message, HasSubstr("lead_notes"));
}

TEST_F(DatedClient, ABatchCreateRefusedAsAWholeIsSplitToo) {
  // Refuses any batch containing the input named "bad"; echoes trace ids otherwise.
  auto handler = [](const http::Request& req) {
    const Json in = Json::parse(req.body)["inputs"];
    http::Response resp;
    Json results = Json::array();
    int n = 0;
    for (const auto& i : in) {
      if (i["properties"]["hs_lead_name"] == "bad") {
        resp.status = 400;
        resp.body = kConditionalBody;
        return resp;
      }
      Json lead = lead_json(std::to_string(500 + n++));
      lead["objectWriteTraceId"] = i["objectWriteTraceId"];
      results.push_back(lead);
    }
    resp.status = 201;
    resp.body = batch_json(results);
    return resp;
  };
  for (int i = 0; i < 3; ++i) transport.handle(handler);
  std::vector<LeadCreateInput> inputs(2);
  inputs[0].properties = {{"hs_lead_name", "good"}};
  inputs[0].object_write_trace_id = "t-good";
  inputs[1].properties = {{"hs_lead_name", "bad"}};
  inputs[1].object_write_trace_id = "t-bad";
  auto r = run_sync(client.batch_create(inputs));
  EXPECT_EQ(transport.requests().size(), 3u);
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].object_write_trace_id, "t-good");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].trace_ids(), ::testing::ElementsAre("t-bad"));
}

TEST_F(DatedClient, ATransientFailureOfABatchIsNotSplit) {
  transport.respond(503, "{}");
  transport.respond(503, "{}");
  transport.respond(503, "{}");
  transport.respond(503, "{}");
  transport.respond(503, "{}");
  EXPECT_THROW(run_sync(client.batch_update({update_input("1"), update_input("2")})), core::Error);
  EXPECT_EQ(transport.requests().size(), 5u);  // the retry policy's attempts, all with both inputs
  for (const auto& req : transport.requests()) EXPECT_EQ(Json::parse(req.body)["inputs"].size(), 2u);
}

}  // namespace
}  // namespace leadsync::hubspot::test
