// Deprecation / Sunset headers from fake-hubspot (POST /_fake/deprecation) reaching the operator: the
// daemon's warning (once), /metrics, --status, --check-config --online; hostile values ignored.
#include <csignal>
#include <sstream>

#include "daemon_fixture.hpp"
#include "leadsync/testing/http_client.hpp"

namespace leadsync::daemon_test {
namespace {

using testing::http_request;

class DeprecationTest : public DaemonFixture {};

constexpr const char* kWarning = "HubSpot announced in its response headers that API version legacy";
constexpr const char* kNotice =
    R"({"version":"legacy","deprecation":"@1735689600","sunset":"Thu, 30 Sep 2027 00:00:00 GMT",)"
    R"("link":"<https://developers.hubspot.com/changelog/legacy>; rel=\"sunset\""})";

std::string metric_line(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(series + " ", 0) == 0) return line.substr(series.size() + 1);
  return "<absent>";
}

TEST_F(DeprecationTest, AnnouncedSunsetIsLoggedOnceExportedShownAndChecked) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.fake_args = {"--seed-leads", "5"};
  start_env(o);
  admin("POST", "/_fake/deprecation", kNotice);

  auto check = cli({"--check-config", "--online"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("API deprecation notice"), std::string::npos) << check.output;
  EXPECT_NE(
      check.output.find("API version legacy is deprecated (from 2025-01-01) and stops working on 2027-09-30 "
                        "(sunset); details: https://developers.hubspot.com/changelog/legacy: set "
                        "hubspot.api_version to 2026-03 before then"),
      std::string::npos)
      << check.output;

  auto d = start_daemon();
  const auto port = metrics_port(*d);
  d->wait_for_line("cycle success: mode=full", 60s);
  std::string text;
  ASSERT_TRUE(eventually(
      [&] {
        text = http_request(port, "GET", "/metrics").body;
        return metric_line(text, R"(leadsync_hubspot_api_sunset_timestamp_seconds{version="legacy"})") !=
               "<absent>";
      },
      10s))
      << text;
  EXPECT_EQ(
      std::stod(metric_line(text, R"(leadsync_hubspot_api_sunset_timestamp_seconds{version="legacy"})")),
      1822262400.0);
  EXPECT_EQ(metric_line(text, R"(leadsync_hubspot_api_deprecated{version="legacy"})"), "1");
  // Every response of the cycle carried the notice; the warning is logged once.
  EXPECT_EQ(count_lines(d->output(), kWarning), 1) << d->output();
  d->send_signal(SIGTERM);
  ASSERT_TRUE(d->wait(30s).has_value()) << d->output();

  auto status = cli({"--status"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find(std::string("WARNING: ") + kWarning), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("stops working on 2027-09-30 (sunset)"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("(last sent "), std::string::npos) << status.output;
  auto j = cli({"--status", "--output", "json"});
  auto doc = json::parse(j.output.substr(j.output.find('{')), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << j.output;
  EXPECT_NE(doc.dump().find("stops working on 2027-09-30"), std::string::npos) << j.output;
}

TEST_F(DeprecationTest, HostileHeadersAreIgnoredWithAnEscapedDebugNote) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.fake_args = {"--seed-leads", "5"};
  o.logging = "{ level: debug }";
  start_env(o);
  // Control characters never get this far: the HTTP parser refuses such a response as a whole. Non-ASCII
  // bytes, oversized and malformed values do reach the client.
  json notice = {{"version", "*"},
                 {"deprecation", "@1735689600 tru\xc3\xa9"},
                 {"sunset", std::string(20000, 'S')},
                 {"link", "<https://x.example/a; rel=\"deprecation\""}};
  admin("POST", "/_fake/deprecation", notice.dump());

  auto d = start_daemon();
  const auto port = metrics_port(*d);
  d->wait_for_line("cycle success: mode=full", 60s);
  const std::string text = http_request(port, "GET", "/metrics").body;
  EXPECT_EQ(metric_line(text, R"(leadsync_hubspot_api_sunset_timestamp_seconds{version="legacy"})"),
            "<absent>");
  EXPECT_EQ(metric_line(text, R"(leadsync_hubspot_api_deprecated{version="legacy"})"), "<absent>");
  const std::string out = d->output();
  EXPECT_EQ(count_lines(out, "HubSpot announced"), 0) << out;
  EXPECT_NE(out.find(R"(Deprecation header "@1735689600 tru\xc3\xa9")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"(Link header "<https://x.example/a; rel=\x22deprecation\x22")"), std::string::npos)
      << out;
  EXPECT_NE(out.find("Sunset header \"SSSS"), std::string::npos) << out;
  EXPECT_NE(out.find("(20000 bytes) ignored"), std::string::npos) << out;
  EXPECT_EQ(out.find('\xc3'), std::string::npos) << "a raw non-ASCII byte reached the log";
  EXPECT_EQ(out.find(std::string(200, 'S')), std::string::npos) << "the whole oversized value was logged";
  d->send_signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0) << d->output();
}

}  // namespace
}  // namespace leadsync::daemon_test
