// The date-versioned API (2026-03, 2026-09) next to the legacy v3/v4 paths: per-pair association
// PUT/DELETE semantics, archive responses, batch error forms, 2026-09 write-validation rules, property
// option displayOrder, pipeline stage writePermissions, and stats per route template and version.
#include "helpers.hpp"

namespace leadsync::fake_hubspot_test {
namespace {

json spec(int type_id, const std::string& category = "HUBSPOT_DEFINED") {
  return {{"associationCategory", category}, {"associationTypeId", type_id}};
}

json lead_state(FakeHubspot& fake, const std::string& id) {
  return body_of(fake.admin("GET", "/_fake/leads/" + id));
}

// Type ids of the lead's association with `to_id` ("contacts"/"companies"), from the admin view.
json types_of(FakeHubspot& fake, const std::string& lead, const std::string& kind, const std::string& to_id) {
  const json state = lead_state(fake, lead);
  for (const auto& a : state["associations"][kind])
    if (a["id"] == to_id) return a["types"];
  return json::array();
}

void configure(FakeHubspot& fake, const json& config) {
  auto r = fake.admin("POST", "/_fake/config", config.dump());
  ASSERT_EQ(r.status, 200) << r.body;
}

json lead_input(const std::string& name, const std::string& contact, json extra = json::object()) {
  json props = {{"hs_lead_name", name}};
  props.update(extra);
  return {{"properties", props}, {"associations", json::array({primary(contact, 578)})}};
}

TEST(FakeHubspotVersions, DatedObjectRoutesServeLeadsAndStatsKeepOneKeyPerVersion) {
  FakeHubspot fake;
  const std::string contact = make_object(fake, "contacts");
  auto created = fake.api("POST", "/crm/objects/2026-03/leads", lead_input("Dated", contact).dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = body_of(created)["id"];
  EXPECT_EQ(fake.api("GET", "/crm/objects/2026-09/leads/" + id).status, 200);
  EXPECT_EQ(fake.api("GET", "/crm/objects/2026-03/leads/" + id).status, 200);
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads/" + id).status, 200);
  EXPECT_EQ(fake.api("GET", "/crm/objects/2026-09-beta/0-136/" + id).status, 200);
  // No date version before 2026-03 exists.
  EXPECT_EQ(fake.api("GET", "/crm/objects/2025-09/leads/" + id).status, 404);
  const auto requests = stats(fake)["requests"];
  EXPECT_EQ(requests["POST /crm/objects/2026-03/leads"], 1);
  EXPECT_EQ(requests["GET /crm/objects/2026-09/leads/{id}"], 1);
  EXPECT_EQ(requests["GET /crm/objects/2026-03/leads/{id}"], 1);
  EXPECT_EQ(requests["GET /crm/v3/objects/leads/{id}"], 1);
  EXPECT_EQ(requests["GET /crm/objects/2026-09-beta/0-136/{id}"], 1);
}

TEST(FakeHubspotVersions, PairPutReplacesTheLabelsAndPairDeleteRemovesEveryType) {
  for (const std::string version : {"2026-03", "2026-09"}) {
    SCOPED_TRACE(version);
    FakeHubspot fake;
    std::string contact;
    const std::string id = create_lead_with_contact(fake, "Pair", &contact)["id"];
    const std::string company = make_object(fake, "companies");
    const std::string base =
        "/crm/objects/" + version + "/leads/" + id + "/associations/companies/" + company;
    auto put = fake.api("PUT", base, json::array({spec(580)}).dump());
    ASSERT_EQ(put.status, 201) << put.body;
    auto pair = body_of(put);
    EXPECT_EQ(pair["fromObjectTypeId"], "0-136");
    EXPECT_EQ(pair["toObjectTypeId"], "0-2");
    EXPECT_EQ(pair["fromObjectId"].dump(), id);  // a JSON number by default, as v4 sends it
    EXPECT_EQ(pair["labels"], json::array({"Primary"}));
    EXPECT_EQ(types_of(fake, id, "companies", company), json::array({580, 610}));
    // Sending only the unlabeled type replaces the pair's labels: the primary is gone.
    put = fake.api("PUT", base, json::array({spec(610)}).dump());
    ASSERT_EQ(put.status, 201) << put.body;
    EXPECT_EQ(body_of(put)["labels"], json::array());
    EXPECT_EQ(types_of(fake, id, "companies", company), json::array({610}));
    // The category is required.
    EXPECT_EQ(fake.api("PUT", base, R"([{"associationTypeId":580}])").status, 400);
    // The v3 spelling with the type id in the path is declared by no date-versioned spec.
    EXPECT_EQ(fake.api("PUT", base + "/580").status, 404);
    EXPECT_EQ(fake.api("DELETE", base + "/610").status, 404);
    // The pair DELETE removes every type between the two records.
    ASSERT_EQ(fake.api("PUT", base, json::array({spec(580), spec(610)}).dump()).status, 201);
    ASSERT_EQ(fake.api("DELETE", base).status, 204);
    EXPECT_EQ(types_of(fake, id, "companies", company), json::array());
    EXPECT_EQ(types_of(fake, id, "contacts", contact), json::array({578, 608}));
    // The default association, and the reverse direction through the generic objects path.
    auto def = fake.api(
        "PUT", "/crm/objects/" + version + "/leads/" + id + "/associations/default/companies/" + company);
    ASSERT_EQ(def.status, 200) << def.body;
    EXPECT_EQ(body_of(def)["results"][0]["associationSpec"]["associationTypeId"], 610);
    auto reverse =
        fake.api("PUT", "/crm/objects/" + version + "/companies/" + company + "/associations/leads/" + id,
                 json::array({spec(581)}).dump());
    ASSERT_EQ(reverse.status, 201) << reverse.body;
    EXPECT_EQ(types_of(fake, id, "companies", company), json::array({580, 610}));
    const auto requests = stats(fake)["requests"];
    EXPECT_EQ(requests["PUT /crm/objects/" + version + "/leads/{id}/associations/companies/{id}"], 4);
    EXPECT_EQ(requests["PUT /crm/objects/" + version + "/companies/{id}/associations/leads/{id}"], 1);
    EXPECT_EQ(requests["DELETE /crm/objects/" + version + "/leads/{id}/associations/companies/{id}"], 1);
  }
}

TEST(FakeHubspotVersions, UserDefinedLabelsAreReplacedByAPairPutAndKeptByALabelsArchive) {
  FakeHubspot fake;
  std::string contact;
  const std::string id = create_lead_with_contact(fake, "Labels", &contact)["id"];
  const std::string company = make_object(fake, "companies");
  const std::string pair = "/crm/objects/2026-03/leads/" + id + "/associations/companies/" + company;
  auto put = fake.api("PUT", pair, json::array({spec(610), spec(103, "USER_DEFINED")}).dump());
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(body_of(put)["labels"], json::array({"Billing company"}));
  EXPECT_EQ(types_of(fake, id, "companies", company), json::array({610, 103}));
  // The category must match the label's.
  EXPECT_EQ(fake.api("PUT", pair, json::array({spec(103)}).dump()).status, 400);
  // Mapping only 580: sending [580, 610] alone would drop the user's label, so it must be resent.
  ASSERT_EQ(fake.api("PUT", pair, json::array({spec(580), spec(610)}).dump()).status, 201);
  EXPECT_EQ(types_of(fake, id, "companies", company), json::array({580, 610}));
  ASSERT_EQ(
      fake.api("PUT", pair, json::array({spec(580), spec(610), spec(103, "USER_DEFINED")}).dump()).status,
      201);
  // Archiving one label keeps the others.
  json archive = {
      {"inputs", json::array({{{"from", {{"id", id}}}, {"to", {{"id", company}}}, {"types", {spec(580)}}}})}};
  auto r = fake.api("POST", "/crm/associations/2026-03/leads/companies/batch/labels/archive", archive.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(types_of(fake, id, "companies", company), json::array({610, 103}));
  // Every read shows the label.
  auto v4 = body_of(fake.api("GET", "/crm/objects/2026-03/leads/" + id + "/associations/companies"));
  EXPECT_EQ(v4["results"][0]["associationTypes"][1],
            json({{"category", "USER_DEFINED"}, {"typeId", 103}, {"label", "Billing company"}}));
  auto v3 = body_of(fake.api("GET", "/crm/v3/objects/leads/" + id + "?associations=companies"));
  EXPECT_EQ(v3["associations"]["companies"]["results"][1]["type"], "lead_to_company_103");
  auto labels = body_of(fake.api("GET", "/crm/associations/2026-03/leads/companies/labels"))["results"];
  EXPECT_EQ(labels.back(),
            json({{"category", "USER_DEFINED"}, {"typeId", 103}, {"label", "Billing company"}}));
}

TEST(FakeHubspotVersions, DatedAssociationListIsTheV4Shape) {
  FakeHubspot fake;
  std::string contact;
  const std::string id = create_lead_with_contact(fake, "List", &contact)["id"];
  auto r = fake.api("GET", "/crm/objects/2026-03/leads/" + id + "/associations/contacts");
  ASSERT_EQ(r.status, 200) << r.body;
  auto results = body_of(r)["results"];
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["toObjectId"].dump(), contact);
  EXPECT_EQ(results[0]["associationTypes"][0]["typeId"], 578);
  EXPECT_EQ(results[0]["associationTypes"][0]["category"], "HUBSPOT_DEFINED");
  // The legacy v3 list keeps its own shape.
  auto v3 = body_of(fake.api("GET", "/crm/v3/objects/leads/" + id + "/associations/contacts"));
  EXPECT_EQ(v3["results"][0]["type"], "lead_to_primary_contact");
}

TEST(FakeHubspotVersions, AssociationIdsCanBeSwitchedToStringsInTheDatedVersions) {
  FakeHubspot fake;
  std::string contact;
  const std::string id = create_lead_with_contact(fake, "Ids", &contact)["id"];
  configure(fake, {{"association_ids_dated", "string"}});
  auto dated = body_of(fake.api("GET", "/crm/objects/2026-03/leads/" + id + "/associations/contacts"));
  EXPECT_EQ(dated["results"][0]["toObjectId"], contact);
  auto put = body_of(fake.api("PUT", "/crm/objects/2026-03/leads/" + id + "/associations/contacts/" + contact,
                              json::array({spec(578)}).dump()));
  EXPECT_EQ(put["fromObjectId"], id);
  EXPECT_EQ(put["toObjectId"], contact);
  // v4 is not affected.
  auto v4 = body_of(fake.api("GET", "/crm/v4/objects/leads/" + id + "/associations/contacts"));
  EXPECT_TRUE(v4["results"][0]["toObjectId"].is_number());
}

TEST(FakeHubspotVersions, AssociationArchivesAnswer200WithABatchResponseInTheDatedVersions) {
  FakeHubspot fake;
  std::string c1, c2, c3;
  const std::string l1 = create_lead_with_contact(fake, "A1", &c1)["id"];
  const std::string l2 = create_lead_with_contact(fake, "A2", &c2)["id"];
  const std::string l3 = create_lead_with_contact(fake, "A3", &c3)["id"];
  // Drop only the unlabeled type of l1's pair? That removes the pair, so drop the primary label instead
  // after adding a second primary so that the lead survives.
  const std::string company = make_object(fake, "companies");
  ASSERT_EQ(fake.api("PUT", "/crm/objects/2026-03/leads/" + l1 + "/associations/companies/" + company,
                     json::array({spec(580)}).dump())
                .status,
            201);
  json labels = {
      {"inputs", json::array({{{"from", {{"id", l1}}}, {"to", {{"id", c1}}}, {"types", {spec(578)}}}})}};
  auto r = fake.api("POST", "/crm/associations/2026-03/leads/contacts/batch/labels/archive", labels.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = body_of(r);
  EXPECT_EQ(body["status"], "COMPLETE");
  EXPECT_EQ(body["results"], json::array());
  EXPECT_TRUE(body.contains("startedAt") && body.contains("completedAt"));
  EXPECT_FALSE(body.contains("numErrors"));
  EXPECT_EQ(types_of(fake, l1, "contacts", c1), json::array({608}));
  json archive = {{"inputs", json::array({{{"from", {{"id", l2}}}, {"to", json::array({{{"id", c2}}})}}})}};
  r = fake.api("POST", "/crm/associations/2026-09/leads/contacts/batch/archive", archive.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["status"], "COMPLETE");
  // v4 keeps 204; the dated form can be switched to 204 too.
  configure(fake, {{"association_archive_dated", "no_content"}});
  archive["inputs"][0] = {{"from", {{"id", l3}}}, {"to", json::array({{{"id", c3}}})}};
  r = fake.api("POST", "/crm/associations/2026-03/leads/contacts/batch/archive", archive.dump());
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  // Lead batch archive answers 204 in every version.
  EXPECT_EQ(fake.api("POST", "/crm/objects/2026-03/leads/batch/archive", R"({"inputs":[{"id":"1"}]})").status,
            204);
}

TEST(FakeHubspotVersions, BatchErrorsAre207In2026_03AndInlineIn2026_09) {
  FakeHubspot fake;
  const std::string contact = make_object(fake, "contacts");
  const std::string id = create_lead_with_contact(fake, "Batch")["id"];
  const std::string read = json({{"inputs", json::array({{{"id", id}}, {{"id", "999"}}})},
                                 {"properties", json::array()},
                                 {"propertiesWithHistory", json::array()}})
                               .dump();
  EXPECT_EQ(fake.api("POST", "/crm/v3/objects/leads/batch/read", read).status, 207);
  EXPECT_EQ(fake.api("POST", "/crm/objects/2026-03/leads/batch/read", read).status, 207);
  auto r = fake.api("POST", "/crm/objects/2026-09/leads/batch/read", read);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["numErrors"], 1);
  EXPECT_EQ(body_of(r)["errors"][0]["category"], "OBJECT_NOT_FOUND");
  EXPECT_EQ(body_of(r)["results"].size(), 1u);

  auto good = lead_input("Good", contact);
  good["objectWriteTraceId"] = "t-good";
  json bad = {{"properties", {{"hs_lead_name", "Bad"}, {"hs_lead_label", "LUKEWARM"}}},
              {"associations", json::array({primary(contact, 578)})},
              {"objectWriteTraceId", "t-bad"}};
  const std::string create = json({{"inputs", json::array({good, bad})}}).dump();
  EXPECT_EQ(fake.api("POST", "/crm/objects/2026-03/leads/batch/create", create).status, 207);
  r = fake.api("POST", "/crm/objects/2026-09/leads/batch/create", create);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body_of(r)["numErrors"], 1);
  EXPECT_EQ(body_of(r)["errors"][0]["context"]["objectWriteTraceId"], json::array({"t-bad"}));
  EXPECT_EQ(body_of(r)["results"][0]["objectWriteTraceId"], "t-good");

  // Association batch create: 201/207 in v4 and 2026-03, 200 in 2026-09 with or without errors.
  const std::string company = make_object(fake, "companies");
  json assoc = {
      {"inputs", json::array({{{"from", {{"id", id}}}, {"to", {{"id", company}}}, {"types", {spec(610)}}}})}};
  EXPECT_EQ(fake.api("POST", "/crm/associations/2026-03/leads/companies/batch/create", assoc.dump()).status,
            201);
  EXPECT_EQ(fake.api("POST", "/crm/associations/2026-09/leads/companies/batch/create", assoc.dump()).status,
            200);
  assoc["inputs"].push_back({{"from", {{"id", id}}}, {"to", {{"id", "12"}}}, {"types", {spec(610)}}});
  EXPECT_EQ(fake.api("POST", "/crm/v4/associations/leads/companies/batch/create", assoc.dump()).status, 207);
  EXPECT_EQ(fake.api("POST", "/crm/associations/2026-03/leads/companies/batch/create", assoc.dump()).status,
            207);
  r = fake.api("POST", "/crm/associations/2026-09/leads/companies/batch/create", assoc.dump());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r)["numErrors"], 1);

  // 207 can be switched back on for 2026-09 (GA behaviour unconfirmed).
  configure(fake, {{"batch_errors_2026_09", "multi_status"}});
  EXPECT_EQ(fake.api("POST", "/crm/objects/2026-09/leads/batch/read", read).status, 207);
  const auto requests = stats(fake)["requests"];
  EXPECT_EQ(requests["POST /crm/objects/2026-09/leads/batch/read"], 2);
  EXPECT_EQ(requests["POST /crm/objects/2026-03/leads/batch/read"], 1);
  EXPECT_EQ(requests["POST /crm/associations/2026-09/leads/companies/batch/create"], 2);
}

TEST(FakeHubspotVersions, ValidationRulesApplyTo2026_09WritesOnly) {
  FakeHubspot fake;
  const std::string contact = make_object(fake, "contacts");
  configure(fake, {{"validation_rules",
                    json::array({{{"kind", "conditional_required"},
                                  {"property", "lead_notes"},
                                  {"if_property", "hs_lead_type"},
                                  {"if_value", "EXISTING_BUSINESS"}},
                                 {{"kind", "required_on_create"}, {"property", "lead_phone"}}})}});
  // Required on create.
  auto r = fake.api("POST", "/crm/objects/2026-09/leads", lead_input("No phone", contact).dump());
  ASSERT_EQ(r.status, 400) << r.body;
  auto b = body_of(r);
  EXPECT_EQ(b["category"], "VALIDATION_ERROR");
  EXPECT_EQ(b["status"], "error");
  ASSERT_EQ(b["errors"].size(), 1u);
  EXPECT_EQ(b["errors"][0]["code"], "MISSING_REQUIRED_PROPERTY");
  EXPECT_EQ(b["errors"][0]["context"]["propertyName"], json::array({"lead_phone"}));
  // Both rules broken at once: both reported.
  r = fake.api("POST", "/crm/objects/2026-09/leads",
               lead_input("Both", contact, {{"hs_lead_type", "EXISTING_BUSINESS"}}).dump());
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["errors"].size(), 2u);
  // The same writes on v3 and 2026-03 pass: the enforcement is tied to the 2026-09 paths.
  EXPECT_EQ(fake.api("POST", "/crm/objects/2026-03/leads", lead_input("Old", contact).dump()).status, 201);
  auto ok = fake.api("POST", "/crm/objects/2026-09/leads",
                     lead_input("Ok", contact, {{"lead_phone", "+1 555"}}).dump());
  ASSERT_EQ(ok.status, 201) << ok.body;
  const std::string id = body_of(ok)["id"];
  // Conditional: setting the controlling value without the dependent property fails, with it passes.
  const std::string path = "/crm/objects/2026-09/leads/" + id;
  r = fake.api("PATCH", path, R"({"properties":{"hs_lead_type":"EXISTING_BUSINESS"}})");
  ASSERT_EQ(r.status, 400) << r.body;
  b = body_of(r);
  EXPECT_EQ(b["errors"][0]["code"], "MISSING_CONDITIONAL_REQUIRED_PROPERTY");
  EXPECT_EQ(b["errors"][0]["context"]["propertyName"], json::array({"lead_notes"}));
  EXPECT_NE(b["errors"][0]["message"].get<std::string>().find("[hs_lead_type]"), std::string::npos);
  EXPECT_EQ(body_of(fake.api("GET", path + "?properties=hs_lead_type"))["properties"]["hs_lead_type"],
            nullptr);
  EXPECT_EQ(
      fake.api("PATCH", "/crm/v3/objects/leads/" + id, R"({"properties":{"hs_lead_type":"NEW_BUSINESS"}})")
          .status,
      200);
  r = fake.api("PATCH", path,
               R"({"properties":{"hs_lead_type":"EXISTING_BUSINESS","lead_notes":"renewal"}})");
  EXPECT_EQ(r.status, 200) << r.body;
  // Clearing the dependent property while the condition holds fails too.
  EXPECT_EQ(fake.api("PATCH", path, R"({"properties":{"lead_notes":""}})").status, 400);

  // Batches: the failing input is reported inline, the others are written.
  const std::string other =
      body_of(fake.api("POST", "/crm/objects/2026-09/leads",
                       lead_input("Other", contact, {{"lead_phone", "1"}}).dump()))["id"];
  json update = {
      {"inputs",
       json::array(
           {{{"id", id}, {"properties", {{"lead_notes", ""}}}, {"objectWriteTraceId", "a"}},
            {{"id", other}, {"properties", {{"hs_lead_label", "HOT"}}}, {"objectWriteTraceId", "b"}}})}};
  r = fake.api("POST", "/crm/objects/2026-09/leads/batch/update", update.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  b = body_of(r);
  EXPECT_EQ(b["numErrors"], 1);
  EXPECT_EQ(b["errors"][0]["category"], "VALIDATION_ERROR");
  EXPECT_EQ(b["errors"][0]["context"]["objectWriteTraceId"], json::array({"a"}));
  EXPECT_EQ(b["errors"][0]["errors"][0]["code"], "MISSING_CONDITIONAL_REQUIRED_PROPERTY");
  EXPECT_EQ(b["errors"][0]["errors"][0]["context"]["propertyName"], json::array({"lead_notes"}));
  EXPECT_EQ(b["results"].size(), 1u);
  EXPECT_EQ(body_of(fake.api("GET", "/crm/v3/objects/leads/" + other))["properties"]["hs_lead_label"], "HOT");
  json create = {
      {"inputs", json::array({lead_input("c1", contact), lead_input("c2", contact, {{"lead_phone", "2"}})})}};
  create["inputs"][0]["objectWriteTraceId"] = "c1";
  create["inputs"][1]["objectWriteTraceId"] = "c2";
  r = fake.api("POST", "/crm/objects/2026-09/leads/batch/create", create.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body_of(r)["errors"][0]["errors"][0]["code"], "MISSING_REQUIRED_PROPERTY");
  EXPECT_EQ(body_of(r)["results"].size(), 1u);
  // Without trace ids the first bad input fails the whole batch, as for any other validation error.
  create["inputs"][0].erase("objectWriteTraceId");
  create["inputs"][1].erase("objectWriteTraceId");
  r = fake.api("POST", "/crm/objects/2026-09/leads/batch/create", create.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["errors"][0]["code"], "MISSING_REQUIRED_PROPERTY");
}

TEST(FakeHubspotVersions, ValidationRulesAreCheckedWhenConfigured) {
  FakeHubspot fake;
  auto r = fake.admin("POST", "/_fake/config",
                      R"({"validation_rules":[{"kind":"sometimes","property":"lead_notes"}]})");
  EXPECT_EQ(r.status, 400) << r.body;
  r = fake.admin("POST", "/_fake/config",
                 R"({"validation_rules":[{"kind":"required_on_create","property":"nope"}]})");
  EXPECT_EQ(r.status, 400) << r.body;
  r = fake.admin(
      "POST", "/_fake/config",
      R"({"validation_rules":[{"kind":"conditional_required","property":"lead_notes","if_property":"hs_lead_type"}]})");
  EXPECT_EQ(r.status, 400) << r.body;
  // A bad key leaves every other key of the same body unapplied.
  r = fake.admin("POST", "/_fake/config", R"({"rate_limit_per_10s":7,"batch_errors_2026_09":"sometimes"})");
  EXPECT_EQ(r.status, 400);
  auto config = body_of(fake.admin("GET", "/_fake/config"));
  EXPECT_EQ(config["rate_limit_per_10s"], 0);
  EXPECT_EQ(config["batch_errors_2026_09"], "inline");
  EXPECT_EQ(config["association_archive_dated"], "batch_response");
  EXPECT_EQ(config["association_ids_dated"], "number");
  EXPECT_EQ(config["validation_rules"], json::array());
  configure(fake, {{"validation_rules",
                    json::array({{{"kind", "required_on_create"}, {"property", "lead_notes"}}})}});
  EXPECT_EQ(body_of(fake.admin("GET", "/_fake/config"))["validation_rules"][0]["property"], "lead_notes");
  // A reset forgets them.
  ASSERT_EQ(fake.admin("POST", "/_fake/reset").status, 200);
  EXPECT_EQ(body_of(fake.admin("GET", "/_fake/config"))["validation_rules"], json::array());
}

TEST(FakeHubspotVersions, PropertyOptionsNeedADisplayOrderInTheDatedVersions) {
  FakeHubspot fake;
  json def = {
      {"name", "lead_source_kind"},     {"label", "Source kind"},
      {"type", "enumeration"},          {"fieldType", "select"},
      {"groupName", "leadinformation"}, {"options", json::array({{{"label", "Web"}, {"value", "web"}}})}};
  auto r = fake.api("POST", "/crm/properties/2026-03/leads", def.dump());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(body_of(r)["message"].get<std::string>().find("displayOrder"), std::string::npos);
  EXPECT_EQ(fake.api("POST", "/crm/properties/2026-09/leads", def.dump()).status, 400);
  def["options"][0]["displayOrder"] = 0;
  r = fake.api("POST", "/crm/properties/2026-03/leads", def.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  // v3 keeps displayOrder optional.
  def["name"] = "lead_source_kind_v3";
  def["options"][0].erase("displayOrder");
  EXPECT_EQ(fake.api("POST", "/crm/v3/properties/leads", def.dump()).status, 201);
  EXPECT_EQ(fake.api("GET", "/crm/properties/2026-09/leads/lead_source_kind").status, 200);
  EXPECT_EQ(stats(fake)["requests"]["POST /crm/properties/2026-03/leads"], 2);
}

TEST(FakeHubspotVersions, PipelineStagesCarryWritePermissionsInEveryVersion) {
  FakeHubspot fake;
  for (const std::string path :
       {"/crm/v3/pipelines/leads", "/crm/pipelines/2026-03/leads", "/crm/pipelines/2026-09/leads"}) {
    auto r = fake.api("GET", path);
    ASSERT_EQ(r.status, 200) << path << r.body;
    for (const auto& stage : body_of(r)["results"][0]["stages"]) {
      EXPECT_EQ(stage["writePermissions"], "CRM_PERMISSIONS_ENFORCEMENT") << path;
    }
  }
  EXPECT_EQ(fake.api("GET", "/crm/pipelines/2025-09/leads").status, 404);
  EXPECT_EQ(stats(fake)["requests"]["GET /crm/pipelines/2026-09/leads"], 1);
}

}  // namespace
}  // namespace leadsync::fake_hubspot_test
