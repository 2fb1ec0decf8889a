// Search: the 10,000-result cap, limits, index lag, archived records, filters and sorts.
#include "helpers.hpp"

namespace leadsync::fake_hubspot_test {
namespace {

json search(FakeHubspot& fake, const json& body, int expect_status = 200) {
  auto r = fake.api("POST", "/crm/v3/objects/leads/search", body.dump());
  EXPECT_EQ(r.status, expect_status) << r.body;
  return body_of(r);
}

json filter(const std::string& name, const std::string& op, const json& extra = json::object()) {
  json f = {{"propertyName", name}, {"operator", op}};
  f.update(extra);
  return f;
}

json where(const std::vector<std::vector<json>>& groups) {
  json fg = json::array();
  for (const auto& g : groups) fg.push_back({{"filters", g}});
  return {{"filterGroups", fg}};
}

json id_filter(const std::string& id) {
  return {{"filterGroups",
           json::array(
               {{{"filters",
                  json::array({{{"propertyName", "hs_object_id"}, {"operator", "EQ"}, {"value", id}}})}}})}};
}

TEST(FakeHubspotSearch, PagingPastTenThousandResultsIs400) {
  FakeHubspot::Options o;
  o.extra_args = {"--seed-leads", "10050"};
  FakeHubspot fake(o);
  auto page = search(fake, {{"limit", 200}, {"after", "9800"}});
  EXPECT_EQ(page["total"], 10050);
  EXPECT_EQ(page["results"].size(), 200u);
  // The next page would start at 10,000: HubSpot offers none.
  EXPECT_FALSE(page.contains("paging"));
  auto last = search(fake, {{"limit", 100}, {"after", "9950"}});
  EXPECT_EQ(last["results"].size(), 50u);
  EXPECT_FALSE(last.contains("paging"));
  auto err = search(fake, {{"limit", 10}, {"after", "10000"}}, 400);
  EXPECT_EQ(err["category"], "VALIDATION_ERROR");
  auto mid = search(fake, {{"limit", 100}, {"after", "100"}});
  EXPECT_EQ(mid["paging"]["next"]["after"], "200");
  // The default order is by creation: offsets are stable.
  EXPECT_LT(std::stoull(mid["results"][0]["id"].get<std::string>()),
            std::stoull(mid["results"][1]["id"].get<std::string>()));
  search(fake, {{"limit", 201}}, 400);
}

TEST(FakeHubspotSearch, NewAndChangedLeadsAppearOnlyAfterTheIndexLag) {
  FakeHubspot::Options o;
  o.extra_args = {"--search-lag-ms", "1500"};
  FakeHubspot fake(o);
  const auto created_at = std::chrono::steady_clock::now();
  auto lead = create_lead_with_contact(fake, "Lagging Lead");
  const std::string id = lead["id"];
  EXPECT_EQ(search(fake, id_filter(id))["total"], 0);
  // Visible to reads at once.
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads/" + id).status, 200);
  ASSERT_TRUE(
      eventually([&] { return search(fake, id_filter(id))["total"] == 1; }, std::chrono::seconds(10)));
  EXPECT_GE(std::chrono::steady_clock::now() - created_at, std::chrono::milliseconds(1500));

  // An update is searchable under its new value only after the lag; meanwhile the old value is indexed.
  ASSERT_EQ(
      fake.api("PATCH", "/crm/v3/objects/leads/" + id, R"({"properties":{"hs_lead_label":"HOT"}})").status,
      200);
  json hot = id_filter(id);
  hot["filterGroups"][0]["filters"][0] = {
      {"propertyName", "hs_lead_label"}, {"operator", "EQ"}, {"value", "HOT"}};
  hot["properties"] = {"hs_lead_label"};
  EXPECT_EQ(search(fake, hot)["total"], 0);
  auto stale = search(fake, id_filter(id));
  EXPECT_TRUE(stale["results"][0]["properties"]["hs_object_id"] == id);
  ASSERT_TRUE(eventually([&] { return search(fake, hot)["total"] == 1; }, std::chrono::seconds(10)));
}

TEST(FakeHubspotSearch, ArchivedLeadsNeverAppear) {
  FakeHubspot fake;
  auto lead = create_lead_with_contact(fake, "Soon gone");
  const std::string id = lead["id"];
  EXPECT_EQ(search(fake, id_filter(id))["total"], 1);
  ASSERT_EQ(fake.api("DELETE", "/crm/v3/objects/leads/" + id).status, 204);
  EXPECT_EQ(search(fake, id_filter(id))["total"], 0);
}

TEST(FakeHubspotSearch, FiltersSortsAndDefaultProperties) {
  FakeHubspot fake;
  std::string contact;
  create_lead_with_contact(fake, "Alpha", &contact);
  create_lead(fake, {{"hs_lead_name", "Bravo"}, {"hs_lead_label", "HOT"}, {"lead_score", "7"}},
              json::array({primary(contact, 578)}));
  create_lead(fake, {{"hs_lead_name", "Charlie"}, {"hs_lead_label", "COLD"}, {"lead_score", "12"}},
              json::array({primary(make_object(fake, "contacts"), 578)}));
  // Sorts as strings ("-prop" descending) and as objects.
  auto by_score = search(fake, {{"sorts", {"-lead_score"}}, {"properties", {"hs_lead_name"}}});
  ASSERT_EQ(by_score["total"], 3);
  EXPECT_EQ(by_score["results"][0]["properties"]["hs_lead_name"], "Charlie");
  EXPECT_EQ(by_score["results"][1]["properties"]["hs_lead_name"], "Bravo");
  auto by_name = search(fake, {{"sorts", {{{"propertyName", "hs_lead_name"}, {"direction", "DESCENDING"}}}},
                               {"properties", {"hs_lead_name"}}});
  EXPECT_EQ(by_name["results"][0]["properties"]["hs_lead_name"], "Charlie");
  // Default properties: hs_createdate, hs_lastmodifieddate, hs_object_id only; no associations.
  auto plain = search(fake, json::object());
  const auto& props = plain["results"][0]["properties"];
  EXPECT_EQ(props.size(), 3u);
  EXPECT_TRUE(props.contains("hs_createdate") && props.contains("hs_lastmodifieddate") &&
              props.contains("hs_object_id"));
  EXPECT_FALSE(plain["results"][0].contains("associations"));
  // Groups are ORed, filters within a group ANDed.
  json body = where({{filter("lead_score", "GTE", {{"value", "10"}})},
                     {filter("hs_lead_label", "EQ", {{"value", "HOT"}}),
                      filter("lead_score", "BETWEEN", {{"value", "1"}, {"highValue", "8"}})}});
  EXPECT_EQ(search(fake, body)["total"], 2);
  EXPECT_EQ(search(fake, where({{filter("lead_score", "NOT_HAS_PROPERTY")}}))["total"], 1);
  // String IN values must be lower case; enumeration values are case-sensitive.
  EXPECT_EQ(search(fake, where({{filter("hs_lead_name", "IN", {{"values", {"alpha", "bravo"}}})}}))["total"],
            2);
  EXPECT_EQ(search(fake, where({{filter("hs_lead_name", "IN", {{"values", {"Alpha"}}})}}))["total"], 0);
  EXPECT_EQ(search(fake, where({{filter("hs_lead_label", "EQ", {{"value", "hot"}})}}))["total"], 0);
  EXPECT_EQ(search(fake, where({{filter("hs_lead_name", "CONTAINS_TOKEN", {{"value", "br*"}})}}))["total"],
            1);
  EXPECT_EQ(search(fake, where({{filter("associations.contact", "EQ", {{"value", contact}})}}))["total"], 2);
  // Limits on filter groups.
  std::vector<std::vector<json>> six(6, {filter("hs_lead_name", "HAS_PROPERTY")});
  json too_many = where(six);
  search(fake, too_many, 400);
}

}  // namespace
}  // namespace leadsync::fake_hubspot_test
