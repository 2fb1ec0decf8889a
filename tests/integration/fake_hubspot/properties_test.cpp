// Property validation on write: unknown, read-only, enumeration options, pipeline stages, value types,
// and hasUniqueValue custom properties on create, update and upsert.
#include "helpers.hpp"

namespace leadsync::fake_hubspot_test {
namespace {

// The single error code inside HubSpot's "Property values were not valid: [...]" message.
std::string error_code(const SimpleResponse& r) {
  auto b = body_of(r);
  const std::string msg = b.value("message", "");
  const auto start = msg.find('[');
  if (start == std::string::npos) return "no list in: " + msg;
  auto list = json::parse(msg.substr(start));
  return list.at(0).at("error").get<std::string>();
}

SimpleResponse patch(FakeHubspot& fake, const std::string& id, const json& props) {
  return fake.api("PATCH", "/crm/v3/objects/leads/" + id, json({{"properties", props}}).dump());
}

void create_unique_property(FakeHubspot& fake, const std::string& name) {
  json def = {{"name", name},
              {"label", "Sync key"},
              {"type", "string"},
              {"fieldType", "text"},
              {"groupName", "leadinformation"},
              {"hasUniqueValue", true}};
  auto r = fake.api("POST", "/crm/v3/properties/leads", def.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body_of(r)["hasUniqueValue"], true);
}

TEST(FakeHubspotProperties, UnknownReadOnlyAndEnumerationValuesAreRefused) {
  FakeHubspot fake;
  const std::string id = create_lead_with_contact(fake, "Validate")["id"];
  auto unknown = patch(fake, id, {{"no_such_property", "x"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(body_of(unknown)["category"], "VALIDATION_ERROR");
  EXPECT_EQ(error_code(unknown), "PROPERTY_DOESNT_EXIST");
  EXPECT_EQ(error_code(patch(fake, id, {{"hs_lastmodifieddate", "2026-01-01T00:00:00.000Z"}})),
            "READ_ONLY_VALUE");
  EXPECT_EQ(error_code(patch(fake, id, {{"hs_lead_label", "LUKEWARM"}})), "INVALID_OPTION");
  EXPECT_EQ(error_code(patch(fake, id, {{"hs_lead_label", "hot"}})), "INVALID_OPTION");  // case-sensitive
  EXPECT_EQ(error_code(patch(fake, id, {{"hs_pipeline_stage", "closed-won"}})), "INVALID_OPTION");
  EXPECT_EQ(error_code(patch(fake, id, {{"is_priority", "maybe"}})), "INVALID_OPTION");
  EXPECT_EQ(error_code(patch(fake, id, {{"lead_tags", "inbound;nonsense"}})), "INVALID_OPTION");
  EXPECT_EQ(error_code(patch(fake, id, {{"lead_score", "twelve"}})), "INVALID_INTEGER");
  EXPECT_EQ(error_code(patch(fake, id, {{"follow_up_date", "1767225600001"}})), "INVALID_DATE");
  // Nothing of the refused writes landed.
  auto unchanged = body_of(fake.api("GET", "/crm/v3/objects/leads/" + id + "?properties=hs_lead_label"));
  EXPECT_TRUE(unchanged["properties"]["hs_lead_label"].is_null());

  auto ok = patch(fake, id,
                  {{"hs_lead_label", "HOT"},
                   {"hs_pipeline_stage", "qualified-stage-id"},
                   {"is_priority", "TRUE"},
                   {"lead_tags", "inbound;event"},
                   {"lead_score", "12.5"},
                   {"follow_up_date", "2026-03-01"},
                   {"last_touch_at", "1767225600123"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto p = body_of(ok)["properties"];
  EXPECT_EQ(p["is_priority"], "true");
  EXPECT_EQ(p["last_touch_at"], "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(p["follow_up_date"], "2026-03-01");
  // "" clears a value.
  auto cleared = patch(fake, id, {{"lead_score", ""}});
  ASSERT_EQ(cleared.status, 200);
  EXPECT_EQ(body_of(cleared)["properties"]["lead_score"], "");
  auto empty = fake.api("PATCH", "/crm/v3/objects/leads/" + id, R"({"properties":{}})");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(body_of(empty)["message"], "No properties found to update, please provide at least one.");
}

TEST(FakeHubspotProperties, UniqueValuesAreRefusedOnCreateUpdateAndBatch) {
  FakeHubspot fake;
  create_unique_property(fake, "sync_key");
  std::string contact;
  auto first = create_lead_with_contact(fake, "First", &contact);
  ASSERT_EQ(patch(fake, first["id"], {{"sync_key", "K-1"}}).status, 200);
  // Create with a taken value.
  json dup = {{"properties", {{"hs_lead_name", "Dup"}, {"sync_key", "K-1"}}},
              {"associations", json::array({primary(contact, 578)})}};
  auto r = fake.api("POST", "/crm/v3/objects/leads", dup.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "VALUE_NOT_UNIQUE");
  // Update another lead to the taken value.
  auto second = create_lead_with_contact(fake, "Second");
  EXPECT_EQ(error_code(patch(fake, second["id"], {{"sync_key", "K-1"}})), "VALUE_NOT_UNIQUE");
  // Writing its own value again is fine.
  EXPECT_EQ(patch(fake, first["id"], {{"sync_key", "K-1"}}).status, 200);
  // Batch create with the same new value twice: without objectWriteTraceIds the whole batch fails.
  json twice = {{"inputs", json::array({{{"properties", {{"hs_lead_name", "A"}, {"sync_key", "K-2"}}},
                                         {"associations", json::array({primary(contact, 578)})}},
                                        {{"properties", {{"hs_lead_name", "B"}, {"sync_key", "K-2"}}},
                                         {"associations", json::array({primary(contact, 578)})}}})}};
  EXPECT_EQ(fake.api("POST", "/crm/v3/objects/leads/batch/create", twice.dump()).status, 400);
  EXPECT_EQ(body_of(fake.api("POST", "/crm/v3/objects/leads/search", "{}"))["total"], 2);
  // Upsert by the unique property updates the existing lead.
  json upsert = {{"inputs", json::array({{{"idProperty", "sync_key"},
                                          {"id", "K-1"},
                                          {"properties", {{"hs_lead_label", "WARM"}}}}})}};
  auto u = fake.api("POST", "/crm/v3/objects/leads/batch/upsert", upsert.dump());
  ASSERT_EQ(u.status, 200) << u.body;
  auto ub = body_of(u);
  EXPECT_EQ(ub["results"][0]["id"], first["id"]);
  EXPECT_EQ(ub["results"][0]["new"], false);
  EXPECT_EQ(ub["results"][0]["properties"]["hs_lead_label"], "WARM");
  // Upsert setting a value another lead holds: refused, with the error per input when traced.
  ASSERT_EQ(patch(fake, second["id"], {{"sync_key", "K-2"}}).status, 200);
  json clash = {
      {"inputs",
       json::array({{{"idProperty", "sync_key"}, {"id", "K-2"}, {"properties", {{"sync_key", "K-1"}}}}})}};
  auto c = fake.api("POST", "/crm/v3/objects/leads/batch/upsert", clash.dump());
  EXPECT_EQ(c.status, 400);
  EXPECT_EQ(error_code(c), "VALUE_NOT_UNIQUE");
  clash["inputs"][0]["objectWriteTraceId"] = "clash";
  auto traced = body_of(fake.api("POST", "/crm/v3/objects/leads/batch/upsert", clash.dump()));
  EXPECT_EQ(traced["numErrors"], 1);
  EXPECT_NE(traced["errors"][0]["message"].get<std::string>().find("VALUE_NOT_UNIQUE"), std::string::npos);
  // Get by the unique property.
  auto g = fake.api("GET", "/crm/v3/objects/leads/K-1?idProperty=sync_key");
  ASSERT_EQ(g.status, 200);
  EXPECT_EQ(body_of(g)["id"], first["id"]);
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads/First?idProperty=hs_lead_name").status, 400);
  // An archived lead releases its unique value.
  ASSERT_EQ(fake.api("DELETE", "/crm/v3/objects/leads/" + first["id"].get<std::string>()).status, 204);
  EXPECT_EQ(patch(fake, second["id"], {{"sync_key", "K-1"}}).status, 200);
  EXPECT_EQ(body_of(fake.api("GET", "/crm/v3/objects/leads/K-1?idProperty=sync_key"))["id"], second["id"]);
}

TEST(FakeHubspotProperties, UpsertOfANewLeadFailsForWantOfAPrimaryAssociation) {
  FakeHubspot fake;
  create_unique_property(fake, "sync_key");
  json upsert = {{"inputs", json::array({{{"idProperty", "sync_key"},
                                          {"id", "NEW-1"},
                                          {"properties", {{"hs_lead_name", "New"}}},
                                          {"objectWriteTraceId", "t1"}}})}};
  auto r = fake.api("POST", "/crm/v3/objects/leads/batch/upsert", upsert.dump());
  ASSERT_EQ(r.status, 207) << r.body;
  auto b = body_of(r);
  EXPECT_EQ(b["numErrors"], 1);
  EXPECT_EQ(b["errors"][0]["context"]["objectWriteTraceId"], json::array({"t1"}));
  EXPECT_TRUE(b["results"].empty());
  // hs_object_id is not a unique property for upserts.
  json by_id = {{"inputs", json::array({{{"idProperty", "hs_object_id"},
                                         {"id", "1"},
                                         {"properties", {{"hs_lead_name", "x"}}}}})}};
  auto e = fake.api("POST", "/crm/v3/objects/leads/batch/upsert", by_id.dump());
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(
      body_of(e)["message"],
      "Unable to perform update/upsert by non-unique 0-136 property hs_object_id in portal ID 12345678");
}

TEST(FakeHubspotProperties, PropertiesAndPipelinesEndpoints) {
  FakeHubspot fake;
  auto list = body_of(fake.api("GET", "/crm/v3/properties/leads"));
  std::map<std::string, json> by_name;
  for (const auto& p : list["results"]) by_name[p["name"]] = p;
  for (const char* n : {"hs_lead_name", "hs_lead_type", "hs_lead_label", "hs_pipeline", "hs_pipeline_stage",
                        "hubspot_owner_id", "hs_createdate", "hs_lastmodifieddate", "hs_object_id"})
    EXPECT_TRUE(by_name.count(n)) << n;
  EXPECT_EQ(by_name["hs_pipeline_stage"]["externalOptions"], true);
  EXPECT_TRUE(by_name["hs_pipeline_stage"]["options"].empty());
  EXPECT_EQ(by_name["hs_object_id"]["modificationMetadata"]["readOnlyValue"], true);
  auto one = fake.api("GET", "/crm/v3/properties/leads/hs_lead_label");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(body_of(one)["options"].size(), 3u);
  EXPECT_EQ(fake.api("GET", "/crm/v3/properties/leads/nope").status, 404);
  json def = {{"name", "x_prop"},
              {"label", "X"},
              {"type", "string"},
              {"fieldType", "text"},
              {"groupName", "leadinformation"}};
  EXPECT_EQ(fake.api("POST", "/crm/v3/properties/leads", def.dump()).status, 201);
  EXPECT_EQ(fake.api("POST", "/crm/v3/properties/leads", def.dump()).status, 409);
  auto pipes = body_of(fake.api("GET", "/crm/v3/pipelines/leads"));
  ASSERT_EQ(pipes["results"].size(), 1u);
  EXPECT_EQ(pipes["results"][0]["id"], "lead-pipeline-id");
  std::vector<std::string> stages;
  for (const auto& s : pipes["results"][0]["stages"]) stages.push_back(s["id"]);
  EXPECT_EQ(stages, (std::vector<std::string>{"new-stage-id", "attempting-stage-id", "connected-stage-id",
                                              "qualified-stage-id", "unqualified-stage-id"}));
}

TEST(FakeHubspotProperties, ValidationRulesAreSetAndReadInEveryVersion) {
  FakeHubspot fake;
  const std::string v3 = "/crm/v3/property-validations/0-136";
  auto empty = fake.api("GET", v3);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(body_of(empty)["results"], json::array());

  auto put = fake.api("PUT", v3 + "/hs_lead_name/rule-type/MAX_LENGTH",
                      json{{"ruleArguments", {"20"}}, {"shouldApplyNormalization", true}}.dump());
  EXPECT_EQ(put.status, 204) << put.body;
  EXPECT_EQ(fake.api("PUT", "/crm/property-validations/2026-03/0-136/hs_lead_name/rule-type/ALPHANUMERIC",
                     json{{"ruleArguments", {"NUMERIC_ONLY"}}}.dump())
                .status,
            204);
  // A second PUT of a rule type replaces that rule only.
  EXPECT_EQ(fake.api("PUT", v3 + "/hs_lead_name/rule-type/MAX_LENGTH", json{{"ruleArguments", {"30"}}}.dump())
                .status,
            204);
  for (const std::string& path : {v3, std::string("/crm/property-validations/2026-03/0-136"),
                                  std::string("/crm/property-validations/2026-09/leads")}) {
    SCOPED_TRACE(path);
    auto r = fake.api("GET", path);
    ASSERT_EQ(r.status, 200) << r.body;
    const json results = body_of(r)["results"];
    ASSERT_EQ(results.size(), 1u) << results;
    EXPECT_EQ(results[0]["propertyName"], "hs_lead_name");
    ASSERT_EQ(results[0]["propertyValidationRules"].size(), 2u);
    EXPECT_EQ(results[0]["propertyValidationRules"][0]["ruleType"], "ALPHANUMERIC");
    EXPECT_EQ(results[0]["propertyValidationRules"][1]["ruleArguments"], json({"30"}));
  }
  auto one = fake.api("GET", v3 + "/hs_lead_name");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(body_of(one)["results"].size(), 2u);
  EXPECT_EQ(body_of(fake.api("GET", v3 + "/hs_lead_type"))["results"], json::array());
  EXPECT_EQ(fake.api("GET", v3 + "/nope").status, 404);
  EXPECT_EQ(fake.api("GET", v3 + "/hs_lead_name/rule-type/MAX_LENGTH").status, 200);

  // Refused: unknown property, a bad rule type, arguments that are not strings, another object type.
  EXPECT_EQ(fake.api("PUT", v3 + "/nope/rule-type/MAX_LENGTH", json{{"ruleArguments", {"1"}}}.dump()).status,
            404);
  EXPECT_EQ(fake.api("PUT", v3 + "/hs_lead_name/rule-type/max-length", json{{"ruleArguments", {"1"}}}.dump())
                .status,
            400);
  EXPECT_EQ(
      fake.api("PUT", v3 + "/hs_lead_name/rule-type/MIN_LENGTH", json{{"ruleArguments", {1}}}.dump()).status,
      400);
  EXPECT_EQ(fake.api("GET", "/crm/v3/property-validations/0-1").status, 400);

  EXPECT_EQ(fake.api("DELETE", v3 + "/hs_lead_name/rule-type/ALPHANUMERIC").status, 204);
  EXPECT_EQ(body_of(fake.api("GET", v3 + "/hs_lead_name"))["results"].size(), 1u);
  EXPECT_EQ(fake.admin("POST", "/_fake/reset").status, 200);
  EXPECT_EQ(body_of(fake.api("GET", v3))["results"], json::array());
}

}  // namespace
}  // namespace leadsync::fake_hubspot_test
