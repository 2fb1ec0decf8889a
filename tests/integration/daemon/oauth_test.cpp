// The real leadsync binary with hubspot.oauth against fake-hubspot's token endpoint: a rotated refresh
// token is written to refresh_token_file and the next run starts with it; a revoked refresh token ends
// --sync-now and the daemon with exit 69 and a message that says what happened; no secret is ever printed.
#include <sys/stat.h>

#include <csignal>

#include <fstream>
#include <sstream>

#include "daemon_fixture.hpp"
#include "leadsync/testing/http_client.hpp"

namespace leadsync::daemon_test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kClientId = "client-e2e";
constexpr const char* kClientSecret = "cs-e2e-71c0d4a9";
constexpr const char* kRefreshToken = "rt-e2e-3b8f6e21";

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DaemonOAuthTest : public DaemonFixture {
 protected:
  enum class Source { file, env };

  void start_oauth_env(Source source, fs::path file = {}) {
    EnvOptions o;
    o.fake_args = {"--seed-leads", "3", "--oauth-client",
                   std::string(kClientId) + ":" + kClientSecret + ":" + kRefreshToken};
    start_env(o);
    refresh_file_ = file.empty() ? dir_ / "hubspot-refresh-token" : file;
    { std::ofstream(refresh_file_) << kRefreshToken << "\n"; }
    ::chmod(refresh_file_.c_str(), 0600);
    std::string block = std::string("  oauth:\n    client_id: ") + kClientId +
                        "\n    client_secret_env: HUBSPOT_CLIENT_SECRET\n" +
                        (source == Source::file ? "    refresh_token_file: " + refresh_file_.string() + "\n"
                                                : "    refresh_token_env: HUBSPOT_REFRESH_TOKEN\n");
    std::string text = config_text(o);
    const std::string token_line = "  access_token_env: HUBSPOT_ACCESS_TOKEN\n";
    text.replace(text.find(token_line), token_line.size(), block);
    write_config(text);
    oauth_config_ = text;
  }
  static testing::ChildProcess::Env oauth_env() {
    return {{"HUBSPOT_CLIENT_SECRET", kClientSecret}, {"HUBSPOT_REFRESH_TOKEN", kRefreshToken}};
  }
  void rotate() { admin("POST", "/_fake/config", R"({"oauth_rotate_refresh_tokens":true})"); }
  std::vector<std::string> live_refresh_tokens() {
    return admin("GET", "/_fake/oauth")["refresh_tokens"].get<std::vector<std::string>>();
  }
  int refresh_status(const std::string& refresh_token) {
    return testing::http_request(fake_->port(), "POST", "/oauth/2026-03/token",
                                 std::string("grant_type=refresh_token&client_id=") + kClientId +
                                     "&client_secret=" + kClientSecret + "&refresh_token=" + refresh_token,
                                 {{"Content-Type", "application/x-www-form-urlencoded"}})
        .status;
  }
  // No secret leadsync handled, configured or rotated, in what it printed.
  void expect_no_secret(const std::string& output, const std::vector<std::string>& more = {}) {
    for (const std::string& s : {std::string(kClientSecret), std::string(kRefreshToken)})
      EXPECT_EQ(output.find(s), std::string::npos) << "secret " << s << " printed:\n" << output;
    for (const std::string& s : more)
      EXPECT_EQ(output.find(s), std::string::npos) << "secret " << s << " printed:\n" << output;
  }

  fs::path refresh_file_;
  std::string oauth_config_;
};

TEST_F(DaemonOAuthTest, ARotatedRefreshTokenIsWrittenToItsFileAndTheNextRunStartsWithIt) {
  LEADSYNC_REQUIRE_DATABASE();
  start_oauth_env(Source::file);
  rotate();
  auto first = cli({"--sync-now"}, oauth_env());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(count("SELECT count(*) FROM public.leads"), 3);
  auto live = live_refresh_tokens();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_NE(live[0], kRefreshToken);
  EXPECT_EQ(read_all(refresh_file_), live[0] + "\n");
  struct stat st {};
  ASSERT_EQ(::stat(refresh_file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(first.output.find("HubSpot rotated the OAuth refresh token; the new one was written to " +
                              refresh_file_.string()),
            std::string::npos)
      << first.output;
  EXPECT_EQ(refresh_status(kRefreshToken), 400);  // the configured token no longer works

  // A restart reads the file: the rotated token works (and rotates again).
  auto second = cli({"--sync-now"}, oauth_env());
  ASSERT_EQ(second.exit_code, 0) << second.output;
  auto live2 = live_refresh_tokens();
  ASSERT_EQ(live2.size(), 1u);
  EXPECT_NE(live2[0], live[0]);
  EXPECT_EQ(read_all(refresh_file_), live2[0] + "\n");
  expect_no_secret(first.output + second.output, {live[0], live2[0]});
}

TEST_F(DaemonOAuthTest, ARotationThatCannotBeKeptIsALoudWarningAndTheRunGoesOn) {
  LEADSYNC_REQUIRE_DATABASE();
  // Readable but not replaceable, even by root: ".NAME.XXXXXX" is longer than a file name may be.
  start_oauth_env(Source::file, fs::path(::testing::TempDir()) / ("leadsync-" + std::string(240, 'r')));
  rotate();
  auto r = cli({"--sync-now"}, oauth_env());
  fs::remove(refresh_file_);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("HubSpot rotated the OAuth refresh token and leadsync could not write the new one"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("before the next restart"), std::string::npos) << r.output;
  expect_no_secret(r.output, live_refresh_tokens());
}

TEST_F(DaemonOAuthTest, ARotationWithTheTokenInTheEnvironmentSaysWhatToDo) {
  LEADSYNC_REQUIRE_DATABASE();
  start_oauth_env(Source::env);
  rotate();
  auto r = cli({"--sync-now"}, oauth_env());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("HubSpot rotated the OAuth refresh token: the one in the environment variable "
                          "HUBSPOT_REFRESH_TOKEN no longer works"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("hubspot.oauth.refresh_token_file"), std::string::npos) << r.output;
  expect_no_secret(r.output, live_refresh_tokens());
}

// A reload builds the HubSpot client anew. The configured refresh token (read once from the environment) was
// rotated away by then: the new client must go on with the token in use, not fall back to the dead one.
TEST_F(DaemonOAuthTest, ARotatedRefreshTokenSurvivesAReload) {
  LEADSYNC_REQUIRE_DATABASE();
  start_oauth_env(Source::env);
  rotate();
  auto d = start_daemon({}, oauth_env());
  d->wait_for_line("cycle success: mode=full", 60s);
  auto text = oauth_config_;
  text.replace(text.find("logging: { level: info }"), 24, "logging: { level: info, format: json }");
  write_config(text);
  d->send_signal(SIGHUP);
  d->wait_for_line("configuration reloaded from", 10s);
  admin("POST", "/_fake/oauth/expire");  // the reloaded client has no access token yet either way
  const auto id = sql("SELECT hubspot_id FROM public.leads WHERE hubspot_id IS NOT NULL ORDER BY id LIMIT 1");
  ASSERT_FALSE(id.empty());
  exec("UPDATE public.leads SET lead_name = 'after reload' WHERE hubspot_id = '" + id + "'");
  ASSERT_TRUE(eventually([&] { return remote_name(id) == "after reload"; }, 20s)) << d->output();
  d->send_signal(SIGTERM);
  EXPECT_EQ(d->wait(30s), 0) << d->output();
  expect_no_secret(d->output(), live_refresh_tokens());
}

TEST_F(DaemonOAuthTest, ARevokedRefreshTokenEndsSyncNowAndTheDaemonWith69) {
  LEADSYNC_REQUIRE_DATABASE();
  start_oauth_env(Source::file);
  admin("POST", "/_fake/oauth/revoke", std::string(R"({"refresh_token":")") + kRefreshToken + "\"}");
  auto r = cli({"--sync-now"}, oauth_env());
  EXPECT_EQ(r.exit_code, 69) << r.output;
  for (const char* says :
       {"HubSpot refused the OAuth refresh token (400 invalid_grant", "it was revoked", "it expired",
        "re-authorize the app in HubSpot", "put the new refresh token in the file"})
    EXPECT_NE(r.output.find(says), std::string::npos) << says << "\n" << r.output;
  EXPECT_NE(r.output.find(refresh_file_.string()), std::string::npos) << r.output;
  expect_no_secret(r.output);
  EXPECT_EQ(count("SELECT count(*) FROM public.leads"), 0);

  // The daemon does not retry what no wait can heal: it stops with 69 and systemd's restart reads the file.
  auto d = start_daemon({}, oauth_env());
  auto code = d->wait(60s);
  ASSERT_TRUE(code) << "the daemon kept running:\n" << d->output();
  EXPECT_EQ(*code, 69) << d->output();
  EXPECT_NE(d->output().find("HubSpot refused the OAuth refresh token"), std::string::npos) << d->output();
  expect_no_secret(d->output());
}

}  // namespace
}  // namespace leadsync::daemon_test
