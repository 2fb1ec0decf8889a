#include "sync_fixture.hpp"

#include <fstream>

namespace leadsync::engine_test {

void SyncFixture::SetUp() {
  dir_ = std::filesystem::temp_directory_path() /
         ("leadsync-engine-" + std::to_string(::getpid()) + "-" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(dir_);
}

void SyncFixture::TearDown() {
  fake_.reset();
  db_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void SyncFixture::start(FixtureOptions o) {
  db_ = std::make_unique<testing::TestDatabase>();
  testing::FakeHubspot::Options fo;
  fo.tokens = {"engine-test-token"};
  fo.extra_args = o.fake_args;
  fake_ = std::make_unique<testing::FakeHubspot>(fo);
  config_ = dir_ / "leadsync.yaml";
  api_version_ = o.api_version;
  std::ofstream out(config_);
  out << "hubspot:\n"
      << "  base_url: " << fake_->base_url() << "\n"
      << "  api_version: " << o.api_version << "\n"
      << "  access_token_env: HUBSPOT_ACCESS_TOKEN\n"
      << (o.unique_key ? "  unique_key_property: leadsync_key\n" : "")
      // No daily budget: tests that sweep on every run (1ms) must not be stretched by the budget plan.
      << "  rate_limit: { requests_per_10s: 1000, search_per_second: 100, daily: 0 }\n"
      << "  retry: " << o.retry << "\n"
      << (o.request_timeout.empty() ? std::string() : "  timeouts: { request: " + o.request_timeout + " }\n")
      << "database:\n  dsn_env: LEADSYNC_DATABASE_URL\n  table: public.leads\n"
      << "sync:\n  conflict_policy: " << o.conflict_policy << "\n  on_remote_delete: " << o.on_remote_delete
      << "\n  search_lookback: 5m\n"
      << o.extra_yaml << "mappings:\n"
      << "  - { property: hs_lead_name,  column: lead_name,  type: string }\n"
      << "  - { property: hs_lead_label, column: lead_label, type: enumeration }\n"
      << "  - { property: hs_lead_type,  column: lead_type,  type: enumeration }\n"
      << o.extra_mappings << "associations:\n"
      << "  - { to_object_type: contacts,  association_type_ids: [578, 608] }\n"
      << "  - { to_object_type: companies, association_type_ids: [580, 610] }\n"
      << "metrics: { enabled: false }\n"
      << "logging: { level: info }\n";
}

testing::ProcessResult SyncFixture::sync(std::vector<std::string> extra) {
  std::vector<std::string> args{"--config", config_.string(), "--sync-now", "--migrations",
                                LEADSYNC_MIGRATIONS_DIR};
  for (auto& a : extra) args.push_back(a);
  return testing::run_process(
      LEADSYNC_LEADSYNC_BIN, args,
      {{"HUBSPOT_ACCESS_TOKEN", "engine-test-token"}, {"LEADSYNC_DATABASE_URL", db_->dsn()}},
      std::chrono::seconds(300));
}

std::string SyncFixture::sync_ok(std::vector<std::string> extra) {
  auto r = sync(std::move(extra));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return r.output;
}

long SyncFixture::count(const std::string& query) const {
  auto v = sql(query);
  return v.empty() ? 0 : std::stol(v);
}

json SyncFixture::api(const std::string& method, const std::string& target, const std::string& body,
                      int expect) {
  auto r = fake_->api(method, target, body);
  if (expect) {
    EXPECT_EQ(r.status, expect) << method << " " << target << ": " << r.body;
  }
  if (r.body.empty()) return json();
  return json::parse(r.body, nullptr, false);
}

json SyncFixture::admin(const std::string& method, const std::string& path, const std::string& body,
                        int expect) {
  auto r = fake_->admin(method, path, body);
  if (expect) {
    EXPECT_EQ(r.status, expect) << method << " " << path << ": " << r.body;
  }
  if (r.body.empty()) return json();
  return json::parse(r.body, nullptr, false);
}

json SyncFixture::remote_lead(const std::string& id) {
  return api(
      "GET",
      "/crm/v3/objects/leads/" + id +
          "?properties=hs_lead_name,hs_lead_label,hs_lead_type,leadsync_key&associations=contacts,companies");
}

bool SyncFixture::remote_exists(const std::string& id) {
  return fake_->api("GET", "/crm/v3/objects/leads/" + id).status == 200;
}

std::string SyncFixture::new_contact() {
  return admin("POST", "/_fake/contacts", R"({"properties":{}})", 201)["id"];
}
std::string SyncFixture::new_company() {
  return admin("POST", "/_fake/companies", R"({"properties":{}})", 201)["id"];
}

namespace {
std::string sql_literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

json lead_body(json properties, const std::string& contact) {
  return {{"properties", std::move(properties)},
          {"associations", json::array({{{"to", {{"id", contact}}},
                                         {"types", json::array({{{"associationCategory", "HUBSPOT_DEFINED"},
                                                                 {"associationTypeId", 578}}})}}})}};
}
}  // namespace

json SyncFixture::create_remote_lead(const std::string& name, const std::string& contact,
                                     const std::string& label) {
  return api("POST", "/crm/v3/objects/leads",
             lead_body({{"hs_lead_name", name}, {"hs_lead_label", label}}, contact).dump(), 201);
}

void SyncFixture::insert_local_lead(const std::string& name, const std::string& contact) {
  exec("BEGIN; INSERT INTO leads (lead_name) VALUES (" + sql_literal(name) +
       ");"
       "INSERT INTO leads_associations (lead_id, to_object_type, to_object_id, association_type_id) "
       "VALUES (currval('leads_id_seq'), 'contacts', '" +
       contact + "', 578); COMMIT;");
}

std::string SyncFixture::create_unconfirmed(const std::string& name, const std::string& contact) {
  const auto key = sql("SELECT sync_key FROM leads WHERE lead_name = " + sql_literal(name));
  const std::string id =
      api("POST", "/crm/v3/objects/leads",
          lead_body({{"hs_lead_name", name}, {"leadsync_key", key}}, contact).dump(), 201)["id"];
  exec("UPDATE leadsync.changes SET state = 'PENDING', attempts = 1");
  return id;
}

std::map<std::string, long> SyncFixture::request_counts() {
  std::map<std::string, long> out;
  auto stats = admin("GET", "/_fake/stats");
  for (auto it = stats["requests"].begin(); it != stats["requests"].end(); ++it)
    out[it.key()] = it->get<long>();
  return out;
}

void SyncFixture::mark_remote_writes() {
  mark_ = request_counts();
}

long SyncFixture::remote_writes_since_mark() {
  long writes = 0;
  for (const auto& [route, n] : request_counts())
    if (testing::is_crm_write_route(route)) writes += n - (mark_.contains(route) ? mark_[route] : 0);
  return writes;
}

}  // namespace leadsync::engine_test
