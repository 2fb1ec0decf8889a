// PgStore's side of webhook events against a real PostgreSQL: events stored by the receiver's own writer
// (InboxWriter) and bases written by a real pull (apply_pull), read back as the engine sees them. The
// payload is HubSpot's JSON as received, so odd or unexpected fields must decode to "nothing known", never
// to an error that would stop every later event of the inbox.
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "db_test_util.hpp"
#include "leadsync/core/reconcile.hpp"
#include "leadsync/db/inbox_writer.hpp"
#include "leadsync/db/migrations.hpp"
#include "leadsync/db/pg_store.hpp"
#include "leadsync/db/schema_manager.hpp"
#include "leadsync/testing/test_database.hpp"

namespace leadsync::db {
namespace {

using core::EventKind;
using core::InboxEvent;
using test::standard_mapping;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::TestDatabase;

constexpr const char* kTable = "hubspot_leads";
constexpr const char* kOtherTable = "other_leads";

// One event as HubSpot sends it for a lead; `fields` adds to (or, repeated, overrides) the common ones.
InboxRow event(std::int64_t event_id, const std::string& type, std::int64_t object_id,
               const std::string& fields = "", const std::string& object_type = R"("0-136")") {
  std::string payload = R"({"eventId":)" + std::to_string(event_id) + R"(,"subscriptionType":")" + type +
                        R"(","objectId":)" + std::to_string(object_id) + R"(,"portalId":62515)";
  if (!object_type.empty()) payload += R"(,"objectTypeId":)" + object_type;
  if (!fields.empty()) payload += "," + fields;
  return {event_id, type, object_id, 1765000000000 + event_id, payload + "}"};
}

InboxRow property_change(std::int64_t event_id, std::int64_t object_id, const std::string& fields) {
  return event(event_id, "object.propertyChange", object_id, fields);
}

std::vector<std::int64_t> ids_of(const std::vector<InboxEvent>& events) {
  std::vector<std::int64_t> out;
  for (const auto& e : events) out.push_back(e.event_id);
  return out;
}

const InboxEvent& by_id(const std::vector<InboxEvent>& events, std::int64_t event_id) {
  for (const auto& e : events)
    if (e.event_id == event_id) return e;
  throw std::runtime_error("event " + std::to_string(event_id) + " not returned");
}

class DbInboxEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LEADSYNC_REQUIRE_DATABASE();
    db_.emplace();
    MigrationRunner(db_->dsn(), LEADSYNC_MIGRATIONS_DIR).run();
    SchemaManager(db_->dsn()).ensure_schema(standard_mapping(kTable));
    SchemaManager(db_->dsn()).ensure_schema(standard_mapping(kOtherTable));
    store_.emplace(db_->dsn(), standard_mapping(kTable));
    writer_.emplace(db_->dsn(), store_->scope());
  }

  // Writes the base of these leads (and their rows) the way a poll does.
  static void pull(PgStore& store, const std::string& table, const std::vector<core::RemoteLead>& leads) {
    const auto mapping = standard_mapping(table);
    const core::SyncPolicy policy;
    auto result = store.apply_pull(leads,
                                   [&](const core::RemoteLead& r, const core::PullContext& c) {
                                     return core::plan_pull(mapping, policy, r, c);
                                   },
                                   {});
    ASSERT_THAT(result.failed, IsEmpty());
  }

  static core::RemoteLead lead(std::string id, core::PropertyValues values) {
    core::RemoteLead r;
    r.id = std::move(id);
    r.values = std::move(values);
    r.updated_at = core::from_epoch_ms(1765000000000);
    return r;
  }

  std::string inbox(const std::string& what, const std::string& where = "true") const {
    return db_->query_value("SELECT " + what + " FROM leadsync.inbox WHERE " + where);
  }

  std::optional<TestDatabase> db_;
  std::optional<PgStore> store_;
  std::optional<InboxWriter> writer_;
};

// Oldest first by arrival; events of one delivery (one transaction, one received_at) by event id, whatever
// order the batch listed them in. The limit cuts the oldest ones off; what is not read stays pending.
TEST_F(DbInboxEventsTest, ReturnsEventsInArrivalOrderThenByEventIdUpToTheLimit) {
  EXPECT_THAT(store_->pending_events(10), IsEmpty()) << "an empty inbox";
  ASSERT_EQ(writer_->insert({event(10, "object.creation", 1), event(12, "object.creation", 2)}), 2u);
  // received_at is the transaction's start time: the next delivery is measurably later.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(writer_->insert({event(11, "object.creation", 3), event(3, "object.creation", 4)}), 2u);
  ASSERT_EQ(inbox("count(DISTINCT received_at)"), "2");

  EXPECT_THAT(ids_of(store_->pending_events(10)), ElementsAre(10, 12, 3, 11));
  EXPECT_THAT(ids_of(store_->pending_events(3)), ElementsAre(10, 12, 3));
  EXPECT_THAT(ids_of(store_->pending_events(1)), ElementsAre(10));
  EXPECT_THAT(store_->pending_events(0), IsEmpty());
  EXPECT_THAT(ids_of(store_->pending_events(10)), ElementsAre(10, 12, 3, 11)) << "reading marks nothing";
}

// Two instances (two mapped tables) share the inbox: each reads, marks and prunes only its own events, even
// when HubSpot's event ids and object ids coincide, and `known` looks only at its own bases.
TEST_F(DbInboxEventsTest, EachScopeReadsMarksAndPrunesOnlyItsOwnEvents) {
  PgStore other(db_->dsn(), standard_mapping(kOtherTable));
  InboxWriter other_writer(db_->dsn(), other.scope());
  pull(other, kOtherTable, {lead("77", {{"hs_lead_name", "Other's"}})});
  ASSERT_EQ(writer_->insert({property_change(1, 77, R"("propertyName":"hs_lead_name","propertyValue":"A")"),
                             event(2, "object.creation", 78)}),
            2u);
  ASSERT_EQ(
      other_writer.insert({property_change(1, 77, R"("propertyName":"hs_lead_name","propertyValue":"B")"),
                           event(3, "object.deletion", 79)}),
      2u);

  const auto mine = store_->pending_events(10);
  ASSERT_THAT(ids_of(mine), ElementsAre(1, 2));
  EXPECT_EQ(mine[0].value, "A");
  EXPECT_FALSE(mine[0].known) << "the base of lead 77 belongs to the other scope";
  EXPECT_FALSE(mine[0].base_value.has_value());
  const auto theirs = other.pending_events(10);
  ASSERT_THAT(ids_of(theirs), ElementsAre(1, 3));
  EXPECT_EQ(theirs[0].value, "B");
  EXPECT_TRUE(theirs[0].known);
  EXPECT_EQ(theirs[0].base_value, core::Value("Other's"));

  // Marking event 1 here leaves the other scope's event 1 pending.
  store_->mark_events_applied({1, 3});
  EXPECT_THAT(ids_of(store_->pending_events(10)), ElementsAre(2));
  EXPECT_THAT(ids_of(other.pending_events(10)), ElementsAre(1, 3)) << "event 3 is not this store's";
  other.mark_events_applied({1});
  EXPECT_THAT(ids_of(other.pending_events(10)), ElementsAre(3));

  // Pruning everything applied so far removes this scope's event 1 only.
  const auto later = std::chrono::system_clock::now() + std::chrono::hours(1);
  EXPECT_EQ(store_->prune_events(later), 1u);
  EXPECT_EQ(inbox("string_agg(scope || ':' || event_id, ',' ORDER BY scope, event_id)"),
            "public.hubspot_leads:2,public.other_leads:1,public.other_leads:3");
}

// The six generic subscription types are told apart; anything else, and an event of another object type
// (HubSpot sends the same subscription types for contacts, companies...), is `other`, which the engine
// skips.
TEST_F(DbInboxEventsTest, DecodesTheSixSubscriptionTypesAndAnyOtherObjectTypeAsOther) {
  ASSERT_EQ(writer_->insert({
                event(1, "object.creation", 5),
                property_change(2, 5, R"("propertyName":"hs_lead_name","propertyValue":"x")"),
                event(3, "object.deletion", 5),
                event(4, "object.merge", 5, R"("primaryObjectId":5,"mergedObjectIds":[6])"),
                event(5, "object.restore", 5),
                event(6, "object.associationChange", 5),
                event(7, "object.somethingNew", 5),
                event(8, "contact.propertyChange", 5, R"("propertyName":"email","propertyValue":"x")"),
                property_change(9, 5, R"("propertyName":"email","propertyValue":"x","objectTypeId":"0-1")"),
                event(10, "object.creation", 5, "", R"("0-3")"),
                event(11, "object.merge", 5, R"("primaryObjectId":5,"mergedObjectIds":[6])", R"("2-136")"),
                event(12, "object.deletion", 5, "", R"("0-1360")"),
            }),
            12u);
  const auto events = store_->pending_events(20);
  ASSERT_EQ(events.size(), 12u);
  std::vector<EventKind> kinds;
  for (const auto& e : events) kinds.push_back(e.kind);
  EXPECT_THAT(kinds, ElementsAre(EventKind::creation, EventKind::property_change, EventKind::deletion,
                                 EventKind::merge, EventKind::restore, EventKind::association_change,
                                 EventKind::other, EventKind::other, EventKind::other, EventKind::other,
                                 EventKind::other, EventKind::other));
  for (const auto& e : events) EXPECT_EQ(e.object_id, "5") << e.event_id;
  EXPECT_THAT(by_id(events, 4).merged_ids, ElementsAre("6"));
  EXPECT_THAT(by_id(events, 11).merged_ids, IsEmpty()) << "not a lead merge: the ids name no lead";
}

// A property change carries the property and HubSpot's raw value ("" clears it; JSON null or no value at
// all: nothing to compare), and the base's value of that property when leadsync has a base holding it: a
// value, "no value" (JSON null in base.vals), or nothing when the base never held the property.
TEST_F(DbInboxEventsTest, APropertyChangeCarriesItsValueAndTheBasesValueOfThatProperty) {
  pull(*store_, kTable, {lead("42", {{"hs_lead_name", "Ann"}, {"hs_lead_label", std::nullopt}})});
  ASSERT_EQ(db_->query_value("SELECT vals::text FROM leadsync.base WHERE hubspot_id = '42'"),
            R"({"hs_lead_name": "Ann", "hs_lead_label": null})")
      << "the premise: a value, a JSON null, and hs_score absent";
  ASSERT_EQ(writer_->insert({
                property_change(1, 42, R"("propertyName":"hs_lead_name","propertyValue":"Bob")"),
                property_change(2, 42, R"("propertyName":"hs_lead_label","propertyValue":"")"),
                property_change(3, 42, R"("propertyName":"hs_score","propertyValue":null)"),
                property_change(4, 42, R"("propertyName":"hs_lead_name")"),
                property_change(5, 43, R"("propertyName":"hs_lead_name","propertyValue":"Ann")"),
                event(6, "object.creation", 42),
                event(7, "object.creation", 43),
                property_change(8, 42, R"("propertyValue":"orphan")"),
            }),
            8u);
  const auto events = store_->pending_events(20);
  ASSERT_EQ(events.size(), 8u);

  const auto& named = by_id(events, 1);
  EXPECT_EQ(named.kind, EventKind::property_change);
  EXPECT_EQ(named.object_id, "42");
  EXPECT_EQ(named.property, "hs_lead_name");
  EXPECT_EQ(named.value, "Bob");
  EXPECT_TRUE(named.known);
  ASSERT_TRUE(named.base_value.has_value());
  EXPECT_EQ(*named.base_value, core::Value("Ann"));

  const auto& cleared = by_id(events, 2);
  EXPECT_EQ(cleared.property, "hs_lead_label");
  EXPECT_EQ(cleared.value, std::optional<std::string>("")) << "\"\" is HubSpot's clearing, kept as sent";
  ASSERT_TRUE(cleared.base_value.has_value()) << "the base holds the property, as \"no value\"";
  EXPECT_EQ(*cleared.base_value, std::nullopt);

  const auto& null_value = by_id(events, 3);
  EXPECT_EQ(null_value.property, "hs_score");
  EXPECT_EQ(null_value.value, std::nullopt);
  EXPECT_TRUE(null_value.known);
  EXPECT_FALSE(null_value.base_value.has_value()) << "the base does not hold hs_score";

  const auto& no_value = by_id(events, 4);
  EXPECT_EQ(no_value.value, std::nullopt);
  EXPECT_EQ(no_value.base_value, std::optional<core::Value>(core::Value("Ann")));

  const auto& unknown_lead = by_id(events, 5);
  EXPECT_EQ(unknown_lead.value, "Ann");
  EXPECT_FALSE(unknown_lead.known);
  EXPECT_FALSE(unknown_lead.base_value.has_value());

  EXPECT_TRUE(by_id(events, 6).known);
  EXPECT_EQ(by_id(events, 6).property, "");
  EXPECT_FALSE(by_id(events, 6).base_value.has_value());
  EXPECT_FALSE(by_id(events, 7).known);

  const auto& no_property = by_id(events, 8);
  EXPECT_EQ(no_property.property, "");
  EXPECT_EQ(no_property.value, "orphan");
  EXPECT_TRUE(no_property.known);
  EXPECT_FALSE(no_property.base_value.has_value());
}

// A merge names the lead that remains (primaryObjectId) and the leads merged into it. Only decimal ids can
// name a lead: anything else in mergedObjectIds is left out (one bad element does not drop the others), a
// mergedObjectIds that is not an array gives none, and a primaryObjectId that is not an id leaves the
// event's objectId.
TEST_F(DbInboxEventsTest, AMergeTakesItsPrimaryAndOnlyTheNumericMergedIds) {
  ASSERT_EQ(writer_->insert({
                event(1, "object.merge", 101, R"("primaryObjectId":100,"mergedObjectIds":[101,102])"),
                event(2, "object.merge", 201, R"("primaryObjectId":"200","mergedObjectIds":["201",202])"),
                event(3, "object.merge", 301,
                      R"("primaryObjectId":300,"mergedObjectIds":)"
                      R"([301,"x",1.5,-4,null,[302],{"id":303},true,"",)"
                      R"("304,305","123456789012345678901",306])"),
                event(4, "object.merge", 401, R"("primaryObjectId":"4x0","mergedObjectIds":"402,403")"),
                event(5, "object.merge", 501, R"("primaryObjectId":null,"mergedObjectIds":{"502":503})"),
                event(6, "object.merge", 601, R"("primaryObjectId":[600],"mergedObjectIds":602)"),
                event(7, "object.merge", 701),
            }),
            7u);
  const auto events = store_->pending_events(20);
  ASSERT_EQ(events.size(), 7u);
  for (const auto& e : events) EXPECT_EQ(e.kind, EventKind::merge) << e.event_id;

  EXPECT_EQ(by_id(events, 1).object_id, "100");
  EXPECT_THAT(by_id(events, 1).merged_ids, ElementsAre("101", "102"));
  EXPECT_EQ(by_id(events, 2).object_id, "200") << "an id sent as a string is still an id";
  EXPECT_THAT(by_id(events, 2).merged_ids, ElementsAre("201", "202"));
  EXPECT_EQ(by_id(events, 3).object_id, "300");
  EXPECT_THAT(by_id(events, 3).merged_ids, ElementsAre("301", "306"))
      << "\"304,305\" is one string that names no lead, not two ids";
  EXPECT_EQ(by_id(events, 4).object_id, "401");
  EXPECT_THAT(by_id(events, 4).merged_ids, IsEmpty());
  EXPECT_EQ(by_id(events, 5).object_id, "501");
  EXPECT_THAT(by_id(events, 5).merged_ids, IsEmpty());
  EXPECT_EQ(by_id(events, 6).object_id, "601");
  EXPECT_THAT(by_id(events, 6).merged_ids, IsEmpty());
  EXPECT_EQ(by_id(events, 7).object_id, "701");
  EXPECT_THAT(by_id(events, 7).merged_ids, IsEmpty());
}

// Applied events are not handed out again; marking is idempotent and ignores ids that are not (or no longer)
// in the inbox.
TEST_F(DbInboxEventsTest, AppliedEventsAreNotReturnedAgain) {
  ASSERT_EQ(writer_->insert({event(1, "object.creation", 1), event(2, "object.creation", 2),
                             event(3, "object.creation", 3), event(4, "object.creation", 4)}),
            4u);
  store_->mark_events_applied({});
  EXPECT_THAT(ids_of(store_->pending_events(10)), ElementsAre(1, 2, 3, 4));
  store_->mark_events_applied({3, 1, 99});
  EXPECT_THAT(ids_of(store_->pending_events(10)), ElementsAre(2, 4));
  EXPECT_THAT(ids_of(store_->pending_events(1)), ElementsAre(2)) << "the limit counts pending events only";
  store_->mark_events_applied({1, 2, 4});
  EXPECT_THAT(store_->pending_events(10), IsEmpty());
  EXPECT_EQ(inbox("count(*)", "processed_at IS NOT NULL"), "4") << "marked, not deleted";
  // A redelivery of an applied event is deduplicated by the writer: it does not come back either.
  EXPECT_EQ(writer_->insert({event(2, "object.creation", 2)}), 0u);
  EXPECT_THAT(store_->pending_events(10), IsEmpty());
}

// Pruning deletes the events applied before the given time, and nothing else: not those applied later, not
// pending ones however old.
TEST_F(DbInboxEventsTest, PruneDeletesOnlyEventsAppliedBeforeTheGivenTime) {
  ASSERT_EQ(writer_->insert({event(1, "object.creation", 1), event(2, "object.creation", 2),
                             event(3, "object.creation", 3)}),
            3u);
  EXPECT_EQ(store_->prune_events(std::chrono::system_clock::now() + std::chrono::hours(1)), 0u)
      << "nothing applied yet";
  store_->mark_events_applied({1});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto between = std::chrono::system_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  store_->mark_events_applied({2});

  EXPECT_EQ(store_->prune_events(between - std::chrono::hours(1)), 0u);
  EXPECT_EQ(store_->prune_events(between), 1u);
  EXPECT_EQ(inbox("string_agg(event_id::text, ',' ORDER BY event_id)"), "2,3");
  EXPECT_EQ(store_->prune_events(std::chrono::system_clock::now() + std::chrono::hours(1)), 1u);
  EXPECT_EQ(inbox("string_agg(event_id::text, ',' ORDER BY event_id)"), "3");
  EXPECT_THAT(ids_of(store_->pending_events(10)), ElementsAre(3));
}

// HubSpot's fields with types other than documented (an id as a string, a value as a number, a boolean or
// an object, a property name that is not a string) decode to their text or to nothing, without an error: one
// odd event must not block every later one.
TEST_F(DbInboxEventsTest, OddlyTypedPayloadFieldsDecodeWithoutError) {
  pull(*store_, kTable, {lead("42", {{"hs_lead_name", "Ann"}, {"hs_score", "5"}})});
  ASSERT_EQ(writer_->insert({
                property_change(1, 42, R"("objectId":"42","propertyName":"hs_score","propertyValue":5)"),
                property_change(2, 42, R"("propertyName":"hs_vip","propertyValue":true)"),
                property_change(3, 42, R"("propertyName":"hs_lead_name","propertyValue":{"a":[1]})"),
                property_change(4, 42, R"("propertyName":7,"propertyValue":"x")"),
                property_change(5, 42, R"("propertyName":null,"propertyValue":"x")"),
                property_change(6, 42, R"("propertyName":["hs_lead_name"],"propertyValue":"x")"),
                event(7, "object.creation", 42, R"("objectTypeId":136)"),
                event(8, "object.creation", 42, R"("objectTypeId":null)"),
            }),
            8u);
  std::vector<InboxEvent> events;
  ASSERT_NO_THROW(events = store_->pending_events(20));
  ASSERT_EQ(events.size(), 8u);

  const auto& number = by_id(events, 1);
  EXPECT_EQ(number.kind, EventKind::property_change);
  EXPECT_EQ(number.object_id, "42") << "the inbox row's objectId, not the payload's string";
  EXPECT_EQ(number.value, "5");
  EXPECT_EQ(number.base_value, std::optional<core::Value>(core::Value("5")));
  EXPECT_EQ(by_id(events, 2).value, "true");
  EXPECT_EQ(by_id(events, 3).value, R"({"a": [1]})");
  EXPECT_EQ(by_id(events, 4).property, "7");
  EXPECT_FALSE(by_id(events, 4).base_value.has_value());
  EXPECT_EQ(by_id(events, 5).property, "");
  EXPECT_FALSE(by_id(events, 5).base_value.has_value());
  EXPECT_FALSE(by_id(events, 6).base_value.has_value()) << "an array names no property";
  EXPECT_EQ(by_id(events, 7).kind, EventKind::other) << "136 is not the lead type id \"0-136\"";
  for (const auto& e : events) EXPECT_TRUE(e.known) << e.event_id;

  ASSERT_NO_THROW(store_->mark_events_applied(ids_of(events)));
  EXPECT_THAT(store_->pending_events(20), IsEmpty());
}

}  // namespace
}  // namespace leadsync::db
