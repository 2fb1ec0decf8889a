// Initial import, and the promise that a run with nothing changed writes nothing on either side.
#include <map>
#include <string>
#include <vector>

#include "sync_fixture.hpp"

namespace leadsync::engine_test {
namespace {

class ImportTest : public SyncFixture {};

// Every row version (xmin) of both tables plus the outbox size: any local write changes it.
std::string local_fingerprint(SyncFixture& f) {
  return f.sql("SELECT coalesce(string_agg(xmin::text, ',' ORDER BY id), '') FROM leads") + "|" +
         f.sql(
             "SELECT coalesce(string_agg(xmin::text, ',' ORDER BY lead_id, to_object_id, "
             "association_type_id), '') "
             "FROM leads_associations") +
         "|" + f.sql("SELECT count(*) FROM leadsync.changes");
}

TEST_F(ImportTest, Imports5000LeadsWithAssociationsAndASecondRunWritesNothing) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "5000"}});
  auto out = sync_ok();
  EXPECT_EQ(count("SELECT count(*) FROM leads"), 5000) << out;
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE hubspot_id IS NOT NULL AND sync_status = 'SYNCED'"),
            5000);
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.base"), 5000);
  EXPECT_EQ(count("SELECT count(*) FROM leads l WHERE NOT EXISTS (SELECT 1 FROM leads_associations a "
                  "WHERE a.lead_id = l.id AND a.association_type_id IN (578, 580))"),
            0)
      << "every seeded lead has a primary association";
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes"), 0) << "leadsync's own writes are not captured";

  // Spot-check values and associations against HubSpot.
  for (const char* row : {"1", "2500", "5000"}) {
    auto id = sql(std::string("SELECT hubspot_id FROM leads WHERE id = ") + row);
    auto remote = remote_lead(id);
    EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE hubspot_id = '" + id + "'"),
              remote["properties"]["hs_lead_name"].get<std::string>());
    // v3 lists a pair once per association type, as leadsync stores it (one row per type).
    EXPECT_EQ(count("SELECT count(*) FROM leads_associations a JOIN leads l ON l.id = a.lead_id WHERE "
                    "l.hubspot_id = '" +
                    id + "' AND a.to_object_type = 'contacts'"),
              static_cast<long>(remote["associations"]["contacts"]["results"].size()))
        << remote.dump();
  }

  const auto before = local_fingerprint(*this);
  mark_remote_writes();
  auto second = sync_ok();
  EXPECT_EQ(local_fingerprint(*this), before) << "the second run wrote locally:\n" << second;
  EXPECT_EQ(remote_writes_since_mark(), 0) << "the second run wrote to HubSpot:\n" << second;
  EXPECT_NE(second.find("sync success"), std::string::npos) << second;
}

// The pull sends a page's values to PostgreSQL as array literals (one per column): every character that means
// something in an array literal or in JSON (the base) must arrive as it was sent. 45 awkward names plus 15
// plain ones: one page, written as two halves.
TEST_F(ImportTest, NamesWithQuotesBackslashesBracesAndNullSpellingsArriveExactly) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  const auto contact = new_contact();
  const std::vector<std::string> awkward = {
      "say \"hi\"", "back\\slash", "trailing\\", "\\\"",      "{braces}",    "a,b",       "NULL",
      "null",       "  padded  ",  "it's",       "tab\there", "line\nbreak", "ünïcødé ✓", "\"",
      "}",          "{",           ",",          "\\N",       "[1,2]",       "$1"};
  std::vector<std::string> names;
  for (std::size_t i = 0; i < 60; ++i)
    names.push_back(i < awkward.size() * 2 ? awkward[i % awkward.size()] + (i < awkward.size() ? "" : " #2")
                                           : "plain " + std::to_string(i));
  std::map<std::string, std::string> by_id;
  for (const auto& name : names) by_id[create_remote_lead(name, contact)["id"].get<std::string>()] = name;
  auto out = sync_ok();
  EXPECT_EQ(count("SELECT count(*) FROM leads"), 60) << out;
  for (const auto& [id, name] : by_id) {
    EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE hubspot_id = '" + id + "'"), name) << id;
    EXPECT_EQ(sql("SELECT vals->>'hs_lead_name' FROM leadsync.base WHERE hubspot_id = '" + id + "'"), name)
        << id;
  }
  // The base holds exactly what the row holds: nothing to do on the next run.
  const auto before = local_fingerprint(*this);
  mark_remote_writes();
  auto second = sync_ok({"--full"});
  EXPECT_EQ(local_fingerprint(*this), before) << second;
  EXPECT_EQ(remote_writes_since_mark(), 0) << second;
}

TEST_F(ImportTest, FullSweepOfAnUnchangedPortalWritesNothing) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "300"}});
  sync_ok();
  const auto before = local_fingerprint(*this);
  mark_remote_writes();
  auto out = sync_ok({"--full"});
  EXPECT_EQ(local_fingerprint(*this), before) << out;
  EXPECT_EQ(remote_writes_since_mark(), 0) << out;
  EXPECT_NE(out.find("(full)"), std::string::npos) << out;
}

// A page's values reach PostgreSQL as array literals (one parameter per column) and the base as jsonb
// inside them: every character that means something in either syntax arrives exactly, and the next run
// finds the base equal to HubSpot (writes nothing).
TEST_F(ImportTest, ValuesWithQuotesBackslashesBracesAndTheWordNullArriveExactly) {
  LEADSYNC_REQUIRE_DATABASE();
  start();
  const std::vector<std::string> names = {
      "He said \"hi\"", "back\\slash \\\"", "{braces}", "a,b,c",     "NULL",        "null",
      "  spaced  ",     "Zoë 日本 🚀",       "it's",     "tab\there", "line\nbreak", "\\N"};
  const auto contact = new_contact();
  std::map<std::string, std::string> by_id;
  for (const auto& n : names) by_id[create_remote_lead(n, contact)["id"].get<std::string>()] = n;
  auto out = sync_ok();
  for (const auto& [id, name] : by_id) {
    EXPECT_EQ(sql("SELECT lead_name FROM leads WHERE hubspot_id = '" + id + "'"), name) << out;
    EXPECT_EQ(sql("SELECT vals ->> 'hs_lead_name' FROM leadsync.base WHERE hubspot_id = '" + id + "'"), name);
  }
  const auto before = local_fingerprint(*this);
  mark_remote_writes();
  auto second = sync_ok({"--full"});
  EXPECT_EQ(local_fingerprint(*this), before) << second;
  EXPECT_EQ(remote_writes_since_mark(), 0) << second;
}

}  // namespace
}  // namespace leadsync::engine_test
