// The capture triggers of migrations/0002 as attached by SchemaManager, exercised with plain SQL the way an
// application would write.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <vector>

#include "db_test_util.hpp"
#include "leadsync/db/migrations.hpp"
#include "leadsync/db/schema_manager.hpp"
#include "leadsync/testing/test_database.hpp"

namespace leadsync::db {
namespace {

using nlohmann::json;
using test::standard_mapping;
using ::testing::HasSubstr;
using testing::TestDatabase;

struct Change {
  std::string scope;
  long long txid = 0;
  long long lead_id = 0;
  std::optional<std::string> hubspot_id;
  std::string op;
  json changed;
  std::string state;
};

class DbTriggersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LEADSYNC_REQUIRE_DATABASE();
    db_.emplace();
    MigrationRunner(db_->dsn(), LEADSYNC_MIGRATIONS_DIR).run();
    SchemaManager(db_->dsn()).ensure_schema(standard_mapping());
    conn_.emplace(db_->dsn());
  }

  // Runs statements in one transaction; returns that transaction's txid.
  long long write(const std::vector<std::string>& statements, bool as_sync = false) {
    pqxx::work tx(*conn_);
    if (as_sync) tx.exec("SET LOCAL leadsync.origin = 'sync'");
    for (const auto& s : statements) tx.exec(s);
    auto txid = tx.exec("SELECT txid_current()")[0][0].as<long long>();
    tx.commit();
    return txid;
  }
  long long insert_lead(const std::string& values_sql, bool as_sync = false) {
    pqxx::work tx(*conn_);
    if (as_sync) tx.exec("SET LOCAL leadsync.origin = 'sync'");
    auto id = tx.exec("INSERT INTO hubspot_leads " + values_sql + " RETURNING id")[0][0].as<long long>();
    tx.commit();
    return id;
  }
  std::vector<Change> changes(const std::string& where = "true") {
    pqxx::nontransaction tx(*conn_);
    std::vector<Change> out;
    for (const auto& r : tx.exec("SELECT scope, txid, lead_id, hubspot_id, op, changed::text, state "
                                 "FROM leadsync.changes WHERE " +
                                 where + " ORDER BY id")) {
      Change c;
      c.scope = r[0].as<std::string>();
      c.txid = r[1].as<long long>();
      c.lead_id = r[2].as<long long>();
      if (!r[3].is_null()) c.hubspot_id = r[3].as<std::string>();
      c.op = r[4].as<std::string>();
      c.changed = json::parse(r[5].as<std::string>());
      c.state = r[6].as<std::string>();
      out.push_back(std::move(c));
    }
    return out;
  }
  void clear_changes() { db_->exec("DELETE FROM leadsync.changes"); }

  std::optional<TestDatabase> db_;
  std::optional<pqxx::connection> conn_;
};

TEST_F(DbTriggersTest, InsertIsCapturedWithEveryMappedValue) {
  pqxx::work tx(*conn_);
  auto id =
      tx.exec(
            "INSERT INTO hubspot_leads (lead_name, lead_label, lead_score, vip, due_date, seen_at) VALUES "
            "('Ada', 'hot', 1.50, true, '2024-05-01', '2024-05-01 12:00:00+00') RETURNING id")[0][0]
          .as<long long>();
  auto txid = tx.exec("SELECT txid_current()")[0][0].as<long long>();
  tx.commit();

  auto c = changes();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scope, "public.hubspot_leads");
  EXPECT_EQ(c[0].op, "INSERT");
  EXPECT_EQ(c[0].lead_id, id);
  EXPECT_EQ(c[0].txid, txid);
  EXPECT_FALSE(c[0].hubspot_id.has_value());
  EXPECT_EQ(c[0].state, "NEW");
  // Every mapped column plus archived; no bookkeeping column.
  EXPECT_EQ(c[0].changed.size(), 7u) << c[0].changed.dump();
  EXPECT_EQ(c[0].changed["lead_name"], "Ada");
  EXPECT_EQ(c[0].changed["lead_label"], "hot");
  EXPECT_EQ(c[0].changed["lead_score"], 1.5);
  EXPECT_EQ(c[0].changed["vip"], true);
  EXPECT_EQ(c[0].changed["due_date"], "2024-05-01");
  EXPECT_TRUE(c[0].changed["seen_at"].is_string());
  EXPECT_EQ(c[0].changed["archived"], false);
  for (auto k : {"id", "hubspot_id", "sync_key", "hubspot_updated_at", "sync_status", "sync_error"})
    EXPECT_FALSE(c[0].changed.contains(k)) << k;
}

TEST_F(DbTriggersTest, InsertWithNullsCapturesTheNulls) {
  insert_lead("(lead_name) VALUES ('Bo')");
  auto c = changes();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].changed["lead_score"].is_null());
  EXPECT_TRUE(c[0].changed.contains("lead_score"));
}

TEST_F(DbTriggersTest, UpdateIsCapturedWithOnlyTheChangedColumns) {
  auto id = insert_lead("(hubspot_id, lead_name, vip, lead_score) VALUES ('501', 'Ada', false, 3)", true);
  auto txid =
      write({"UPDATE hubspot_leads SET lead_name = 'Ada L.', vip = true, lead_score = 3.0, "
             "sync_status = 'x' WHERE id = " +
             std::to_string(id)});
  auto c = changes();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].op, "UPDATE");
  EXPECT_EQ(c[0].lead_id, id);
  EXPECT_EQ(c[0].txid, txid);
  EXPECT_EQ(c[0].hubspot_id, "501");
  // lead_score 3 -> 3.0 is the same number; sync_status is bookkeeping.
  EXPECT_EQ(c[0].changed, json({{"lead_name", "Ada L."}, {"vip", true}}));
}

TEST_F(DbTriggersTest, UpdateToNullIsCaptured) {
  auto id = insert_lead("(lead_name) VALUES ('Ada')", true);
  write({"UPDATE hubspot_leads SET lead_name = NULL WHERE id = " + std::to_string(id)});
  auto c = changes();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].changed, json({{"lead_name", nullptr}}));
}

TEST_F(DbTriggersTest, NoOpAndBookkeepingOnlyUpdatesAreNotCaptured) {
  auto id = std::to_string(insert_lead("(lead_name, vip) VALUES ('Ada', true)", true));
  write({"UPDATE hubspot_leads SET lead_name = 'Ada' WHERE id = " + id,
         "UPDATE hubspot_leads SET lead_name = lead_name, vip = vip WHERE id = " + id,
         "UPDATE hubspot_leads SET sync_status = 'FAILED', sync_error = 'x', hubspot_updated_at = now() "
         "WHERE id = " +
             id,
         "UPDATE hubspot_leads SET hubspot_id = '77' WHERE id = " + id});
  EXPECT_TRUE(changes().empty());
}

TEST_F(DbTriggersTest, UnmappedColumnsWithoutEqualityOperatorDoNotBreakUpdates) {
  db_->exec("ALTER TABLE hubspot_leads ADD COLUMN extra json, ADD COLUMN spot point");
  db_->exec("ALTER TABLE hubspot_leads_associations ADD COLUMN note json");
  auto id =
      std::to_string(insert_lead("(lead_name, extra, spot) VALUES ('Ada', '{\"a\": 1}', '(1,2)')", true));
  write({"INSERT INTO hubspot_leads_associations (lead_id, to_object_type, to_object_id, "
         "association_type_id, note) "
         "VALUES (" +
         id + ", 'contacts', '1', 578, '[]')"},
        true);
  write({"UPDATE hubspot_leads SET lead_name = 'Ada' WHERE id = " + id,
         "UPDATE hubspot_leads_associations SET note = '[1]'"});
  EXPECT_TRUE(changes().empty());
  write({"UPDATE hubspot_leads SET lead_name = 'B' WHERE id = " + id});
  auto c = changes();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].changed, json({{"lead_name", "B"}}));
}

TEST_F(DbTriggersTest, ArchivingLocallyIsAChange) {
  auto id = insert_lead("(hubspot_id, lead_name) VALUES ('9', 'Ada')", true);
  write({"UPDATE hubspot_leads SET archived = true WHERE id = " + std::to_string(id)});
  auto c = changes();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].changed, json({{"archived", true}}));
}

TEST_F(DbTriggersTest, DeleteIsCapturedWithTheHubspotIdAndTheSyncKey) {
  auto id = insert_lead("(hubspot_id, lead_name) VALUES ('4242', 'Ada')", true);
  const auto key = db_->query_value("SELECT sync_key FROM hubspot_leads WHERE id = " + std::to_string(id));
  auto txid = write({"DELETE FROM hubspot_leads WHERE id = " + std::to_string(id)});
  auto c = changes();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].op, "DELETE");
  EXPECT_EQ(c[0].lead_id, id);
  EXPECT_EQ(c[0].hubspot_id, "4242");
  EXPECT_EQ(c[0].txid, txid);
  // The sync_key finds a lead whose create reached HubSpot unconfirmed (migration 0011).
  EXPECT_EQ(c[0].changed, json({{"sync_key", key}}));
}

TEST_F(DbTriggersTest, WritesUnderOriginSyncAreNotCaptured) {
  auto id = std::to_string(insert_lead("(lead_name) VALUES ('Ada')", true));
  write(
      {"UPDATE hubspot_leads SET lead_name = 'B' WHERE id = " + id,
       "INSERT INTO hubspot_leads_associations (lead_id, to_object_type, to_object_id, association_type_id) "
       "VALUES (" +
           id + ", 'contacts', '1', 578)",
       "DELETE FROM hubspot_leads_associations", "DELETE FROM hubspot_leads WHERE id = " + id},
      true);
  EXPECT_TRUE(changes().empty());
  // SET LOCAL ended with that transaction: the same session's next write is captured again.
  insert_lead("(lead_name) VALUES ('after')");
  EXPECT_EQ(changes().size(), 1u);
}

TEST_F(DbTriggersTest, OtherOriginValuesAreCaptured) {
  write({"SET LOCAL leadsync.origin = 'app'", "INSERT INTO hubspot_leads (lead_name) VALUES ('x')"});
  EXPECT_EQ(changes().size(), 1u);
}

TEST_F(DbTriggersTest, AssociationInsertUpdateAndDeleteAreCaptured) {
  auto lead = std::to_string(insert_lead("(hubspot_id, lead_name) VALUES ('900', 'Ada')", true));
  write(
      {"INSERT INTO hubspot_leads_associations (lead_id, to_object_type, to_object_id, association_type_id) "
       "VALUES (" +
       lead + ", 'contacts', '101', 578)"});
  write({"UPDATE hubspot_leads_associations SET to_object_id = '102'"});
  write({"UPDATE hubspot_leads_associations SET to_object_id = to_object_id"});  // no-op: not captured
  write({"DELETE FROM hubspot_leads_associations"});

  auto c = changes();
  ASSERT_EQ(c.size(), 4u);
  const json a101 = {{"to_object_type", "contacts"},
                     {"to_object_id", "101"},
                     {"association_type_id", 578},
                     {"association_category", "HUBSPOT_DEFINED"}};
  json a102 = a101;
  a102["to_object_id"] = "102";
  EXPECT_EQ(c[0].op, "ASSOC_ADD");
  EXPECT_EQ(c[0].changed, a101);
  EXPECT_EQ(c[1].op, "ASSOC_REMOVE");
  EXPECT_EQ(c[1].changed, a101);
  EXPECT_EQ(c[2].op, "ASSOC_ADD");
  EXPECT_EQ(c[2].changed, a102);
  EXPECT_EQ(c[1].txid, c[2].txid);
  EXPECT_EQ(c[3].op, "ASSOC_REMOVE");
  EXPECT_EQ(c[3].changed, a102);
  for (const auto& ch : c) {
    EXPECT_EQ(ch.scope, "public.hubspot_leads");
    EXPECT_EQ(std::to_string(ch.lead_id), lead);
    EXPECT_EQ(ch.hubspot_id, "900");
  }
}

TEST_F(DbTriggersTest, LeadDeleteCascadesToItsAssociationsInOneTransaction) {
  auto lead = std::to_string(insert_lead("(hubspot_id, lead_name) VALUES ('900', 'Ada')", true));
  write(
      {"INSERT INTO hubspot_leads_associations (lead_id, to_object_type, to_object_id, association_type_id) "
       "VALUES (" +
       lead + ", 'contacts', '101', 578), (" + lead + ", 'companies', '7', 580)"},
      true);
  auto txid = write({"DELETE FROM hubspot_leads WHERE id = " + lead});
  auto c = changes();
  ASSERT_EQ(c.size(), 3u);
  std::multiset<std::string> ops;
  for (const auto& ch : c) {
    ops.insert(ch.op);
    EXPECT_EQ(ch.txid, txid);
  }
  EXPECT_EQ(ops, (std::multiset<std::string>{"ASSOC_REMOVE", "ASSOC_REMOVE", "DELETE"}));
  EXPECT_EQ(changes("op = 'DELETE'").at(0).hubspot_id, "900");
}

TEST_F(DbTriggersTest, TruncateIsRefusedWithAnExplanation) {
  insert_lead("(lead_name) VALUES ('Ada')", true);
  for (auto table : {"hubspot_leads", "hubspot_leads_associations"}) {
    try {
      write({std::string("TRUNCATE ") + table + " CASCADE"});
      ADD_FAILURE() << "TRUNCATE " << table << " was not refused";
    } catch (const pqxx::sql_error& e) {
      EXPECT_EQ(e.sqlstate(), "0A000");  // feature_not_supported
      EXPECT_THAT(e.what(), HasSubstr("leadsync cannot propagate TRUNCATE to HubSpot"));
      EXPECT_THAT(e.what(), HasSubstr("HINT:  Use DELETE"));
    }
  }
  EXPECT_EQ(db_->query_value("SELECT count(*) FROM hubspot_leads"), "1");
}

TEST_F(DbTriggersTest, TruncateIsAllowedUnderOriginSync) {
  insert_lead("(lead_name) VALUES ('Ada')", true);
  write({"TRUNCATE hubspot_leads, hubspot_leads_associations"}, true);
  EXPECT_EQ(db_->query_value("SELECT count(*) FROM hubspot_leads"), "0");
}

class Receiver : public pqxx::notification_receiver {
 public:
  using pqxx::notification_receiver::notification_receiver;
  void operator()(const std::string& payload, int) override { payloads.push_back(payload); }
  std::vector<std::string> payloads;
};

// Waits (up to 10 s, in case the machine is loaded) for at least `count` notifications.
void await(pqxx::connection& conn, Receiver& r, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (r.payloads.size() < count && std::chrono::steady_clock::now() < deadline)
    conn.await_notification(1, 0);
}

TEST_F(DbTriggersTest, ALocalChangeNotifiesChannelLeadsyncChangesOncePerTransaction) {
  pqxx::connection listener(db_->dsn());
  Receiver r(listener, std::string(kNotifyChannel));
  write({"INSERT INTO hubspot_leads (lead_name) SELECT 'n' || g FROM generate_series(1, 50) g"});
  await(listener, r, 1);
  ASSERT_EQ(r.payloads.size(), 1u);  // identical payloads fold into one per transaction
  EXPECT_EQ(r.payloads[0], "public.hubspot_leads");
  EXPECT_EQ(changes().size(), 50u);

  // A sync write does not notify; the next local one does.
  write({"UPDATE hubspot_leads SET lead_name = 'sync'"}, true);
  write({"UPDATE hubspot_leads SET lead_name = 'local' WHERE id = (SELECT min(id) FROM hubspot_leads)"});
  await(listener, r, 2);
  ASSERT_EQ(r.payloads.size(), 2u);
  listener.get_notifs();
  EXPECT_EQ(r.payloads.size(), 2u);
}

TEST_F(DbTriggersTest, AssociationChangesNotifyToo) {
  auto lead = std::to_string(insert_lead("(lead_name) VALUES ('Ada')", true));
  pqxx::connection listener(db_->dsn());
  Receiver r(listener, std::string(kNotifyChannel));
  write(
      {"INSERT INTO hubspot_leads_associations (lead_id, to_object_type, to_object_id, association_type_id) "
       "VALUES (" +
       lead + ", 'contacts', '1', 578)"});
  await(listener, r, 1);
  ASSERT_EQ(r.payloads.size(), 1u);
  EXPECT_EQ(r.payloads[0], "public.hubspot_leads");
}

TEST_F(DbTriggersTest, TwoScopesInOneDatabaseDoNotMix) {
  SchemaManager(db_->dsn()).ensure_schema(standard_mapping("portal_b_leads"));
  pqxx::connection listener(db_->dsn());
  Receiver r(listener, std::string(kNotifyChannel));
  auto a = insert_lead("(lead_name) VALUES ('in a')");
  long long b = 0;
  {
    pqxx::work tx(*conn_);
    b = tx.exec("INSERT INTO portal_b_leads (lead_name) VALUES ('in b') RETURNING id")[0][0].as<long long>();
    tx.exec(
        "INSERT INTO portal_b_leads_associations (lead_id, to_object_type, to_object_id, "
        "association_type_id) "
        "VALUES (" +
        std::to_string(b) + ", 'contacts', '5', 578)");
    tx.commit();
  }
  auto in_a = changes("scope = 'public.hubspot_leads'");
  auto in_b = changes("scope = 'public.portal_b_leads'");
  ASSERT_EQ(in_a.size(), 1u);
  EXPECT_EQ(in_a[0].lead_id, a);
  EXPECT_EQ(in_a[0].changed["lead_name"], "in a");
  ASSERT_EQ(in_b.size(), 2u);
  EXPECT_EQ(in_b[0].lead_id, b);
  EXPECT_EQ(in_b[0].changed["lead_name"], "in b");
  EXPECT_EQ(in_b[1].op, "ASSOC_ADD");
  EXPECT_EQ(changes().size(), 3u);
  await(listener, r, 2);
  EXPECT_THAT(r.payloads, ::testing::UnorderedElementsAre("public.hubspot_leads", "public.portal_b_leads"));
}

TEST_F(DbTriggersTest, MixedCaseNamesAreQuotedEverywhere) {
  auto mapping = standard_mapping("LeadsTable");
  mapping.schema = "CrmData";
  mapping.properties.push_back({"hs_mixed", "MixedColumn", core::PropertyType::string});
  SchemaManager(db_->dsn()).ensure_schema(mapping);
  EXPECT_THAT(SchemaManager(db_->dsn()).ensure_schema(mapping).triggers_created, ::testing::IsEmpty());
  write({"SET LOCAL leadsync.origin = 'sync'",
         "INSERT INTO \"CrmData\".\"LeadsTable\" (hubspot_id, \"MixedColumn\") VALUES ('31', 'a')"});
  write({"UPDATE \"CrmData\".\"LeadsTable\" SET \"MixedColumn\" = 'b'",
         "INSERT INTO \"CrmData\".\"LeadsTable_associations\" (lead_id, to_object_type, to_object_id, "
         "association_type_id) SELECT id, 'contacts', '1', 578 FROM \"CrmData\".\"LeadsTable\""});
  auto c = changes();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].scope, "CrmData.LeadsTable");
  EXPECT_EQ(c[0].changed, json({{"MixedColumn", "b"}}));
  EXPECT_EQ(c[1].op, "ASSOC_ADD");
  EXPECT_EQ(c[1].hubspot_id, "31");
}

TEST_F(DbTriggersTest, NewlyAddedMappedColumnIsCaptured) {
  auto mapping = standard_mapping();
  mapping.properties.push_back({"hs_budget", "budget", core::PropertyType::number});
  SchemaManager(db_->dsn()).ensure_schema(mapping);
  auto id = insert_lead("(lead_name) VALUES ('Ada')", true);
  write({"UPDATE hubspot_leads SET budget = 12.5 WHERE id = " + std::to_string(id)});
  auto c = changes();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].changed, json({{"budget", 12.5}}));
}

}  // namespace
}  // namespace leadsync::db
