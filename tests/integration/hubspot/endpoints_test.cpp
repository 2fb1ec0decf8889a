// Every endpoint of the client against fake-hubspot over real HTTP.
#include <set>

#include "integration_support.hpp"

namespace leadsync::hubspot::itest {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class EndpointsIT : public FakeHubspotTest {};

TEST_F(EndpointsIT, CreateGetUpdateListArchive) {
  const std::string contact = new_contact();
  LeadObject created = run(client.create(lead_input("Jane Doe", contact)));
  EXPECT_FALSE(created.id.empty());
  EXPECT_EQ(created.property("hs_lead_name"), "Jane Doe");
  ASSERT_TRUE(created.object_write_trace_id);

  GetOptions g;
  g.properties = {"hs_lead_name", "hs_lead_label"};
  g.properties_with_history = {"hs_lead_name"};
  g.associations = {"contacts", "companies"};
  auto got = run(client.get_lead(created.id, g));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->property("hs_lead_name"), "Jane Doe");
  ASSERT_TRUE(got->associations);
  ASSERT_EQ(got->associations->at("contacts").size(), 1u);
  EXPECT_EQ(got->associations->at("contacts")[0].to_id, contact);
  EXPECT_THAT(got->associations->at("contacts")[0].type_ids, Contains(578));
  EXPECT_TRUE(got->associations->at("companies").empty());
  EXPECT_FALSE(got->associations_unresolved);
  ASSERT_EQ(got->history.at("hs_lead_name").size(), 1u);
  EXPECT_EQ(got->history.at("hs_lead_name")[0].source_type, "INTEGRATION");

  LeadObject updated = run(client.update(created.id, {{"hs_lead_label", "HOT"}}));
  EXPECT_EQ(updated.property("hs_lead_label"), "HOT");

  ListRequest l;
  l.limit = 1;
  l.properties = {"hs_lead_name"};
  std::vector<std::string> ids;
  run(client.list_all(l, [&](std::vector<LeadObject> page) -> net::awaitable<void> {
    for (auto& lead : page) ids.push_back(lead.id);
    co_return;
  }));
  EXPECT_THAT(ids, ElementsAre(created.id));

  EXPECT_TRUE(run(client.archive(created.id)));
  EXPECT_FALSE(run(client.get_lead(created.id)));
  // Archiving is idempotent in fake-hubspot (204 for unknown ids too); archive() is false only on a 404.
  EXPECT_TRUE(run(client.archive(created.id)));
  ListRequest archived;
  archived.archived = true;
  auto page = run(client.list_page(archived));
  ASSERT_EQ(page.results.size(), 1u);
  EXPECT_TRUE(page.results[0].archived);
  GetOptions ga;
  ga.archived = true;
  EXPECT_TRUE(run(client.get_lead(created.id, ga)));
  EXPECT_EQ(observer.calls["POST /crm/v3/objects/leads"], 1);
  EXPECT_EQ(observer.calls["PATCH /crm/v3/objects/leads/{id}"], 1);
}

TEST_F(EndpointsIT, ValidationErrorsAreRecordErrorsWithHubSpotsDetails) {
  const std::string contact = new_contact();
  LeadObject lead = run(client.create(lead_input("A", contact)));
  try {
    run(client.update(lead.id, {{"no_such_property", "x"}}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_record());
    EXPECT_EQ(e.details().http_status, 400);
    EXPECT_EQ(e.details().category, "VALIDATION_ERROR");
    EXPECT_FALSE(e.details().correlation_id.empty());
  }
  try {
    run(client.create(LeadCreateInput{{{"hs_lead_name", "no association"}}, {}, std::nullopt}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_record());
    EXPECT_FALSE(is_in_doubt(e));
  }
  EXPECT_EQ(observer.statuses[400], 2);
}

TEST_F(EndpointsIT, BatchReadWithMissingIdsAndChunking) {
  const std::string contact = new_contact();
  std::vector<LeadCreateInput> inputs;
  for (int i = 0; i < 120; ++i) inputs.push_back(lead_input("Lead " + std::to_string(i), contact));
  auto created = run(client.batch_create(inputs));
  ASSERT_EQ(created.results.size(), 120u);
  EXPECT_TRUE(created.errors.empty());
  EXPECT_EQ(observer.calls["POST /crm/v3/objects/leads/batch/create"], 2);

  std::vector<std::string> ids;
  for (const auto& l : created.results) ids.push_back(l.id);
  ids.push_back("999999999");
  BatchReadOptions o;
  o.properties = {"hs_lead_name"};
  o.properties_with_history = {"hs_lead_name"};
  auto read = run(client.batch_read(ids, o));
  EXPECT_EQ(read.results.size(), 120u);
  ASSERT_EQ(read.errors.size(), 1u);
  EXPECT_EQ(read.errors[0].category, "OBJECT_NOT_FOUND");
  EXPECT_THAT(read.errors[0].ids(), ElementsAre("999999999"));
  EXPECT_EQ(observer.calls["POST /crm/v3/objects/leads/batch/read"], 3);  // 50 + 50 + 21 with history
}

TEST_F(EndpointsIT, BatchCreateWithOneInvalidInputMatchesResultsByTraceId) {
  const std::string contact = new_contact();
  std::vector<LeadCreateInput> inputs{lead_input("A", contact), lead_input("B", contact),
                                      lead_input("C", contact)};
  inputs[1].properties["hs_lead_label"] = "NOT_AN_OPTION";
  inputs[0].object_write_trace_id = "trace-a";
  inputs[1].object_write_trace_id = "trace-b";
  inputs[2].object_write_trace_id = "trace-c";
  auto r = run(client.batch_create(inputs));
  ASSERT_EQ(r.results.size(), 2u);
  for (const auto& lead : r.results) {
    ASSERT_TRUE(lead.object_write_trace_id);
    EXPECT_EQ(lead.property("hs_lead_name"), *lead.object_write_trace_id == "trace-a" ? "A" : "C");
  }
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].category, "VALIDATION_ERROR");
  EXPECT_THAT(r.errors[0].trace_ids(), ElementsAre("trace-b"));
  EXPECT_EQ(r.errors[0].http_status, 207);
}

TEST_F(EndpointsIT, BatchUpdateReportsPerInputErrors) {
  const std::string contact = new_contact();
  auto a = run(client.create(lead_input("A", contact)));
  auto b = run(client.create(lead_input("B", contact)));
  auto r = run(client.batch_update({{a.id, {{"hs_lead_label", "WARM"}}, std::nullopt},
                                    {b.id, {{"hs_lead_label", "TEPID"}}, std::nullopt}}));
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].id, a.id);
  EXPECT_EQ(r.results[0].property("hs_lead_label"), "WARM");
  ASSERT_TRUE(r.results[0].object_write_trace_id);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].trace_ids().size(), 1u);
}

TEST_F(EndpointsIT, UniqueKeyPropertyUpsertAndLookupByIdProperty) {
  auto def =
      run(client.create_property(HubSpotClient::unique_key_definition("leadsync_key", "leadsync key")));
  EXPECT_TRUE(def.has_unique_value);
  auto fetched = run(client.get_property("leadsync_key"));
  ASSERT_TRUE(fetched);
  EXPECT_TRUE(fetched->has_unique_value);
  EXPECT_EQ(fetched->type, "string");
  EXPECT_FALSE(run(client.get_property("no_such_property")));

  const std::string contact = new_contact();
  auto in = lead_input("Keyed", contact);
  in.properties["leadsync_key"] = "k-1";
  auto lead = run(client.create(in));

  GetOptions g;
  g.id_property = "leadsync_key";
  g.properties = {"hs_lead_name"};
  auto by_key = run(client.get_lead("k-1", g));
  ASSERT_TRUE(by_key);
  EXPECT_EQ(by_key->id, lead.id);

  auto up = run(client.batch_upsert({{"k-1", {{"hs_lead_label", "COLD"}}, std::nullopt},
                                     {"k-new", {{"hs_lead_name", "New"}}, std::nullopt}},
                                    "leadsync_key"));
  ASSERT_EQ(up.results.size(), 1u);
  EXPECT_EQ(up.results[0].lead.id, lead.id);
  EXPECT_FALSE(up.results[0].is_new);
  EXPECT_EQ(up.results[0].lead.property("hs_lead_label"), "COLD");
  // fake-hubspot (like HubSpot) cannot create a lead without its primary association: per-input error.
  ASSERT_EQ(up.errors.size(), 1u);

  // A duplicate unique value is refused.
  auto dup = lead_input("Dup", contact);
  dup.properties["leadsync_key"] = "k-1";
  EXPECT_THROW(run(client.create(dup)), core::Error);

  auto update_by_key = run(client.update("k-1", {{"hs_lead_name", "Renamed"}}, std::string("leadsync_key")));
  EXPECT_EQ(update_by_key.id, lead.id);
}

TEST_F(EndpointsIT, SearchAndBatchArchive) {
  const std::string contact = new_contact();
  auto a = run(client.create(lead_input("Searchable A", contact)));
  auto b = run(client.create(lead_input("Searchable B", contact)));
  SearchRequest s;
  s.filter_groups.push_back({{{"hs_object_id", "IN", std::nullopt, {a.id, b.id}, std::nullopt}}});
  s.sort = SearchSort{"hs_object_id", true};
  s.properties = {"hs_lead_name"};
  auto page = run(client.search(s));
  EXPECT_EQ(page.total, 2);
  ASSERT_EQ(page.results.size(), 2u);
  EXPECT_EQ(page.results[0].id, a.id);
  EXPECT_FALSE(page.next_after);

  run(client.batch_archive({a.id, b.id}));
  EXPECT_FALSE(run(client.get_lead(a.id)));
  EXPECT_EQ(run(client.search(s)).total, 0);  // archived leads never appear in search
}

TEST_F(EndpointsIT, V3AndV4AssociationsAndLabels) {
  const std::string primary = new_contact(), other = new_contact(), company = new_company();
  auto lead = run(client.create(lead_input("Assoc", primary)));

  run(client.associate(lead.id, "contacts", other, 608));
  run(client.associate(lead.id, "companies", company, 610));
  GetOptions g;
  g.associations = {"contacts", "companies"};
  auto got = run(client.get_lead(lead.id, g));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->associations->at("contacts").size(), 2u);
  EXPECT_FALSE(got->associations_unresolved);

  auto labels = run(client.put_association_labels(lead.id, "companies", company,
                                                  {{"HUBSPOT_DEFINED", 580}, {"HUBSPOT_DEFINED", 610}}));
  EXPECT_EQ(labels.to_id, company);

  auto by_lead = run(client.batch_read_associations("companies", {lead.id}));
  ASSERT_EQ(by_lead.by_lead.at(lead.id).size(), 1u);
  EXPECT_THAT(by_lead.by_lead.at(lead.id)[0].type_ids, ::testing::UnorderedElementsAre(580, 610));

  EXPECT_TRUE(run(client.unassociate(lead.id, "contacts", other, 608)));
  EXPECT_TRUE(run(client.remove_association(lead.id, "companies", company)));
  auto after = run(client.batch_read_associations("companies", {lead.id}));
  EXPECT_THAT(after.by_lead.at(lead.id), IsEmpty());  // "no associations" is an empty list, not an error
  EXPECT_TRUE(after.errors.empty());

  auto created =
      run(client.batch_create_associations("companies", {{lead.id, company, {{"HUBSPOT_DEFINED", 610}}}}));
  EXPECT_TRUE(created.errors.empty());
  EXPECT_EQ(run(client.batch_read_associations("companies", {lead.id})).by_lead.at(lead.id).size(), 1u);
  run(client.batch_archive_labels("companies", {{lead.id, company, {{"HUBSPOT_DEFINED", 610}}}}));
  run(client.batch_create_associations("companies", {{lead.id, company, {{"HUBSPOT_DEFINED", 610}}}}));
  run(client.batch_archive_associations("companies", {{lead.id, company, {}}}));
  EXPECT_THAT(run(client.batch_read_associations("companies", {lead.id})).by_lead.at(lead.id), IsEmpty());

  auto contact_labels = run(client.association_labels("contacts"));
  std::vector<int> type_ids;
  for (const auto& l : contact_labels) type_ids.push_back(l.type_id);
  EXPECT_THAT(type_ids, Contains(578));
  EXPECT_THAT(type_ids, Contains(608));

  // Removing the last primary association deletes the lead (as HubSpot does).
  EXPECT_TRUE(run(client.unassociate(lead.id, "contacts", primary, 578)));
  EXPECT_FALSE(run(client.get_lead(lead.id)));
}

TEST_F(EndpointsIT, AssociationBatchReadFollowsPaging) {
  const std::string primary = new_contact();
  auto lead = run(client.create(lead_input("Many", primary)));
  Json many = admin("POST", "/_fake/contacts", R"({"count": 600})");
  for (const auto& c : many["results"])
    run(client.associate(lead.id, "contacts", c["id"].get<std::string>(), 608));
  auto r = run(client.batch_read_associations("contacts", {lead.id}));
  EXPECT_EQ(r.by_lead.at(lead.id).size(), 601u);  // more than one 500-entry page
  EXPECT_GE(observer.calls["POST /crm/v4/associations/leads/{toType}/batch/read"], 2);
}

TEST_F(EndpointsIT, PropertiesAndPipelines) {
  auto props = run(client.list_properties());
  bool has_name = false, stage_external = false;
  for (const auto& p : props) {
    if (p.name == "hs_lead_name") has_name = true;
    if (p.name == "hs_pipeline_stage") stage_external = p.external_options;
  }
  EXPECT_TRUE(has_name);
  EXPECT_TRUE(stage_external);
  auto pipelines = run(client.list_pipelines());
  ASSERT_FALSE(pipelines.empty());
  EXPECT_EQ(pipelines[0].id, "lead-pipeline-id");
  EXPECT_FALSE(pipelines[0].stages.empty());
}

class NumericTypeIT : public FakeHubspotTest {
 public:
  static FakeSetup setup() {
    FakeSetup s;
    s.client.object_type = "0-136";
    return s;
  }
  NumericTypeIT() : FakeHubspotTest(setup()) {}
};

TEST_F(NumericTypeIT, ObjectTypeIdPathsWork) {
  const std::string contact = new_contact();
  auto lead = run(client.create(lead_input("Numeric", contact)));
  EXPECT_TRUE(run(client.get_lead(lead.id)));
  EXPECT_EQ(run(client.list_page({})).results.size(), 1u);
}

class SearchWindowIT : public FakeHubspotTest {
 public:
  static FakeSetup setup() {
    FakeSetup s;
    s.fake_args = {"--seed-leads", "10300"};
    return s;
  }
  SearchWindowIT() : FakeHubspotTest(setup()) {}
};

TEST_F(SearchWindowIT, WindowedSearchGoesPastTheTenThousandCap) {
  const auto now = core::to_epoch_ms(clock.now());
  std::set<std::string> ids;
  auto stats = run(client.search_modified_window(0, now + 60'000, {"hs_lead_name"},
                                                 [&](std::vector<LeadObject> page) -> net::awaitable<void> {
                                                   for (auto& l : page) EXPECT_TRUE(ids.insert(l.id).second);
                                                   co_return;
                                                 }));
  EXPECT_EQ(ids.size(), 10'300u);
  EXPECT_EQ(stats.restarts, 1);
  EXPECT_EQ(observer.statuses[400], 0);
}

}  // namespace
}  // namespace leadsync::hubspot::itest
