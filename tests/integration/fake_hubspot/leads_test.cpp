// Leads v3: stats by templated route, history sources, batch semantics, paging, path variants.
#include <regex>
#include <set>

#include "helpers.hpp"

namespace leadsync::fake_hubspot_test {
namespace {

TEST(FakeHubspotLeads, StatsCountRequestsByTemplatedRoute) {
  FakeHubspot fake;
  const std::string id = create_lead_with_contact(fake, "Counted")["id"];
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(
        fake.api("PATCH", "/crm/v3/objects/leads/" + id, R"({"properties":{"hs_lead_label":"HOT"}})").status,
        200);
  (void)fake.api("PATCH", "/crm/v3/objects/0-136/" + id, R"({"properties":{"hs_lead_label":"WARM"}})");
  (void)fake.api("POST", "/crm/v3/objects/leads/batch/update", R"({"inputs":[]})");
  (void)fake.api("GET", "/crm/v3/objects/leads/" + id + "/associations/contacts");
  auto s = stats(fake);
  EXPECT_EQ(s["requests"]["PATCH /crm/v3/objects/leads/{id}"], 3);
  EXPECT_EQ(s["requests"]["PATCH /crm/v3/objects/0-136/{id}"], 1);
  EXPECT_EQ(s["requests"]["POST /crm/v3/objects/leads"], 1);
  EXPECT_EQ(s["requests"]["POST /crm/v3/objects/leads/batch/update"], 1);
  EXPECT_EQ(s["requests"]["GET /crm/v3/objects/leads/{id}/associations/contacts"], 1);
  EXPECT_EQ(s["rate_limited"], 0);
  EXPECT_EQ(s["faults_fired"], 0);
  EXPECT_EQ(fake.admin("DELETE", "/_fake/stats").status, 204);
  EXPECT_TRUE(stats(fake)["requests"].empty());
}

TEST(FakeHubspotLeads, HistoryRecordsIntegrationAppsAndUiEdits) {
  FakeHubspot::Options o;
  o.tokens = {"token-a", "token-b"};
  FakeHubspot fake(o);
  const std::string contact = make_object(fake, "contacts");
  json create = {{"properties", {{"hs_lead_name", "History"}, {"hs_lead_label", "COLD"}}},
                 {"associations", json::array({primary(contact, 578)})}};
  auto c = with_token(fake, "token-a", "POST", "/crm/v3/objects/leads", create.dump());
  ASSERT_EQ(c.status, 201);
  const std::string id = body_of(c)["id"];
  ASSERT_EQ(with_token(fake, "token-b", "PATCH", "/crm/v3/objects/leads/" + id,
                       R"({"properties":{"hs_lead_label":"WARM"}})")
                .status,
            200);
  auto ui = fake.admin("PATCH", "/_fake/leads/" + id,
                       R"({"properties":{"hs_lead_label":"HOT"},"userId":51446676})");
  ASSERT_EQ(ui.status, 200) << ui.body;
  auto r = with_token(fake, "token-a", "GET",
                      "/crm/v3/objects/leads/" + id + "?propertiesWithHistory=hs_lead_label");
  auto h = body_of(r)["propertiesWithHistory"]["hs_lead_label"];
  ASSERT_EQ(h.size(), 3u);
  // Newest first.
  EXPECT_EQ(h[0], json({{"value", "HOT"},
                        {"timestamp", h[0]["timestamp"]},
                        {"sourceType", "CRM_UI"},
                        {"sourceId", "userId:51446676"},
                        {"updatedByUserId", 51446676}}));
  EXPECT_EQ(h[1]["value"], "WARM");
  EXPECT_EQ(h[1]["sourceType"], "INTEGRATION");
  EXPECT_EQ(h[2]["value"], "COLD");
  EXPECT_EQ(h[2]["sourceType"], "INTEGRATION");
  EXPECT_NE(h[1]["sourceId"], h[2]["sourceId"]);  // each token is its own app
  EXPECT_GE(h[0]["timestamp"].get<std::string>(), h[1]["timestamp"].get<std::string>());
  // The UI edit moved hs_lastmodifieddate.
  auto state = body_of(fake.admin("GET", "/_fake/leads/" + id));
  EXPECT_EQ(state["updatedAt"], h[0]["timestamp"]);
  EXPECT_EQ(state["properties"]["hs_lastmodifieddate"], h[0]["timestamp"]);
}

TEST(FakeHubspotLeads, TimestampsHaveMillisecondsAndZ) {
  FakeHubspot fake;
  auto lead = create_lead_with_contact(fake, "Clock");
  const std::regex iso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  for (const auto& v : {lead["createdAt"], lead["updatedAt"], lead["properties"]["hs_createdate"],
                        lead["properties"]["hs_lastmodifieddate"]})
    EXPECT_TRUE(std::regex_match(v.get<std::string>(), iso)) << v;
  EXPECT_EQ(lead["properties"]["hs_object_id"], lead["id"]);
  EXPECT_EQ(lead["archived"], false);
}

TEST(FakeHubspotLeads, BatchCreateIs207OnlyWithTraceIdsAndResultsAreNotInInputOrder) {
  FakeHubspot fake;
  const std::string contact = make_object(fake, "contacts");
  auto input = [&](const std::string& name, const std::string& label, const std::string& trace) {
    json in = {{"properties", {{"hs_lead_name", name}, {"hs_lead_label", label}}},
               {"associations", json::array({primary(contact, 578)})}};
    if (!trace.empty()) in["objectWriteTraceId"] = trace;
    return in;
  };
  json traced = {{"inputs", json::array({input("A", "HOT", "t-a"), input("B", "BAD", "t-b"),
                                         input("C", "WARM", "t-c"), input("D", "COLD", "t-d")})}};
  auto r = fake.api("POST", "/crm/v3/objects/leads/batch/create", traced.dump());
  ASSERT_EQ(r.status, 207) << r.body;
  auto b = body_of(r);
  EXPECT_EQ(b["status"], "COMPLETE");
  EXPECT_EQ(b["numErrors"], 1);
  EXPECT_EQ(b["errors"][0]["category"], "VALIDATION_ERROR");
  EXPECT_EQ(b["errors"][0]["context"]["objectWriteTraceId"], json::array({"t-b"}));
  ASSERT_EQ(b["results"].size(), 3u);
  std::vector<std::string> order;
  for (const auto& x : b["results"]) order.push_back(x["objectWriteTraceId"]);
  EXPECT_NE(order, (std::vector<std::string>{"t-a", "t-c", "t-d"}));
  EXPECT_EQ(std::set<std::string>(order.begin(), order.end()), (std::set<std::string>{"t-a", "t-c", "t-d"}));
  EXPECT_TRUE(b.contains("startedAt") && b.contains("completedAt"));

  // Without trace ids on every input the first bad input fails the batch and nothing is written.
  json untraced = {{"inputs", json::array({input("E", "HOT", ""), input("F", "BAD", "")})}};
  auto whole = fake.api("POST", "/crm/v3/objects/leads/batch/create", untraced.dump());
  EXPECT_EQ(whole.status, 400);
  EXPECT_EQ(body_of(fake.api("POST", "/crm/v3/objects/leads/search", "{}"))["total"], 3);
  json good = {{"inputs", json::array({input("E", "HOT", ""), input("F", "WARM", "")})}};
  EXPECT_EQ(fake.api("POST", "/crm/v3/objects/leads/batch/create", good.dump()).status, 201);
}

TEST(FakeHubspotLeads, BatchReadUpdateArchive) {
  FakeHubspot::Options o;
  o.extra_args = {"--seed-leads", "5"};
  FakeHubspot fake(o);
  auto page = body_of(fake.api("GET", "/crm/v3/objects/leads?limit=5"));
  std::vector<std::string> ids;
  for (const auto& x : page["results"]) ids.push_back(x["id"]);
  ASSERT_EQ(ids.size(), 5u);
  json read = {{"inputs", json::array({{{"id", ids[0]}}, {{"id", ids[1]}}, {{"id", "42"}}})},
               {"properties", {"hs_lead_name"}},
               {"propertiesWithHistory", json::array()}};
  auto r = fake.api("POST", "/crm/v3/objects/leads/batch/read", read.dump());
  ASSERT_EQ(r.status, 207);
  auto rb = body_of(r);
  EXPECT_EQ(rb["results"].size(), 2u);
  EXPECT_EQ(rb["errors"][0]["category"], "OBJECT_NOT_FOUND");
  EXPECT_EQ(rb["errors"][0]["context"]["ids"], json::array({"42"}));
  json update = {{"inputs", json::array({{{"id", ids[0]}, {"properties", {{"hs_lead_label", "HOT"}}}},
                                         {{"id", ids[1]}, {"properties", {{"hs_lead_label", "COLD"}}}}})}};
  auto u = fake.api("POST", "/crm/v3/objects/leads/batch/update", update.dump());
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(body_of(u)["results"].size(), 2u);
  json missing = {{"inputs", json::array({{{"id", "42"},
                                           {"properties", {{"hs_lead_label", "HOT"}}},
                                           {"objectWriteTraceId", "m"}}})}};
  auto m = fake.api("POST", "/crm/v3/objects/leads/batch/update", missing.dump());
  EXPECT_EQ(m.status, 207);
  EXPECT_EQ(body_of(m)["errors"][0]["category"], "OBJECT_NOT_FOUND");
  json archive = {{"inputs", json::array({{{"id", ids[2]}}, {{"id", ids[3]}}})}};
  ASSERT_EQ(fake.api("POST", "/crm/v3/objects/leads/batch/archive", archive.dump()).status, 204);
  auto live = body_of(fake.api("GET", "/crm/v3/objects/leads?limit=100"));
  EXPECT_EQ(live["results"].size(), 3u);
  auto bin = body_of(fake.api("GET", "/crm/v3/objects/leads?archived=true"));
  ASSERT_EQ(bin["results"].size(), 2u);
  EXPECT_EQ(bin["results"][0]["archived"], true);
  EXPECT_TRUE(bin["results"][0].contains("archivedAt"));
}

TEST(FakeHubspotLeads, ListPagingParamsAndPathVariants) {
  FakeHubspot::Options o;
  o.extra_args = {"--seed-leads", "25"};
  FakeHubspot fake(o);
  std::vector<std::string> seen;
  std::string after;
  for (int guard = 0; guard < 10; ++guard) {
    auto page =
        body_of(fake.api("GET", "/crm/v3/objects/leads?limit=10" + (after.empty() ? "" : "&after=" + after)));
    for (const auto& x : page["results"]) seen.push_back(x["id"]);
    if (!page.contains("paging")) break;
    after = page["paging"]["next"]["after"];
    EXPECT_NE(page["paging"]["next"]["link"].get<std::string>().find("after=" + after), std::string::npos);
  }
  EXPECT_EQ(seen.size(), 25u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 25u);
  // Default limit 10; limits above 100 are capped.
  EXPECT_EQ(body_of(fake.api("GET", "/crm/v3/objects/leads"))["results"].size(), 10u);
  // Repeated and comma-separated array parameters, on every path spelling.
  for (const char* path : {"/crm/v3/objects/leads", "/crm/v3/objects/0-136", "/crm/objects/2026-03/leads"}) {
    auto a =
        body_of(fake.api("GET", std::string(path) + "?limit=1&properties=hs_lead_name&properties=lead_score&"
                                                    "associations=contacts&associations=companies"));
    auto b = body_of(fake.api(
        "GET",
        std::string(path) + "?limit=1&properties=hs_lead_name,lead_score&associations=contacts,companies"));
    EXPECT_EQ(a["results"], b["results"]) << path;
    EXPECT_TRUE(a["results"][0]["properties"].contains("lead_score")) << path;  // requested, unset: null
    EXPECT_TRUE(a["results"][0]["properties"]["lead_score"].is_null());
    EXPECT_TRUE(a["results"][0]["associations"].contains("companies")) << path;
  }
  // History with a limit above 50 is refused.
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads?limit=100&propertiesWithHistory=hs_lead_name").status,
            400);
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads/abc").status, 404);
  EXPECT_EQ(body_of(fake.api("GET", "/crm/v3/objects/leads/abc"))["message"],
            "Object not found.  objectId are usually numeric.");
}

TEST(FakeHubspotLeads, ResetAndAdminObjects) {
  FakeHubspot fake;
  auto many = fake.admin("POST", "/_fake/companies", R"({"count": 3})");
  ASSERT_EQ(many.status, 201);
  EXPECT_EQ(body_of(many)["results"].size(), 3u);
  create_lead_with_contact(fake, "Gone after reset");
  auto reset = fake.admin("POST", "/_fake/reset", R"({"seed_leads": 7})");
  ASSERT_EQ(reset.status, 200);
  EXPECT_EQ(body_of(fake.api("POST", "/crm/v3/objects/leads/search", "{}"))["total"], 7);
  EXPECT_EQ(fake.admin("POST", "/_fake/reset").status, 200);
  EXPECT_EQ(body_of(fake.api("POST", "/crm/v3/objects/leads/search", "{}"))["total"], 0);
}

}  // namespace
}  // namespace leadsync::fake_hubspot_test
