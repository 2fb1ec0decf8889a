// --sync-now --dry-run prints the exact plan and changes nothing on either side: every row of the table,
// its associations and leadsync's bookkeeping tables are identical before and after, and fake-hubspot
// served no write.
#include "daemon_fixture.hpp"

namespace leadsync::daemon_test {
namespace {

class DryRunTest : public DaemonFixture {};

TEST_F(DryRunTest, PrintsThePlanAndTouchesNothing) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.fake_args = {"--seed-leads", "12"};
  start_env(o);
  auto first = cli({"--sync-now"});
  ASSERT_EQ(first.exit_code, 0) << first.output;

  // Pending work on both sides: a local edit, a local delete, a HubSpot UI edit, and a conflict.
  const auto id_local = sql("SELECT hubspot_id FROM public.leads ORDER BY id LIMIT 1");
  const auto id_remote = sql("SELECT hubspot_id FROM public.leads ORDER BY id OFFSET 1 LIMIT 1");
  const auto id_both = sql("SELECT hubspot_id FROM public.leads ORDER BY id OFFSET 2 LIMIT 1");
  const auto id_deleted = sql("SELECT hubspot_id FROM public.leads ORDER BY id OFFSET 3 LIMIT 1");
  const auto old_local_name = sql("SELECT lead_name FROM public.leads WHERE hubspot_id = '" + id_local + "'");
  exec("UPDATE public.leads SET lead_name = 'local edit' WHERE hubspot_id = '" + id_local + "'");
  // Both sides change the label of one lead, each to a value it did not have.
  const auto label = sql("SELECT lead_label FROM public.leads WHERE hubspot_id = '" + id_both + "'");
  std::vector<std::string> others;
  for (const char* l : {"HOT", "WARM", "COLD"})
    if (label != l) others.push_back(l);
  exec("UPDATE public.leads SET lead_label = '" + others[0] + "' WHERE hubspot_id = '" + id_both + "'");
  exec("DELETE FROM public.leads WHERE hubspot_id = '" + id_deleted + "'");
  admin("PATCH", "/_fake/leads/" + id_remote, R"({"properties": {"hs_lead_name": "remote edit"}})");
  admin("PATCH", "/_fake/leads/" + id_both, R"({"properties": {"hs_lead_label": ")" + others[1] + R"("}})");

  const auto digest_before = database_digest();
  const auto stats_before = fake_stats();

  auto text = cli({"--sync-now", "--dry-run"});
  ASSERT_EQ(text.exit_code, 0) << text.output;
  auto js = cli({"--sync-now", "--dry-run", "--full", "--output", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.output;

  EXPECT_EQ(database_digest(), digest_before) << "a dry run changed the database";
  const auto stats_after = fake_stats();
  EXPECT_EQ(write_requests(stats_after), write_requests(stats_before)) << stats_after.dump(2);
  EXPECT_EQ(stats_after["leads"], stats_before["leads"]);

  // The text plan: both directions with old -> new values, the delete and the conflict.
  const auto& out = text.output;
  EXPECT_NE(out.find("DRY RUN: nothing was changed"), std::string::npos) << out;
  EXPECT_NE(out.find("'" + old_local_name + "'"), std::string::npos)
      << "old HubSpot value of the local edit:\n"
      << out;
  EXPECT_NE(out.find("'local edit'"), std::string::npos) << out;
  EXPECT_NE(out.find("'remote edit'"), std::string::npos) << out;
  EXPECT_NE(out.find("archive"), std::string::npos) << "the local delete:\n" << out;
  EXPECT_NE(out.find("conflict: "), std::string::npos) << out;
  EXPECT_NE(out.find("LEAD"), std::string::npos) << "a table with headers:\n" << out;

  // The JSON plan (a full sweep this time) says the same for machines.
  auto doc = json::parse(js.output.substr(js.output.find("{\n")), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << js.output;
  EXPECT_EQ(doc["dry_run"], true);
  bool remote_seen = false;
  for (const auto& p : doc["pull"])
    if (p["hubspot_id"] == id_remote)
      for (const auto& c : p["changes"])
        if (c["column"] == "lead_name" && c["new"] == "remote edit") remote_seen = c["old"].is_string();
  EXPECT_TRUE(remote_seen) << doc["pull"].dump(2);
  bool local_seen = false, delete_seen = false;
  for (const auto& p : doc["push"]) {
    if (p["hubspot_id"] == id_local)
      for (const auto& c : p["changes"])
        local_seen = local_seen || (c["new"] == "local edit" && c["old"] == old_local_name);
    if (p["action"] == "archive") delete_seen = true;
  }
  EXPECT_TRUE(local_seen) << doc["push"].dump(2);
  EXPECT_TRUE(delete_seen) << doc["push"].dump(2);
  EXPECT_GE(doc["summary"]["conflicts"].get<int>(), 1);

  // The real run then does exactly that.
  auto real = cli({"--sync-now"});
  ASSERT_EQ(real.exit_code, 0) << real.output;
  EXPECT_EQ(remote_name(id_local), "local edit");
  EXPECT_EQ(sql("SELECT lead_name FROM public.leads WHERE hubspot_id = '" + id_remote + "'"), "remote edit");
}

}  // namespace
}  // namespace leadsync::daemon_test
