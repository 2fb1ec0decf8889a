// non_reloadable_differences: which changed keys a SIGHUP reload must refuse.
#include <gtest/gtest.h>

#include "leadsync/config/app_config.hpp"
#include "test_util.hpp"

namespace leadsync::config {
namespace {

using namespace std::chrono_literals;
using testing::kMinimal;
using testing::parse;
using Keys = std::vector<std::string>;

TEST(ConfigReload, IdenticalConfigsHaveNoDifferences) {
  EXPECT_EQ(non_reloadable_differences(parse(kMinimal), parse(kMinimal)), Keys{});
}

TEST(ConfigReload, ReloadableKeysMayChange) {
  AppConfig old_config = parse(kMinimal);
  AppConfig new_config = old_config;
  new_config.sync.interval = 5s;
  new_config.sync.conflict_policy = ConflictPolicy::manual;
  new_config.hubspot.rate_limit.requests_per_10s = 10;
  new_config.hubspot.access_token_env = "OTHER";
  new_config.logging.level = LogLevel::debug;
  new_config.mappings.push_back({"hs_lead_label", "lead_label", PropertyType::enumeration, Direction::both});
  EXPECT_EQ(non_reloadable_differences(old_config, new_config), Keys{});
}

TEST(ConfigReload, DatabaseSourceTableAndMetricsListenerCannotChange) {
  AppConfig old_config = parse(kMinimal);

  AppConfig c = old_config;
  c.database.dsn_env = "OTHER_URL";
  EXPECT_EQ(non_reloadable_differences(old_config, c), Keys{"database.dsn_env"});

  c = old_config;
  c.database.dsn_env.reset();
  c.database.dsn_file = "/run/credentials/x/dsn";
  EXPECT_EQ(non_reloadable_differences(old_config, c), (Keys{"database.dsn_env", "database.dsn_file"}));

  c = old_config;
  c.database.dsn_env.reset();
  c.database.dsn = "dbname=other";
  EXPECT_EQ(non_reloadable_differences(old_config, c), (Keys{"database.dsn_env", "database.dsn"}));

  c = old_config;
  c.database.table = "other";
  EXPECT_EQ(non_reloadable_differences(old_config, c), Keys{"database.table"});
  c = old_config;
  c.database.schema = "crm";
  EXPECT_EQ(non_reloadable_differences(old_config, c), Keys{"database.table"});

  c = old_config;
  c.metrics.listen_port = 9465;
  EXPECT_EQ(non_reloadable_differences(old_config, c), Keys{"metrics.listen"});
  c = old_config;
  c.metrics.listen_host = "0.0.0.0";
  EXPECT_EQ(non_reloadable_differences(old_config, c), Keys{"metrics.listen"});
  c = old_config;
  c.metrics.enabled = false;
  EXPECT_EQ(non_reloadable_differences(old_config, c), Keys{"metrics.enabled"});
}

TEST(ConfigReload, ReportsEveryDifferenceFromParsedFiles) {
  AppConfig old_config = parse(kMinimal);
  AppConfig new_config = parse(R"(hubspot: { access_token_env: HUBSPOT_ACCESS_TOKEN }
database: { dsn_env: LEADSYNC_DATABASE_URL, table: crm.leads }
mappings: [ { property: hs_lead_name, column: lead_name } ]
metrics: { listen: "0.0.0.0:9464" }
)");
  EXPECT_EQ(non_reloadable_differences(old_config, new_config), (Keys{"database.table", "metrics.listen"}));
}

}  // namespace
}  // namespace leadsync::config
