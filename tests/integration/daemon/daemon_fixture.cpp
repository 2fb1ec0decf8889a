#include "daemon_fixture.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace leadsync::daemon_test {

void DaemonFixture::SetUp() {
  dir_ = std::filesystem::temp_directory_path() /
         ("leadsync-daemon-" + std::to_string(::getpid()) + "-" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(dir_);
  config_ = dir_ / "leadsync.yaml";
}

void DaemonFixture::TearDown() {
  fake_.reset();
  db_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void DaemonFixture::start_env(EnvOptions o) {
  if (o.create_database) {
    db_ = std::make_unique<testing::TestDatabase>();
    dsn_ = db_->dsn();
  } else {
    dsn_ = o.dsn;
  }
  testing::FakeHubspot::Options fo;
  fo.tokens = {kToken};
  fo.extra_args = o.fake_args;
  fake_ = std::make_unique<testing::FakeHubspot>(fo);
  options_ = o;
  write_config(config_text(o));
}

std::string DaemonFixture::config_text(const EnvOptions& o) const {
  std::ostringstream out;
  out << "hubspot:\n"
      << "  base_url: " << (o.base_url.empty() ? fake_->base_url() : o.base_url)
      << "\n"
      // Pinned: these tests' fault rules, stats and metric names spell the legacy /crm/v3 paths.
      << "  api_version: legacy\n"
      << "  access_token_env: HUBSPOT_ACCESS_TOKEN\n"
      << "  unique_key_property: leadsync_key\n"
      << "  rate_limit: " << o.rate_limit << "\n"
      << "  retry: " << o.retry << "\n"
      << "database:\n  dsn_env: LEADSYNC_DATABASE_URL\n  table: " << o.table << "\n"
      << "sync:\n"
      << o.sync_yaml << "mappings:\n"
      << "  - { property: hs_lead_name,  column: lead_name,  type: string }\n"
      << "  - { property: hs_lead_label, column: lead_label, type: enumeration }\n"
      << "associations:\n"
      << "  - { to_object_type: contacts,  association_type_ids: [578] }\n"
      << "  - { to_object_type: companies, association_type_ids: [580] }\n"
      << "metrics: " << (o.metrics ? "{ listen: \"127.0.0.1:0\" }" : "{ enabled: false }") << "\n"
      << "logging: " << o.logging << "\n"
      << o.extra_yaml;
  return out.str();
}

void DaemonFixture::write_config(const std::string& text) const {
  // Written next to the target and renamed: a daemon reloading at the same moment never sees half a file.
  auto tmp = config_;
  tmp += ".tmp";
  {
    std::ofstream out(tmp);
    out << text;
  }
  std::filesystem::rename(tmp, config_);
}

namespace {
// Extra variables replace the fixture's of the same name.
void merge(testing::ChildProcess::Env& env, testing::ChildProcess::Env extra) {
  for (auto& [k, v] : extra) {
    bool replaced = false;
    for (auto& [ek, ev] : env)
      if (ek == k) ev = v, replaced = true;
    if (!replaced) env.emplace_back(k, v);
  }
}
}  // namespace

testing::ChildProcess::Env DaemonFixture::env() const {
  return {{"HUBSPOT_ACCESS_TOKEN", kToken},
          {"LEADSYNC_DATABASE_URL", dsn_},
          {"LEADSYNC_MIGRATIONS_DIR", LEADSYNC_MIGRATIONS_DIR}};
}

std::unique_ptr<testing::ChildProcess> DaemonFixture::start_daemon(std::vector<std::string> extra,
                                                                   testing::ChildProcess::Env extra_env) {
  std::vector<std::string> args{"--config", config_.string()};
  for (auto& a : extra) args.push_back(std::move(a));
  auto e = env();
  merge(e, std::move(extra_env));
  return std::make_unique<testing::ChildProcess>(LEADSYNC_LEADSYNC_BIN, args, e);
}

testing::ProcessResult DaemonFixture::cli(std::vector<std::string> args,
                                          testing::ChildProcess::Env extra_env) {
  std::vector<std::string> full{"--config", config_.string()};
  for (auto& a : args) full.push_back(std::move(a));
  auto e = env();
  merge(e, std::move(extra_env));
  return testing::run_process(LEADSYNC_LEADSYNC_BIN, full, e, std::chrono::seconds(300));
}

std::uint16_t DaemonFixture::metrics_port(testing::ChildProcess& daemon) {
  auto line = daemon.wait_for_line("metrics listening on 127.0.0.1:", 30s);
  return static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
}

int DaemonFixture::count_lines(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line))
    if (line.find(needle) != std::string::npos) ++n;
  return n;
}

bool DaemonFixture::eventually(const std::function<bool()>& condition, Ms timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

std::string DaemonFixture::query_dsn(const std::string& query) const {
  pqxx::connection c(dsn_);
  pqxx::nontransaction tx(c);
  auto r = tx.exec(query);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].c_str();
}

void DaemonFixture::exec(const std::string& statement) const {
  pqxx::connection c(dsn_);
  pqxx::work tx(c);
  tx.exec(statement);
  tx.commit();
}

long DaemonFixture::count(const std::string& query) const {
  auto v = sql(query);
  return v.empty() ? 0 : std::stol(v);
}

json DaemonFixture::admin(const std::string& method, const std::string& path, const std::string& body) {
  auto r = fake_->admin(method, path, body);
  if (r.body.empty()) return json();
  return json::parse(r.body, nullptr, false);
}

json DaemonFixture::api(const std::string& method, const std::string& target, const std::string& body) {
  auto r = fake_->api(method, target, body);
  if (r.body.empty()) return json();
  return json::parse(r.body, nullptr, false);
}

std::string DaemonFixture::remote_name(const std::string& hubspot_id) {
  auto j = api("GET", "/crm/v3/objects/leads/" + hubspot_id + "?properties=hs_lead_name");
  if (!j.is_object() || !j.contains("properties") || !j["properties"].contains("hs_lead_name") ||
      !j["properties"]["hs_lead_name"].is_string())
    return "";
  return j["properties"]["hs_lead_name"].get<std::string>();
}

json DaemonFixture::fake_stats() {
  return admin("GET", "/_fake/stats");
}

long DaemonFixture::write_requests(const json& stats) {
  long n = 0;
  for (const auto& [route, count] : stats["requests"].items()) {
    const bool read = route.rfind("GET ", 0) == 0 || route.find("/search") != std::string::npos ||
                      route.find("/batch/read") != std::string::npos ||
                      route.find("/_fake/") != std::string::npos;
    if (!read) n += count.get<long>();
  }
  return n;
}

long DaemonFixture::requests_matching(const json& stats, const std::string& route) {
  return stats["requests"].contains(route) ? stats["requests"][route].get<long>() : 0;
}

std::string DaemonFixture::database_digest() const {
  const std::string table = options_.table;
  const std::string assoc = table + "_associations";
  std::string out;
  for (const auto& q :
       {"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM " + table + " t",
        "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM " + assoc + " t",
        std::string(
            "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM leadsync.changes t"),
        std::string(
            "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM leadsync.base t"),
        std::string(
            "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM leadsync.sync_state t"),
        std::string("SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM leadsync.runs t"),
        std::string(
            "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM leadsync.conflicts t")})
    out += sql(q) + "\n";
  return out;
}

// ---- NotifySocket ---------------------------------------------------------------------------------------

NotifySocket::NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("bind notify socket");
}

NotifySocket::~NotifySocket() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

const std::vector<std::string>& NotifySocket::messages() {
  char buf[4096];
  while (true) {
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    messages_.emplace_back(buf, static_cast<std::size_t>(n));
  }
  return messages_;
}

std::string NotifySocket::all() {
  std::string text;
  for (const auto& m : messages()) text.append(m).append("\n");
  return text;
}

bool NotifySocket::has(const std::string& needle) {
  return count(needle) > 0;
}

int NotifySocket::count(const std::string& needle) {
  int n = 0;
  for (const auto& m : messages())
    if (m.find(needle) != std::string::npos) ++n;
  return n;
}

}  // namespace leadsync::daemon_test
