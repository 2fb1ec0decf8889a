// The schedule in force with and without webhooks (options.hpp: poll_schedule), and that the engine and the
// budget projection take the same one.
#include "options.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "api_budget.hpp"

namespace leadsync::daemon {
namespace {

using namespace std::chrono_literals;

config::AppConfig parse(const std::string& extra) {
  std::istringstream in(R"(hubspot:
  access_token_env: HUBSPOT_ACCESS_TOKEN
database:
  dsn_env: LEADSYNC_DATABASE_URL
sync:
  interval: 2m
  full_sweep_interval: 24h
  association_sweep_interval: 1h
mappings:
  - { property: hs_lead_name, column: lead_name, type: string }
)" + extra);
  return config::parse_config(in, "test.yaml");
}

const std::string kWebhooks = R"(webhooks:
  enabled: true
  public_url: https://leadsync.example.com/hubspot/webhooks
  client_secret_env: SECRET
  portal_id: 1
  safety_interval: 20m
)";

TEST(PollSchedule, WithoutWebhooksTheConfiguredIntervalsHold) {
  const auto cfg = parse("");
  const auto s = poll_schedule(cfg, cfg.webhooks.enabled);
  EXPECT_EQ(s.interval, 2min);
  EXPECT_EQ(s.full_sweep_interval, 24h);
  EXPECT_EQ(s.association_sweep_interval, 1h);
  EXPECT_EQ(to_engine_options(cfg).full_sweep_interval, 24h);
  EXPECT_FALSE(to_engine_options(cfg).apply_events);
}

TEST(PollSchedule, WebhooksMakeThePollASafetyNet) {
  const auto cfg = parse(kWebhooks);
  const auto s = poll_schedule(cfg, true);
  EXPECT_EQ(s.interval, 20min);
  EXPECT_EQ(s.association_sweep_interval, 24h);
  EXPECT_EQ(s.full_sweep_interval, 7 * 24h);
  const auto engine = to_engine_options(cfg);
  EXPECT_TRUE(engine.apply_events);
  EXPECT_EQ(engine.full_sweep_interval, 7 * 24h);
  EXPECT_EQ(engine.association_sweep_interval, 24h);
  const auto projected = api_schedule(cfg);
  EXPECT_EQ(projected.interval, 20min);
  EXPECT_EQ(projected.full_sweep_interval, 7 * 24h);
}

TEST(PollSchedule, WebhooksThatMissedChangesBringBackTheConfiguredPoll) {
  const auto cfg = parse(kWebhooks);
  const auto s = poll_schedule(cfg, false);
  EXPECT_EQ(s.interval, 2min);
}

TEST(PollSchedule, LongerConfiguredIntervalsAreKept) {
  auto cfg = parse(kWebhooks);
  cfg.sync.interval = 1h;
  cfg.sync.full_sweep_interval = 30 * 24h;
  const auto s = poll_schedule(cfg, true);
  EXPECT_EQ(s.interval, 1h);
  EXPECT_EQ(s.full_sweep_interval, 30 * 24h);
}

}  // namespace
}  // namespace leadsync::daemon
