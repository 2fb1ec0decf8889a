#include <gtest/gtest.h>

#include "lead_json.hpp"
#include "store.hpp"

namespace leadsync::fake_hubspot {
namespace {

constexpr std::int64_t kNow = 1767225600000;

class StoreTest : public ::testing::Test {
 protected:
  Store store{kNow};
  SourceIndex api = store.intern_source({"INTEGRATION", "1234001", 0});

  Lead& lead_with(std::uint64_t contact, std::uint64_t company = 0) {
    std::vector<AssocRequest> assocs{{ObjKind::contact, contact, kAssocPrimary}};
    if (company) assocs.push_back({ObjKind::company, company, kAssocPrimary});
    PropWrites w;
    EXPECT_TRUE(store.validate({{"hs_lead_name", "L"}}, nullptr, w, nullptr).empty());
    return store.create_lead(w, assocs, api, kNow);
  }
};

TEST_F(StoreTest, ValidationNormalisesAndReportsEveryBadProperty) {
  PropWrites w;
  auto errors = store.validate({{"nope", "1"},
                                {"hs_object_id", "1"},
                                {"hs_lead_label", "TEPID"},
                                {"lead_score", "x"},
                                {"follow_up_date", "1767225600001"},
                                {"last_touch_at", "1767225600123"},
                                {"is_priority", "FALSE"},
                                {"hs_pipeline_stage", "connected-stage-id"}},
                               nullptr, w, nullptr);
  ASSERT_EQ(errors.size(), 5u);
  EXPECT_EQ(errors[0].code, "PROPERTY_DOESNT_EXIST");
  EXPECT_EQ(errors[1].code, "READ_ONLY_VALUE");
  EXPECT_EQ(errors[2].code, "INVALID_OPTION");
  EXPECT_EQ(errors[3].code, "INVALID_INTEGER");
  EXPECT_EQ(errors[4].code, "INVALID_DATE");
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].second, "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(w[1].second, "false");
  EXPECT_EQ(w[2].second, "connected-stage-id");
}

TEST_F(StoreTest, NewLeadsGetTheDefaultPipelineAndUnchangedWritesKeepLastModified) {
  Lead& lead = lead_with(store.create_object(ObjKind::contact, {}, kNow).id);
  const PropIndex stage = *store.find_property("hs_pipeline_stage");
  ASSERT_NE(lead.current(stage), nullptr);
  EXPECT_EQ(store.value(lead.current(stage)->value), "new-stage-id");
  PropWrites same{{*store.find_property("hs_lead_name"), "L"}};
  EXPECT_FALSE(store.update_lead(lead, same, api, kNow + 5));
  EXPECT_EQ(lead.updated_ms, kNow);
  PropWrites changed{{*store.find_property("hs_lead_name"), "M"}};
  EXPECT_TRUE(store.update_lead(lead, changed, api, kNow + 5));
  EXPECT_EQ(lead.updated_ms, kNow + 5);
  EXPECT_EQ(lead.as_of(*store.find_property("hs_lead_name"), kNow + 4)->value,
            lead.history.front().value);  // the index before the change still sees "L"
}

TEST_F(StoreTest, LosingTheLastPrimaryArchivesAndAssociationsNeverTouchLastModified) {
  const auto contact = store.create_object(ObjKind::contact, {}, kNow).id;
  const auto company = store.create_object(ObjKind::company, {}, kNow).id;
  Lead& lead = lead_with(contact, company);
  store.associate(lead, ObjKind::company, store.create_object(ObjKind::company, {}, kNow).id,
                  kAssocUnlabeled);
  EXPECT_EQ(lead.updated_ms, kNow);
  EXPECT_FALSE(store.dissociate(lead, ObjKind::contact, contact, kAssocPrimary, kNow + 1));
  EXPECT_EQ(lead.assoc_bits(ObjKind::contact, contact), kAssocUnlabeled);
  EXPECT_TRUE(store.dissociate(lead, ObjKind::company, company, kAssocUnlabeled, kNow + 2));
  EXPECT_TRUE(lead.archived());
  EXPECT_EQ(lead.archived_ms, kNow + 2);
  EXPECT_EQ(lead.updated_ms, kNow);
}

TEST_F(StoreTest, PrimaryIsExclusiveAndSetLabelsReplaces) {
  const auto a = store.create_object(ObjKind::contact, {}, kNow).id;
  const auto b = store.create_object(ObjKind::contact, {}, kNow).id;
  Lead& lead = lead_with(a);
  store.associate(lead, ObjKind::contact, b, kAssocPrimary);
  EXPECT_EQ(lead.assoc_bits(ObjKind::contact, a), kAssocUnlabeled);
  EXPECT_EQ(lead.assoc_bits(ObjKind::contact, b), kAssocPrimary | kAssocUnlabeled);
  EXPECT_EQ(store.find_object(ObjKind::contact, b)->leads, std::vector<std::uint64_t>{lead.id});
  EXPECT_TRUE(store.set_labels(lead, ObjKind::contact, b, 0, kNow + 1));  // drops the only primary
  EXPECT_TRUE(lead.archived());
}

TEST_F(StoreTest, UniqueValuesAreIndexedClaimedAndReleasedOnArchive) {
  PropertyDef key;
  key.name = "sync_key";
  key.type = PropType::string;
  key.field_type = "text";
  key.has_unique_value = true;
  const PropIndex p = store.add_property(key);
  const auto contact = store.create_object(ObjKind::contact, {}, kNow).id;
  Lead& first = lead_with(contact);
  PropWrites w;
  ASSERT_TRUE(store.validate({{"sync_key", "K"}}, &first, w, nullptr).empty());
  store.update_lead(first, w, api, kNow);
  EXPECT_EQ(store.find_by_unique(p, "K"), &first);
  Lead& second = lead_with(contact);
  EXPECT_EQ(store.validate({{"sync_key", "K"}}, &second, w, nullptr).at(0).code, "VALUE_NOT_UNIQUE");
  EXPECT_TRUE(store.validate({{"sync_key", "K"}}, &first, w, nullptr).empty());
  Store::Claims claims;
  EXPECT_TRUE(store.validate({{"sync_key", "N"}}, nullptr, w, &claims).empty());
  EXPECT_EQ(store.validate({{"sync_key", "N"}}, nullptr, w, &claims).at(0).code, "VALUE_NOT_UNIQUE");
  store.archive_lead(first, kNow + 1);
  EXPECT_EQ(store.find_by_unique(p, "K"), nullptr);
  EXPECT_TRUE(store.validate({{"sync_key", "K"}}, &second, w, nullptr).empty());
}

TEST_F(StoreTest, SeedCreatesLeadsWithBothPrimaries) {
  store.seed(250, kNow);
  ASSERT_EQ(store.leads().size(), 250u);
  for (const auto& l : store.leads()) {
    EXPECT_TRUE(l.has_primary());
    EXPECT_EQ(l.assocs.size(), 2u);
    EXPECT_LE(l.created_ms, kNow);
  }
  EXPECT_LT(store.leads().front().id, store.leads().back().id);
}

TEST_F(StoreTest, LeadJsonSortsPropertiesAndReadsTheIndexAsOfACutoff) {
  const auto contact = store.create_object(ObjKind::contact, {}, kNow).id;
  Lead& lead = lead_with(contact);
  PropWrites w{{*store.find_property("hs_lead_label"), "HOT"}};
  store.update_lead(lead, w, api, kNow + 100);
  ObjectView view;
  view.props = {*store.find_property("hs_lead_label"), kPropObjectId};
  sort_by_name(store, view.props);
  view.as_of = kNow + 50;
  std::string out;
  JsonWriter jw(out);
  write_lead(jw, store, lead, view);
  const std::string id = std::to_string(lead.id);
  EXPECT_EQ(
      out,
      R"({"id":")" + id + R"(","properties":{"hs_lead_label":null,"hs_object_id":")" + id +
          R"("},"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z","archived":false})");
}

}  // namespace
}  // namespace leadsync::fake_hubspot
