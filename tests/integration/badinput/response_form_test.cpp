// Answers that are not HubSpot's JSON by their form, end to end: a redirect (never followed: the bearer token
// must reach no other host), a gzip body leadsync did not ask for, an HTML page from a proxy. The real binary
// against fake-hubspot's faults: the exit code, a message saying what answered, and nothing lost.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "badinput_fixture.hpp"

namespace leadsync::badinput {
namespace {

// A listening socket nobody accepts on: a connection attempt would sit in its backlog, so a non-blocking
// accept() afterwards tells whether anything connected.
class Bystander {
 public:
  Bystander() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
  }
  ~Bystander() { ::close(fd_); }
  Bystander(const Bystander&) = delete;
  Bystander& operator=(const Bystander&) = delete;

  int port() const { return port_; }
  bool was_contacted() const {
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c >= 0) ::close(c);
    return c >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class HubSpotResponseFormTest : public BadInputFixture {
 protected:
  // Three imported leads; row 1 edited locally (not pushed yet).
  void imported_with_a_local_edit() {
    start({.fake_args = {"--seed-leads", "3"}});
    run_ok();
    exec("UPDATE leads SET lead_name = 'Edited locally' WHERE id = 1");
  }
  void expect_edit_pending(const std::string& output) {
    EXPECT_EQ(
        count("SELECT count(*) FROM leadsync.changes WHERE lead_id = 1 AND state IN ('NEW', 'PENDING')"), 1)
        << output;
    EXPECT_EQ(count("SELECT count(*) FROM leadsync.changes WHERE state = 'FAILED'"), 0) << output;
  }
  void expect_recovers() {
    clear_faults();
    exec("UPDATE leadsync.changes SET next_attempt_at = now() WHERE state IN ('NEW', 'PENDING')");
    auto out = run_ok();
    EXPECT_EQ(remote_value(hubspot_id(1), "hs_lead_name"), "Edited locally") << out;
    EXPECT_EQ(sql("SELECT sync_status FROM leads WHERE id = 1"), "SYNCED") << out;
  }
  long faults_fired() { return admin("GET", "/_fake/stats")["faults_fired"].get<long>(); }
};

// Before: a 3xx was an "unexpected HTTP status", retried until max_attempts, with nothing saying that the
// address redirects. The transport never followed it; this also proves it.
TEST_F(HubSpotResponseFormTest, ARedirectIsNotFollowedStopsWith69NamingTheStatusAndLosesNothing) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  Bystander elsewhere;
  const std::string host = "http://127.0.0.1:" + std::to_string(elsewhere.port());
  for (int status : {302, 308}) {
    SCOPED_TRACE(status);
    clear_faults();
    fault({{"kind", "redirect"},
           {"status", status},
           {"location", host + "/crm/v3/objects/leads?hapikey=SECRET-QUERY"},
           {"path_prefix", "/crm/"},
           {"times", -1}});
    const long fired_before = faults_fired();
    const auto before = table_digest();
    auto r = run();
    EXPECT_EQ(r.exit_code, 69) << r.output;
    EXPECT_NE(r.output.find("with a redirect (" + std::to_string(status) + ") to " + host +
                            " (path and query not shown); leadsync does not follow redirects"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(r.output.find("SECRET-QUERY"), std::string::npos) << r.output;
    EXPECT_EQ(faults_fired() - fired_before, 1) << "not retried: the same request gets the same redirect";
    EXPECT_FALSE(elsewhere.was_contacted()) << "leadsync followed the redirect with the token";
    EXPECT_EQ(table_digest(), before);
    expect_edit_pending(r.output);
  }
  expect_recovers();
}

// Before: "malformed response ... body is not valid JSON (N bytes, possibly truncated)" on the gzip bytes.
TEST_F(HubSpotResponseFormTest, AGzipBodyIsRetriedThenStopsWith69NamingTheEncoding) {
  LEADSYNC_REQUIRE_DATABASE();
  start({.fake_args = {"--seed-leads", "3"}});
  run_ok();
  fault({{"kind", "gzip_body"}, {"method", "GET"}, {"path_prefix", "/crm/v3/objects/leads"}});
  auto out = run_ok({"--sync-now", "--full"});  // once: retried within the run
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE NOT archived"), 3) << out;
  exec("UPDATE leads SET lead_name = 'Edited locally' WHERE id = 1");
  fault({{"kind", "gzip_body"}, {"method", "GET"}, {"path_prefix", "/crm/v3/objects/leads"}, {"times", -1}});
  const auto before = table_digest();
  auto r = run({"--sync-now", "--full"});
  EXPECT_EQ(r.exit_code, 69) << r.output;
  EXPECT_NE(r.output.find("body is encoded (Content-Encoding: \"gzip\""), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("sends no Accept-Encoding"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("not valid JSON"), std::string::npos) << r.output;
  EXPECT_EQ(table_digest(), before);
  expect_edit_pending(r.output);
  expect_recovers();
}

// Before: a 200 page was "body is not valid JSON"; a 502 page was echoed as its first 200 bytes.
TEST_F(HubSpotResponseFormTest, AnHtmlPageFromAProxySaysAProxyAnsweredWithABoundedExcerpt) {
  LEADSYNC_REQUIRE_DATABASE();
  imported_with_a_local_edit();
  const std::string page = "<!DOCTYPE html>\n<html><head><title>Network login</title></head><body>" +
                           std::string(3000, 'x') + "session=SECRET-PAGE</body></html>";
  fault({{"status", 200},
         {"content_type", "text/html; charset=utf-8"},
         {"body", page},
         {"method", "GET"},
         {"path_prefix", "/crm/v3/objects/leads"},
         {"times", -1}});
  const auto before = table_digest();
  auto r = run({"--sync-now", "--full"});
  EXPECT_EQ(r.exit_code, 69) << r.output;
  EXPECT_NE(r.output.find("an HTML page (text/html, " + std::to_string(page.size()) +
                          " bytes) where HubSpot "
                          "sends JSON: a proxy, gateway or captive portal answered"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("<title>Network login"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("SECRET-PAGE"), std::string::npos) << r.output;
  EXPECT_EQ(table_digest(), before);

  clear_faults();
  fault({{"status", 502}, {"times", -1}});  // Cloudflare's page
  r = run();
  EXPECT_EQ(r.exit_code, 69) << r.output;
  EXPECT_NE(r.output.find("(502): an HTML page (text/html"), std::string::npos) << r.output;
  expect_edit_pending(r.output);
  expect_recovers();
}

}  // namespace
}  // namespace leadsync::badinput
