// Associations: removing a lead's last primary association deletes the lead (v3 and v4 paths),
// association changes do not touch hs_lastmodifieddate, type strings and v4 shapes.
#include "helpers.hpp"

namespace leadsync::fake_hubspot_test {
namespace {

bool is_archived(FakeHubspot& fake, const std::string& id) {
  const bool live = fake.api("GET", "/crm/v3/objects/leads/" + id).status == 200;
  auto r = fake.api("GET", "/crm/v3/objects/leads/" + id + "?archived=true");
  return !live && r.status == 200 && body_of(r)["archived"] == true;
}

TEST(FakeHubspotAssociations, V3DeleteOfTheLastPrimaryAssociationArchivesTheLead) {
  FakeHubspot fake;
  std::string contact, company;
  auto lead = create_lead_with_contact(fake, "Two primaries", &contact, &company);
  const std::string id = lead["id"];
  const std::string base = "/crm/v3/objects/leads/" + id + "/associations/";
  // Removing one of two primaries keeps the lead.
  ASSERT_EQ(fake.api("DELETE", base + "contacts/" + contact + "/578").status, 204);
  EXPECT_FALSE(is_archived(fake, id));
  auto after = body_of(fake.api("GET", "/crm/v3/objects/leads/" + id + "?associations=contacts,companies"));
  // The unlabeled association (608) stays.
  EXPECT_EQ(after["associations"]["contacts"]["results"],
            json::array({{{"id", contact}, {"type", "lead_to_contact"}}}));
  ASSERT_EQ(fake.api("DELETE", base + "companies/" + company + "/580").status, 204);
  EXPECT_TRUE(is_archived(fake, id));
}

TEST(FakeHubspotAssociations, V4DeleteOfThePairArchivesTheLead) {
  FakeHubspot fake;
  std::string contact;
  auto lead = create_lead_with_contact(fake, "One primary", &contact);
  const std::string id = lead["id"];
  ASSERT_EQ(fake.api("DELETE", "/crm/v4/objects/leads/" + id + "/associations/contacts/" + contact).status,
            204);
  EXPECT_TRUE(is_archived(fake, id));
}

TEST(FakeHubspotAssociations, V4BatchArchiveAndReverseDirectionAlsoArchive) {
  FakeHubspot fake;
  std::string c1, c2;
  auto l1 = create_lead_with_contact(fake, "L1", &c1);
  auto l2 = create_lead_with_contact(fake, "L2", &c2);
  json body = {
      {"inputs", json::array({{{"from", {{"id", l1["id"]}}}, {"to", json::array({{{"id", c1}}})}}})}};
  ASSERT_EQ(fake.api("POST", "/crm/v4/associations/leads/contacts/batch/archive", body.dump()).status, 204);
  EXPECT_TRUE(is_archived(fake, l1["id"]));
  // From the contact's side, with the labels archive endpoint and the reverse primary type.
  json labels = {{"inputs", json::array({{{"from", {{"id", c2}}},
                                          {"to", {{"id", l2["id"]}}},
                                          {"types", json::array({{{"associationCategory", "HUBSPOT_DEFINED"},
                                                                  {"associationTypeId", 579}}})}}})}};
  ASSERT_EQ(
      fake.api("POST", "/crm/v4/associations/contacts/leads/batch/labels/archive", labels.dump()).status,
      204);
  EXPECT_TRUE(is_archived(fake, l2["id"]));
}

TEST(FakeHubspotAssociations, AssociationChangesDoNotBumpLastModified) {
  FakeHubspot fake;
  std::string contact;
  auto lead = create_lead_with_contact(fake, "Stable", &contact);
  const std::string id = lead["id"];
  const std::string company = make_object(fake, "companies");
  const auto before = lead["properties"]["hs_lastmodifieddate"];
  auto put = fake.api("PUT", "/crm/v3/objects/leads/" + id + "/associations/companies/" + company + "/610");
  ASSERT_EQ(put.status, 200) << put.body;
  auto v4 = fake.api("PUT", "/crm/v4/objects/leads/" + id + "/associations/companies/" + company,
                     R"([{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":580}])");
  ASSERT_EQ(v4.status, 201) << v4.body;
  auto now = body_of(fake.api("GET", "/crm/v3/objects/leads/" + id + "?associations=companies"));
  EXPECT_EQ(now["properties"]["hs_lastmodifieddate"], before);
  EXPECT_EQ(now["updatedAt"], lead["updatedAt"]);
  json expected = json::array({{{"id", company}, {"type", "lead_to_primary_company"}},
                               {{"id", company}, {"type", "lead_to_company"}}});
  EXPECT_EQ(now["associations"]["companies"]["results"], expected);
}

TEST(FakeHubspotAssociations, V4ShapesAndLabelsReplaceSemantics) {
  FakeHubspot fake;
  std::string contact;
  auto lead = create_lead_with_contact(fake, "Shapes", &contact);
  const std::string id = lead["id"];
  auto list = body_of(fake.api("GET", "/crm/v4/objects/leads/" + id + "/associations/contacts"));
  json expected_types = json::array({{{"category", "HUBSPOT_DEFINED"}, {"typeId", 578}, {"label", "Primary"}},
                                     {{"category", "HUBSPOT_DEFINED"}, {"typeId", 608}, {"label", nullptr}}});
  ASSERT_EQ(list["results"].size(), 1u);
  EXPECT_EQ(list["results"][0]["toObjectId"], std::stoull(contact));  // a JSON number, as HubSpot sends
  EXPECT_EQ(list["results"][0]["associationTypes"], expected_types);
  // From the contact's side.
  auto back = body_of(fake.api("GET", "/crm/v4/objects/contacts/" + contact + "/associations/leads"));
  EXPECT_EQ(back["results"][0]["toObjectId"], std::stoull(id));
  auto labels = body_of(fake.api("GET", "/crm/v4/associations/leads/companies/labels"));
  EXPECT_EQ(labels["results"],
            json::array({{{"category", "HUBSPOT_DEFINED"}, {"typeId", 580}, {"label", "Primary"}},
                         {{"category", "HUBSPOT_DEFINED"}, {"typeId", 610}, {"label", nullptr}},
                         {{"category", "USER_DEFINED"}, {"typeId", 103}, {"label", "Billing company"}}}));
  // Batch read: unknown ids come back as errors (207).
  json read = {{"inputs", json::array({{{"id", id}}, {{"id", "999"}}})}};
  auto r = fake.api("POST", "/crm/v4/associations/leads/contacts/batch/read", read.dump());
  ASSERT_EQ(r.status, 207) << r.body;
  auto rb = body_of(r);
  EXPECT_EQ(rb["results"][0]["from"]["id"], id);
  EXPECT_EQ(rb["numErrors"], 1);
  // PUT with labels replaces the pair's labels: sending only the unlabeled type drops the primary,
  // which was the lead's last primary association.
  auto put = fake.api("PUT", "/crm/v4/objects/leads/" + id + "/associations/contacts/" + contact,
                      R"([{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":608}])");
  ASSERT_EQ(put.status, 201);
  EXPECT_EQ(body_of(put)["labels"], json::array());
  EXPECT_EQ(fake.api("GET", "/crm/v3/objects/leads/" + id).status, 404);
  // Invalid type ids are refused.
  auto other = create_lead_with_contact(fake, "Other");
  auto bad = fake.api("PUT", "/crm/v3/objects/leads/" + other["id"].get<std::string>() +
                                 "/associations/contacts/" + contact + "/580");
  EXPECT_EQ(bad.status, 400);
}

TEST(FakeHubspotAssociations, PrimaryIsExclusivePerObjectType) {
  FakeHubspot fake;
  std::string first;
  auto lead = create_lead_with_contact(fake, "Switch", &first);
  const std::string id = lead["id"];
  const std::string second = make_object(fake, "contacts");
  ASSERT_EQ(
      fake.api("PUT", "/crm/v3/objects/leads/" + id + "/associations/contacts/" + second + "/578").status,
      200);
  auto state = body_of(fake.admin("GET", "/_fake/leads/" + id));
  json expected = json::array({{{"id", first}, {"types", {608}}}, {{"id", second}, {"types", {578, 608}}}});
  EXPECT_EQ(state["associations"]["contacts"], expected);
}

TEST(FakeHubspotAssociations, CreateRequiresAnInlinePrimaryAssociation) {
  FakeHubspot fake;
  const std::string contact = make_object(fake, "contacts");
  const std::string company = make_object(fake, "companies");
  auto none =
      fake.api("POST", "/crm/v3/objects/leads", R"({"properties":{"hs_lead_name":"x"},"associations":[]})");
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(body_of(none)["category"], "VALIDATION_ERROR");
  json unlabeled = {{"properties", {{"hs_lead_name", "x"}}},
                    {"associations", json::array({primary(contact, 608)})}};
  EXPECT_EQ(fake.api("POST", "/crm/v3/objects/leads", unlabeled.dump()).status, 400);
  json missing = {{"properties", {{"hs_lead_name", "x"}}},
                  {"associations", json::array({primary("123", 578)})}};
  EXPECT_EQ(fake.api("POST", "/crm/v3/objects/leads", missing.dump()).status, 400);
  // A primary company alone is enough (unconfirmed in docs/hubspot-api.md; decided in the fake's README).
  json company_only = {{"properties", {{"hs_lead_name", "x"}}},
                       {"associations", json::array({primary(company, 580)})}};
  EXPECT_EQ(fake.api("POST", "/crm/v3/objects/leads", company_only.dump()).status, 201);
  auto no_name = fake.api(
      "POST", "/crm/v3/objects/leads",
      json({{"properties", json::object()}, {"associations", json::array({primary(contact, 578)})}}).dump());
  EXPECT_EQ(no_name.status, 400);
}

TEST(FakeHubspotAssociations, DeletingAContactArchivesLeadsLeftWithoutPrimary) {
  FakeHubspot fake;
  std::string contact;
  auto lead = create_lead_with_contact(fake, "Orphan", &contact);
  ASSERT_EQ(fake.admin("DELETE", "/_fake/contacts/" + contact).status, 204);
  EXPECT_TRUE(is_archived(fake, lead["id"]));
}

}  // namespace
}  // namespace leadsync::fake_hubspot_test
