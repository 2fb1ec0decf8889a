// Local association changes pushed to HubSpot with the batch association endpoints: labels leadsync does
// not map (USER_DEFINED ones a person set) survive, and the calls are per batch, not per pair.
#include <iostream>

#include "sync_fixture.hpp"

namespace leadsync::engine_test {
namespace {

class AssociationPushTest : public SyncFixture {
 protected:
  std::string row_of(const std::string& hubspot_id) {
    return sql("SELECT id FROM leads WHERE hubspot_id = '" + hubspot_id + "'");
  }
  // The type ids HubSpot has between the lead and the record (fake-hubspot's internal state).
  std::vector<int> remote_types(const std::string& lead, const std::string& to_type,
                                const std::string& to_id) {
    auto state = admin("GET", "/_fake/leads/" + lead, "", 200);
    std::vector<int> out;
    if (!state["associations"].contains(to_type)) return out;
    for (const auto& a : state["associations"][to_type])
      if (a["id"] == to_id)
        for (const auto& t : a["types"]) out.push_back(t.get<int>());
    std::sort(out.begin(), out.end());
    return out;
  }
  // A person labels the pair in HubSpot: the mapped primary company label and the unmapped USER_DEFINED
  // "Billing company" (103) label.
  void label_company_in_hubspot(const std::string& lead, const std::string& company) {
    api("PUT", "/crm/v4/objects/leads/" + lead + "/associations/companies/" + company,
        R"([{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":580},
            {"associationCategory":"USER_DEFINED","associationTypeId":103}])",
        201);
  }
  long association_calls(const std::map<std::string, long>& before) {
    long n = 0;
    for (const auto& [route, count] : request_counts())
      if (route.find("associations") != std::string::npos)
        n += count - (before.contains(route) ? before.at(route) : 0);
    return n;
  }
};

TEST_F(AssociationPushTest, DroppingAPairLocallyKeepsTheLabelAPersonSetInHubSpot) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  auto contact = new_contact();
  auto company = new_company();
  const std::string id = create_remote_lead("Labelled", contact)["id"];
  label_company_in_hubspot(id, company);
  ASSERT_EQ(remote_types(id, "companies", company), (std::vector<int>{103, 580, 610}));
  auto out = sync_ok();
  const auto row = row_of(id);
  ASSERT_EQ(count("SELECT count(*) FROM leads_associations WHERE lead_id = " + row +
                  " AND to_object_type = 'companies'"),
            2)
      << "580 and 610 are mapped, 103 is not: " << out;

  exec("DELETE FROM leads_associations WHERE lead_id = " + row + " AND to_object_type = 'companies'");
  out = sync_ok();
  EXPECT_EQ(remote_types(id, "companies", company), (std::vector<int>{103, 610}))
      << "the mapped label is gone, the person's label (and the unlabeled type HubSpot keeps beside it) "
         "stay: "
      << out;
  EXPECT_EQ(remote_types(id, "contacts", contact), (std::vector<int>{578, 608}));
  EXPECT_TRUE(remote_exists(id));
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state IN ('NEW', 'PENDING', 'FAILED')"), 0)
      << out;
}

TEST_F(AssociationPushTest, DroppingTheMappedLabelOfAKeptPairKeepsTheLabelAPersonSet) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  auto contact = new_contact();
  auto company = new_company();
  const std::string id = create_remote_lead("Labelled", contact)["id"];
  label_company_in_hubspot(id, company);
  sync_ok();
  exec("DELETE FROM leads_associations WHERE lead_id = " + row_of(id) +
       " AND to_object_type = 'companies' AND association_type_id = 580");
  auto out = sync_ok();
  EXPECT_EQ(remote_types(id, "companies", company), (std::vector<int>{103, 610})) << out;
}

TEST_F(AssociationPushTest, AddingALabelLocallyKeepsTheLabelAPersonSet) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  auto contact = new_contact();
  auto company = new_company();
  const std::string id = create_remote_lead("Labelled", contact)["id"];
  // Only the unmapped label (and the unlabeled type it implies) in HubSpot.
  api("PUT", "/crm/v4/objects/leads/" + id + "/associations/companies/" + company,
      R"([{"associationCategory":"USER_DEFINED","associationTypeId":103}])", 201);
  sync_ok();
  exec(
      "INSERT INTO leads_associations (lead_id, to_object_type, to_object_id, association_type_id) VALUES (" +
      row_of(id) + ", 'companies', '" + company + "', 580)");
  auto out = sync_ok();
  EXPECT_EQ(remote_types(id, "companies", company), (std::vector<int>{103, 580, 610}))
      << "a label write replaces the pair's labels: the create must resend 103" << out;
}

TEST_F(AssociationPushTest, DroppingAPairWithOnlyMappedTypesArchivesIt) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  auto contact = new_contact();
  auto company = new_company();
  const std::string id = create_remote_lead("Mapped only", contact)["id"];
  api("PUT", "/crm/v4/objects/leads/" + id + "/associations/companies/" + company,
      R"([{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":580}])", 201);
  sync_ok();
  exec("DELETE FROM leads_associations WHERE lead_id = " + row_of(id) + " AND to_object_type = 'companies'");
  auto out = sync_ok();
  EXPECT_EQ(remote_types(id, "companies", company), std::vector<int>{}) << out;
  EXPECT_EQ(remote_types(id, "contacts", contact), (std::vector<int>{578, 608}));
}

// Twenty leads each gain a company and lose a second contact in one run: a handful of batch calls, not one
// call per pair.
TEST_F(AssociationPushTest, ManyLeadsChangingAssociationsTakeAFewBatchCalls) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "20"}});
  sync_ok();
  auto company = new_company();
  auto other = new_contact();
  auto before = request_counts();
  exec(
      "INSERT INTO leads_associations (lead_id, to_object_type, to_object_id, association_type_id) "
      "SELECT id, 'companies', '" +
      company + "', 610 FROM leads; " +
      "INSERT INTO leads_associations (lead_id, to_object_type, to_object_id, association_type_id) "
      "SELECT id, 'contacts', '" +
      other + "', 608 FROM leads");
  auto out = sync_ok();
  const long adds = association_calls(before);
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state IN ('NEW', 'PENDING', 'FAILED')"), 0)
      << out;
  const std::string some = sql("SELECT hubspot_id FROM leads ORDER BY id LIMIT 1");
  EXPECT_EQ(remote_types(some, "contacts", other), std::vector<int>{608}) << out;

  before = request_counts();
  exec("DELETE FROM leads_associations WHERE to_object_id IN ('" + company + "', '" + other + "')");
  out = sync_ok();
  const long removes = association_calls(before);
  EXPECT_EQ(remote_types(some, "contacts", other), std::vector<int>{}) << out;
  EXPECT_EQ(remote_types(some, "companies", company), std::vector<int>{}) << out;
  std::cout << "association calls for 40 added pairs: " << adds << ", for 40 dropped pairs: " << removes
            << "\n";
  EXPECT_LE(adds, 8) << "batch calls, not one per pair";
  EXPECT_LE(removes, 8) << "batch calls, not one per pair";
}

}  // namespace
}  // namespace leadsync::engine_test
