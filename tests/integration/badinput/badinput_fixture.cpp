#include "badinput_fixture.hpp"

#include <unistd.h>

#include <fstream>

namespace leadsync::badinput {

void BadInputFixture::SetUp() {
  dir_ = std::filesystem::temp_directory_path() /
         ("leadsync-badinput-" + std::to_string(::getpid()) + "-" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(dir_);
  config_ = dir_ / "leadsync.yaml";
}

void BadInputFixture::TearDown() {
  fake_.reset();
  db_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void BadInputFixture::start(Options o) {
  options_ = std::move(o);
  db_ = std::make_unique<testing::TestDatabase>();
  testing::FakeHubspot::Options fo;
  fo.tokens = {kToken};
  fo.extra_args = options_.fake_args;
  fake_ = std::make_unique<testing::FakeHubspot>(fo);
  write_config(config_text());
}

std::string BadInputFixture::config_text() const {
  return "hubspot:\n"
         "  base_url: " +
         fake_->base_url() +
         "\n"
         "  access_token_env: HUBSPOT_ACCESS_TOKEN\n"
         // Pinned: these tests' fault rules spell the legacy /crm/v3 paths.
         "  api_version: legacy\n"
         "  unique_key_property: leadsync_key\n"
         "  rate_limit: { requests_per_10s: 1000, search_per_second: 100 }\n"
         "  retry: " +
         options_.retry + "\n" + options_.hubspot_extra +
         "database:\n  dsn_env: LEADSYNC_DATABASE_URL\n  table: public.leads\n"
         "sync:\n  conflict_policy: " +
         options_.conflict_policy + "\n  search_lookback: 5m\n" + options_.sync_extra +
         "mappings:\n"
         "  - { property: hs_lead_name,  column: lead_name,  type: string }\n"
         "  - { property: hs_lead_label, column: lead_label, type: enumeration }\n"
         "  - { property: hs_lead_type,  column: lead_type,  type: enumeration }\n" +
         options_.mappings_extra +
         "associations:\n"
         "  - { to_object_type: contacts,  association_type_ids: [578, 608] }\n"
         "  - { to_object_type: companies, association_type_ids: [580, 610] }\n"
         "metrics: { enabled: false }\n"
         "logging: { level: info }\n";
}

void BadInputFixture::write_config(const std::string& text) const {
  std::ofstream(config_) << text;
}

testing::ProcessResult BadInputFixture::run(std::vector<std::string> args, testing::ChildProcess::Env env) {
  std::vector<std::string> a{"--config", config_.string(), "--migrations", LEADSYNC_MIGRATIONS_DIR};
  a.insert(a.end(), args.begin(), args.end());
  testing::ChildProcess::Env e{{"HUBSPOT_ACCESS_TOKEN", kToken},
                               {"LEADSYNC_DATABASE_URL", db_ ? db_->dsn() : ""}};
  for (auto& [k, v] : env) {
    bool replaced = false;
    for (auto& [k2, v2] : e)
      if (k2 == k) {
        v2 = v;
        replaced = true;
      }
    if (!replaced) e.emplace_back(k, v);
  }
  auto r = testing::run_process(LEADSYNC_LEADSYNC_BIN, a, e, std::chrono::seconds(120));
  EXPECT_EQ(r.output.find(kToken), std::string::npos) << "the token leaked into the output:\n" << r.output;
  return r;
}

std::string BadInputFixture::run_ok(std::vector<std::string> args) {
  auto r = run(std::move(args));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return r.output;
}

long BadInputFixture::count(const std::string& query) const {
  auto v = sql(query);
  return v.empty() ? 0 : std::stol(v);
}

json BadInputFixture::admin(const std::string& method, const std::string& path, const json& body,
                            int expect) {
  auto r = fake_->admin(method, path, body.is_null() ? std::string() : body.dump());
  if (expect) {
    EXPECT_EQ(r.status, expect) << method << " " << path << ": " << r.body;
  }
  return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
}

json BadInputFixture::api(const std::string& method, const std::string& target, const json& body,
                          int expect) {
  auto r = fake_->api(method, target, body.is_null() ? std::string() : body.dump());
  if (expect) {
    EXPECT_EQ(r.status, expect) << method << " " << target << ": " << r.body;
  }
  return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
}

void BadInputFixture::fault(const json& f) {
  admin("POST", "/_fake/faults", f, 201);
}
void BadInputFixture::clear_faults() {
  admin("DELETE", "/_fake/faults", nullptr, 204);
}

void BadInputFixture::ui_edit(const std::string& id, const json& properties) {
  admin("PATCH", "/_fake/leads/" + id, json{{"properties", properties}}, 200);
}

std::string BadInputFixture::remote_value(const std::string& id, const std::string& property) {
  auto v = admin("GET", "/_fake/leads/" + id)["properties"][property];
  return v.is_string() ? v.get<std::string>() : "";
}

std::string BadInputFixture::hubspot_id(long row) const {
  return sql("SELECT hubspot_id FROM leads WHERE id = " + std::to_string(row));
}

std::string BadInputFixture::new_contact() {
  return admin("POST", "/_fake/contacts", json{{"properties", json::object()}}, 201)["id"];
}

long BadInputFixture::insert_lead(const std::string& name_sql, const std::string& label_sql) {
  const auto contact = new_contact();
  exec("BEGIN; INSERT INTO leads (lead_name, lead_label) VALUES (" + name_sql + ", " + label_sql +
       ");"
       "INSERT INTO leads_associations (lead_id, to_object_type, to_object_id, association_type_id) "
       "VALUES (currval('leads_id_seq'), 'contacts', '" +
       contact + "', 578); COMMIT;");
  return count("SELECT max(id) FROM leads");
}

std::string BadInputFixture::table_digest() const {
  return sql(
      "SELECT md5(coalesce((SELECT string_agg(l::text, '|' ORDER BY id) FROM leads l), '') || '#' || "
      "coalesce((SELECT string_agg(a::text, '|' ORDER BY lead_id, to_object_type, to_object_id, "
      "association_type_id) FROM leads_associations a), ''))");
}

long BadInputFixture::remote_writes() {
  return fake_->crm_writes();
}

}  // namespace leadsync::badinput
