// Good configurations: the minimal one with its defaults, the documented example, every key read into the
// right field, and how problems are reported (positions, several at once, missing files).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "leadsync/config/app_config.hpp"
#include "leadsync/config/config_error.hpp"
#include "test_util.hpp"

namespace leadsync::config {
namespace {

using namespace std::chrono_literals;
using testing::kMinimal;
using testing::parse;
using testing::parse_error;

// The defaults documented in config/leadsync.example.yaml, spelled out so that changing a default in the
// structs fails here and reminds to update the documentation.
TEST(ConfigParse, MinimalConfigGetsTheDocumentedDefaults) {
  AppConfig c = parse(kMinimal);
  EXPECT_EQ(c.source_name, "test.yaml");

  EXPECT_EQ(c.hubspot.base_url, "https://api.hubapi.com");
  EXPECT_EQ(c.hubspot.access_token_env, "HUBSPOT_ACCESS_TOKEN");
  EXPECT_FALSE(c.hubspot.access_token_file);
  EXPECT_FALSE(c.hubspot.oauth);
  EXPECT_FALSE(c.hubspot.ca_file);
  EXPECT_FALSE(c.hubspot.unique_key_property);
  EXPECT_TRUE(c.hubspot.create_unique_key_property);
  EXPECT_TRUE(c.hubspot.rate_limit.enabled);
  EXPECT_EQ(c.hubspot.rate_limit.requests_per_10s, 100);
  EXPECT_EQ(c.hubspot.rate_limit.search_per_second, 5);
  EXPECT_EQ(c.hubspot.rate_limit.daily, 250000);
  EXPECT_EQ(c.hubspot.rate_limit.daily_reserve, 0);
  EXPECT_EQ(c.hubspot.rate_limit.daily_share, 20);
  EXPECT_EQ(c.hubspot.timeouts.connect, 10s);
  EXPECT_EQ(c.hubspot.timeouts.request, 60s);
  EXPECT_EQ(c.hubspot.retry.max_attempts, 6);
  EXPECT_EQ(c.hubspot.retry.initial_backoff, 500ms);
  EXPECT_EQ(c.hubspot.retry.max_backoff, 60s);
  EXPECT_EQ(c.hubspot.max_response_mb, 64);
  EXPECT_EQ(c.hubspot.api_version, ApiVersion::v2026_03);

  EXPECT_EQ(c.database.dsn_env, "LEADSYNC_DATABASE_URL");
  EXPECT_FALSE(c.database.dsn_file);
  EXPECT_FALSE(c.database.dsn);
  EXPECT_EQ(c.database.schema, "public");
  EXPECT_EQ(c.database.table, "hubspot_leads");
  EXPECT_EQ(c.database.qualified_table(), "public.hubspot_leads");

  EXPECT_EQ(c.sync.interval, 60s);
  EXPECT_EQ(c.sync.full_sweep_interval, 24h);
  EXPECT_EQ(c.sync.association_sweep_interval, 1h);
  EXPECT_EQ(c.sync.search_lookback, 60s);
  EXPECT_EQ(c.sync.debounce, 500ms);
  EXPECT_EQ(c.sync.conflict_policy, ConflictPolicy::newest_wins);
  EXPECT_EQ(c.sync.on_remote_delete, RemoteDeletePolicy::archive);
  EXPECT_EQ(c.sync.batch_size, 100);
  EXPECT_EQ(c.sync.max_push_attempts, 10);

  ASSERT_EQ(c.mappings.size(), 1u);
  EXPECT_EQ(c.mappings[0],
            (MappingConfig{"hs_lead_name", "lead_name", PropertyType::string, Direction::both}));
  EXPECT_TRUE(c.associations.empty());

  EXPECT_TRUE(c.metrics.enabled);
  EXPECT_EQ(c.metrics.listen_host, "127.0.0.1");
  EXPECT_EQ(c.metrics.listen_port, 9464);
  EXPECT_EQ(c.logging.level, LogLevel::info);
  EXPECT_EQ(c.logging.format, LogFormat::text);

  EXPECT_FALSE(c.webhooks.enabled);
  EXPECT_EQ(c.webhooks.listen_host, "127.0.0.1");
  EXPECT_EQ(c.webhooks.listen_port, 9465);
  EXPECT_EQ(c.webhooks.path, "/hubspot/webhooks");
  EXPECT_EQ(c.webhooks.public_url, "");
  EXPECT_FALSE(c.webhooks.client_secret_env);
  EXPECT_FALSE(c.webhooks.client_secret_file);
  EXPECT_FALSE(c.webhooks.app_id);
  EXPECT_EQ(c.webhooks.portal_id, 0);
}

// The example documents every key at its default value (apart from the mappings, associations and the
// optional unique key it shows), so loading it must give exactly the defaults.
TEST(ConfigParse, DocumentedExampleLoadsWithTheDefaults) {
  std::string path = std::string(LEADSYNC_SOURCE_DIR) + "/config/leadsync.example.yaml";
  AppConfig c = load_config_file(path);
  AppConfig defaults = parse(kMinimal);

  HubspotConfig expected_hubspot = defaults.hubspot;
  expected_hubspot.unique_key_property = "leadsync_key";
  EXPECT_EQ(c.hubspot, expected_hubspot);
  EXPECT_EQ(c.database, defaults.database);
  EXPECT_EQ(c.sync, defaults.sync);
  EXPECT_EQ(c.metrics, defaults.metrics);
  EXPECT_EQ(c.logging, defaults.logging);
  EXPECT_EQ(c.webhooks, defaults.webhooks);

  std::vector<MappingConfig> mappings = {
      {"hs_lead_name", "lead_name", PropertyType::string, Direction::both},
      {"hs_lead_label", "lead_label", PropertyType::enumeration, Direction::both},
      {"hs_lead_type", "lead_type", PropertyType::enumeration, Direction::both},
      {"hs_createdate", "created_in_hubspot", PropertyType::datetime, Direction::pull},
  };
  EXPECT_EQ(c.mappings, mappings);
  std::vector<AssociationConfig> associations = {{"contacts", {578, 608}}, {"companies", {580, 610}}};
  EXPECT_EQ(c.associations, associations);
}

// Every commented-out alternative in the example (access_token_file, oauth, ca_file, dsn_file, dsn) is
// valid YAML for the schema once uncommented in place of the active one.
TEST(ConfigParse, DocumentedAlternativesInTheExampleAreValid) {
  std::ifstream in(std::string(LEADSYNC_SOURCE_DIR) + "/config/leadsync.example.yaml");
  std::string example((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto replace = [](std::string text, const std::string& from, const std::string& to) {
    auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << "example no longer contains: " << from;
    if (pos != std::string::npos) text.replace(pos, from.size(), to);
    return text;
  };
  auto uncomment_block = [&](std::string text, const std::string& first_line, int lines) {
    auto pos = text.find(first_line);
    EXPECT_NE(pos, std::string::npos) << "example no longer contains: " << first_line;
    for (int i = 0; i < lines && pos != std::string::npos; ++i) {
      auto hash = text.find("# ", pos);
      text.erase(hash, 2);
      pos = text.find('\n', hash) + 1;
    }
    return text;
  };
  std::string token_line = "  access_token_env: HUBSPOT_ACCESS_TOKEN\n";
  std::string dsn_line = "  dsn_env: LEADSYNC_DATABASE_URL\n";

  std::string with_file = replace(example, token_line, "");
  with_file = uncomment_block(with_file, "  # access_token_file: /run", 1);
  with_file = uncomment_block(with_file, "  # ca_file:", 1);
  with_file = replace(with_file, dsn_line, "");
  with_file = uncomment_block(with_file, "  # dsn_file: /run", 1);
  AppConfig f = parse(with_file);
  EXPECT_EQ(f.hubspot.access_token_file, "/run/credentials/leadsync.service/hubspot-token");
  EXPECT_EQ(f.hubspot.ca_file, "/etc/leadsync/extra-ca.pem");
  EXPECT_EQ(f.database.dsn_file, "/run/credentials/leadsync.service/database-dsn");

  std::string with_oauth = replace(example, token_line, "");
  with_oauth = uncomment_block(with_oauth, "  # oauth:\n", 7);
  with_oauth = replace(with_oauth, dsn_line, "");
  with_oauth = uncomment_block(with_oauth, "  # dsn: \"host", 1);
  AppConfig o = parse(with_oauth);
  ASSERT_TRUE(o.hubspot.oauth);
  EXPECT_EQ(o.hubspot.oauth->client_secret_env, "HUBSPOT_CLIENT_SECRET");
  EXPECT_EQ(o.hubspot.oauth->refresh_token_env, "HUBSPOT_REFRESH_TOKEN");
  EXPECT_FALSE(o.hubspot.oauth->token_path);  // the client's own token endpoint
  EXPECT_EQ(o.database.dsn, "host=/run/postgresql dbname=leads");

  std::string with_webhooks =
      replace(example, "  enabled: false           #", "  enabled: true            #");
  with_webhooks = uncomment_block(with_webhooks, "  # public_url:", 2);
  with_webhooks = uncomment_block(with_webhooks,
                                  "  # client_secret_env: HUBSPOT_CLIENT_SECRET\n  # client_secret_file", 1);
  with_webhooks = uncomment_block(with_webhooks, "  # app_id:", 1);
  with_webhooks = uncomment_block(with_webhooks, "  # portal_id:", 1);
  AppConfig w = parse(with_webhooks);
  EXPECT_TRUE(w.webhooks.enabled);
  EXPECT_EQ(w.webhooks.public_url, "https://leadsync.example.com/hubspot/webhooks");
  EXPECT_EQ(w.webhooks.client_secret_env, "HUBSPOT_CLIENT_SECRET");
  EXPECT_EQ(w.webhooks.app_id, 1234001);
  EXPECT_EQ(w.webhooks.portal_id, 12345678);
  std::string with_secret_file =
      replace(with_webhooks, "  client_secret_env: HUBSPOT_CLIENT_SECRET\n  # client_secret_file",
              "  # client_secret_env: HUBSPOT_CLIENT_SECRET\n  client_secret_file");
  EXPECT_EQ(parse(with_secret_file).webhooks.client_secret_file,
            "/run/credentials/leadsync.service/hubspot-client-secret");
  AppConfig tls = parse(uncomment_block(with_webhooks, "  # cert_file:", 2));
  EXPECT_EQ(tls.webhooks.cert_file, "/etc/leadsync/tls/webhooks.crt");
  EXPECT_EQ(tls.webhooks.key_file, "/etc/leadsync/tls/webhooks.key");
}

// Native TLS takes both files or neither, and then the URL HubSpot calls cannot be plain http://.
TEST(ConfigParse, WebhookTlsNeedsBothFilesAndAnHttpsPublicUrl) {
  const std::string webhooks = kMinimal + R"(webhooks:
  enabled: true
  public_url: https://hooks.example.com/hubspot/webhooks
  client_secret_env: HUBSPOT_CLIENT_SECRET
  portal_id: 12345678
)";
  const std::string cert = "  cert_file: /etc/leadsync/tls/hooks.crt\n";
  const std::string key = "  key_file: /etc/leadsync/tls/hooks.key\n";
  AppConfig both = parse(webhooks + cert + key);
  EXPECT_EQ(both.webhooks.cert_file, "/etc/leadsync/tls/hooks.crt");
  EXPECT_EQ(both.webhooks.key_file, "/etc/leadsync/tls/hooks.key");
  AppConfig neither = parse(webhooks);
  EXPECT_FALSE(neither.webhooks.cert_file);
  EXPECT_FALSE(neither.webhooks.key_file);

  EXPECT_NE(parse_error(webhooks + cert).find("webhooks.cert_file: native TLS needs key_file too"),
            std::string::npos)
      << parse_error(webhooks + cert);
  EXPECT_NE(parse_error(webhooks + key).find("webhooks.key_file: native TLS needs cert_file too"),
            std::string::npos)
      << parse_error(webhooks + key);
  const std::string http = kMinimal + R"(webhooks:
  enabled: true
  public_url: http://hooks.example.com/hubspot/webhooks
  client_secret_env: HUBSPOT_CLIENT_SECRET
  portal_id: 12345678
)";
  EXPECT_EQ(parse(http).webhooks.public_url, "http://hooks.example.com/hubspot/webhooks");  // behind a proxy
  EXPECT_NE(parse_error(http + cert + key)
                .find("webhooks.public_url: with cert_file and key_file the receiver "
                      "serves HTTPS only: expected https://"),
            std::string::npos)
      << parse_error(http + cert + key);
  EXPECT_NE(parse_error(webhooks + "  cert_file: tls/hooks.crt\n" + key)
                .find("webhooks.cert_file: expected an absolute file path, got \"tls/hooks.crt\""),
            std::string::npos);
}

// Every key set to a value other than its default, to catch a key read into the wrong field.
TEST(ConfigParse, EveryKeyIsReadIntoItsField) {
  AppConfig c = parse(R"(
hubspot:
  base_url: http://127.0.0.1:8080/
  api_version: legacy
  oauth:
    client_id: 3f1c9a52-1111
    client_secret_file: /run/credentials/x/client-secret
    refresh_token_env: HS_REFRESH
    token_path: /custom/token
  ca_file: /etc/leadsync/ca.pem
  unique_key_property: leadsync_key
  create_unique_key_property: false
  rate_limit: { enabled: false, requests_per_10s: 190, search_per_second: 4, daily: 500000, daily_reserve: 1000 }
  timeouts: { connect: 3s, request: 2m }
  retry: { max_attempts: 3, initial_backoff: 250ms, max_backoff: 30s }
  max_response_mb: 8
database:
  dsn_file: /run/credentials/x/dsn
  table: crm.leads
sync:
  interval: 5m
  full_sweep_interval: 1d
  association_sweep_interval: 1h30m
  search_lookback: 2m
  debounce: 0ms
  conflict_policy: manual
  on_remote_delete: delete
  batch_size: 50
  max_push_attempts: 3
mappings:
  - { property: hs_lead_name, column: name, type: string, direction: push }
  - { property: amount, column: Amount, type: number, direction: pull }
  - { property: is_hot, column: hot, type: bool }
  - { property: due, column: due, type: date }
  - { property: seen_at, column: seen_at, type: datetime }
associations:
  - { to_object_type: deals, association_type_ids: [583] }
metrics: { enabled: false, listen: "[::1]:0" }
logging: { level: debug, format: json }
webhooks:
  enabled: true
  listen: "[::1]:0"
  path: /hooks/hubspot
  public_url: https://hooks.example.com/hubspot?instance=eu
  client_secret_file: /run/credentials/x/client-secret
  app_id: 1234001
  portal_id: 9007199254740991
  cert_file: /etc/leadsync/tls/hooks.crt
  key_file: /etc/leadsync/tls/hooks.key
)");
  const HubspotConfig& h = c.hubspot;
  EXPECT_EQ(h.base_url, "http://127.0.0.1:8080");
  EXPECT_EQ(h.api_version, ApiVersion::legacy);
  ASSERT_TRUE(h.oauth);
  EXPECT_EQ(*h.oauth, (OAuthConfig{"3f1c9a52-1111", std::nullopt, "/run/credentials/x/client-secret",
                                   "HS_REFRESH", std::nullopt, "/custom/token"}));
  EXPECT_EQ(h.ca_file, "/etc/leadsync/ca.pem");
  EXPECT_EQ(h.unique_key_property, "leadsync_key");
  EXPECT_FALSE(h.create_unique_key_property);
  EXPECT_EQ(h.rate_limit, (RateLimitConfig{false, 190, 4, 500000, 1000}));
  EXPECT_EQ(h.timeouts, (TimeoutConfig{3s, 2min}));
  EXPECT_EQ(h.retry, (RetryConfig{3, 250ms, 30s}));
  EXPECT_EQ(h.max_response_mb, 8);
  EXPECT_EQ(c.database.dsn_file, "/run/credentials/x/dsn");
  EXPECT_EQ(c.database.schema, "crm");
  EXPECT_EQ(c.database.table, "leads");
  EXPECT_EQ(c.sync, (SyncConfig{5min, 24h, 90min, 2min, 0ms, ConflictPolicy::manual,
                                RemoteDeletePolicy::remove, 50, 3}));
  std::vector<MappingConfig> mappings = {
      {"hs_lead_name", "name", PropertyType::string, Direction::push},
      {"amount", "Amount", PropertyType::number, Direction::pull},
      {"is_hot", "hot", PropertyType::boolean, Direction::both},
      {"due", "due", PropertyType::date, Direction::both},
      {"seen_at", "seen_at", PropertyType::datetime, Direction::both},
  };
  EXPECT_EQ(c.mappings, mappings);
  EXPECT_EQ(c.associations, (std::vector<AssociationConfig>{{"deals", {583}}}));
  EXPECT_EQ(c.metrics, (MetricsConfig{false, "::1", 0}));
  EXPECT_EQ(c.logging, (LoggingConfig{LogLevel::debug, LogFormat::json}));
  EXPECT_EQ(c.webhooks,
            (WebhooksConfig{true, "::1", 0, "/hooks/hubspot", "https://hooks.example.com/hubspot?instance=eu",
                            std::nullopt, "/run/credentials/x/client-secret", 1234001, 9007199254740991,
                            "/etc/leadsync/tls/hooks.crt", "/etc/leadsync/tls/hooks.key"}));
}

TEST(ConfigParse, TableWithoutSchemaIsInPublic) {
  AppConfig c = parse(R"(hubspot: { access_token_env: T }
database: { dsn_env: D, table: leads }
mappings: [ { property: hs_lead_name, column: lead_name } ]
)");
  EXPECT_EQ(c.database.schema, "public");
  EXPECT_EQ(c.database.table, "leads");
}

TEST(ConfigParse, LoopbackHostsMayUsePlainHttp) {
  for (std::string url :
       {"http://127.0.0.1:8080", "http://127.4.5.6", "http://localhost:1234", "http://LOCALHOST",
        "http://[::1]:9000", "http://[::ffff:127.0.0.1]:80", "https://api.hubapi.com",
        "https://api.hubapi.com:443", "HTTPS://API.HubAPI.com/"}) {
    std::string yaml =
        "hubspot: { access_token_env: T, base_url: \"" + url +
        "\" }\ndatabase: { dsn_env: D }\nmappings: [ { property: hs_lead_name, column: n } ]\n";
    EXPECT_EQ(parse_error(yaml), "") << url;
  }
  EXPECT_EQ(
      parse("hubspot: { access_token_env: T, base_url: \"HTTPS://API.HubAPI.com/\" }\ndatabase: { dsn_env: D "
            "}\nmappings: [ { property: hs_lead_name, column: n } ]\n")
          .hubspot.base_url,
      "https://api.hubapi.com");
  for (std::string url : {"http://128.0.0.1", "http://127.0.0.1.example.com", "http://localhost.evil.com",
                          "http://[::2]", "http://127.0.0", "http://[::ffff:10.0.0.1]"}) {
    std::string yaml =
        "hubspot: { access_token_env: T, base_url: \"" + url +
        "\" }\ndatabase: { dsn_env: D }\nmappings: [ { property: hs_lead_name, column: n } ]\n";
    EXPECT_NE(parse_error(yaml).find("only allowed for loopback hosts"), std::string::npos) << url;
  }
}

TEST(ConfigParse, InlineDsnWithoutPasswordIsAccepted) {
  for (std::string dsn :
       {"host=/run/postgresql dbname=leads", "postgresql://leadsync@db.internal/leads",
        "postgresql:///leads?host=/run/postgresql", "dbname=leads passfile=/etc/leadsync/pgpass"}) {
    std::string yaml = "hubspot: { access_token_env: T }\ndatabase: { dsn: \"" + dsn +
                       "\" }\nmappings: [ { property: hs_lead_name, column: n } ]\n";
    EXPECT_EQ(parse_error(yaml), "") << dsn;
  }
  for (std::string dsn :
       {"host=db PASSWORD = x1", "postgres://u:x1@db/leads", "postgresql://db/leads?password=x1"}) {
    std::string yaml = "hubspot: { access_token_env: T }\ndatabase: { dsn: \"" + dsn +
                       "\" }\nmappings: [ { property: hs_lead_name, column: n } ]\n";
    std::string error = parse_error(yaml);
    EXPECT_NE(error.find("must not contain a password"), std::string::npos) << dsn;
    EXPECT_EQ(error.find("x1"), std::string::npos) << error;
  }
}

TEST(ConfigParse, EmptySectionsMeanDefaults) {
  AppConfig c = parse(kMinimal + "sync:\nassociations:\nmetrics:\nlogging:\n");
  EXPECT_EQ(c.sync, SyncConfig{});
  EXPECT_TRUE(c.associations.empty());
  EXPECT_EQ(c.metrics, MetricsConfig{});
}

TEST(ConfigParse, QuotedNumbersAndBooleanSpellings) {
  AppConfig c = parse(kMinimal + "sync: { batch_size: \"25\" }\nmetrics: { enabled: False }\n");
  EXPECT_EQ(c.sync.batch_size, 25);
  EXPECT_FALSE(c.metrics.enabled);
}

// The message format of the brief: FILE:LINE:COL: KEY.PATH: message, column of the value.
TEST(ConfigErrors, FormatNamesFileLineColumnKeyPathAndExpectation) {
  std::string yaml = kMinimal + "sync:\n  interval: 60s\n  conflict_policy: newest\n";
  EXPECT_EQ(
      parse_error(yaml, "leadsync.yaml"),
      "leadsync.yaml:9:20: sync.conflict_policy: invalid value \"newest\" (expected one of remote_wins, "
      "local_wins, newest_wins, manual)");
}

TEST(ConfigErrors, AllProblemsAreReportedInOnePass) {
  std::string yaml = R"(hubspot:
  access_token_env: T
  rate_limit: { requests_per_10s: 0 }
database:
  dsn_env: D
  tabel: leads
sync:
  interval: 30
  batch_size: 500
mappings:
  - { property: hs_lead_name, column: "x y" }
  - { property: hs_lead_label, column: lead_label, type: text }
logging: { level: loud }
)";
  try {
    parse(yaml, "f.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    std::vector<std::pair<std::string, int>> got;
    for (const ConfigIssue& i : e.issues()) {
      EXPECT_EQ(i.file, "f.yaml");
      got.emplace_back(i.key_path, i.line);
    }
    std::vector<std::pair<std::string, int>> expected = {{"hubspot.rate_limit.requests_per_10s", 3},
                                                         {"database.tabel", 6},
                                                         {"sync.interval", 8},
                                                         {"sync.batch_size", 9},
                                                         {"mappings[0].column", 11},
                                                         {"mappings[1].type", 12},
                                                         {"logging.level", 13}};
    EXPECT_EQ(got, expected) << e.what();
    // what() has one line per issue.
    std::string what = e.what();
    EXPECT_EQ(std::count(what.begin(), what.end(), '\n'), static_cast<long>(expected.size()) - 1) << what;
  }
}

TEST(ConfigErrors, UnknownKeyPointsAtTheKey) {
  try {
    parse(kMinimal + "sync:\n  interval: 60s\n  intervall: 30s\n");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.issues().size(), 1u) << e.what();
    EXPECT_EQ(e.issues()[0], (ConfigIssue{"test.yaml", 9, 3, "sync.intervall",
                                          "unknown key \"intervall\" (did you mean \"interval\"?)"}));
  }
}

TEST(ConfigErrors, UnknownKeyFarFromAnyListsTheKnownKeys) {
  EXPECT_NE(parse_error(kMinimal + "metrics: { port: 9 }\n")
                .find("metrics.port: unknown key \"port\" (expected one of enabled, listen)"),
            std::string::npos);
}

TEST(ConfigErrors, SyntaxErrorUsesYamlCppPosition) {
  try {
    parse("hubspot:\n  access_token_env: [T\ndatabase: {}\n");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_GT(e.issues()[0].line, 0);
    EXPECT_TRUE(e.issues()[0].key_path.empty());
    EXPECT_NE(std::string(e.what()).find("test.yaml:"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("YAML syntax error"), std::string::npos);
  }
}

TEST(ConfigErrors, MissingFileNamesThePath) {
  try {
    load_config_file("/nonexistent/dir/leadsync.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/nonexistent/dir/leadsync.yaml: cannot open configuration file: No such file or directory");
  }
}

TEST(ConfigErrors, DirectoryInsteadOfFile) {
  try {
    load_config_file(LEADSYNC_SOURCE_DIR);
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("it is a directory"), std::string::npos) << e.what();
  }
}

TEST(ConfigErrors, LongValuesAreShortenedAndControlCharactersEscaped) {
  std::string error =
      parse_error(kMinimal + "logging: { level: \"" + std::string(200, 'x') + "\\u0007\" }\n");
  EXPECT_NE(error.find("\"" + std::string(80, 'x') + "...\""), std::string::npos) << error;
  EXPECT_EQ(error.find('\a'), std::string::npos);
  error = parse_error(kMinimal + "logging: { level: \"a\\u0007b\" }\n");
  EXPECT_NE(error.find("\"a\\x07b\""), std::string::npos) << error;
}

TEST(ConfigEnums, ToStringIsTheYamlSpelling) {
  EXPECT_STREQ(to_string(PropertyType::boolean), "bool");
  EXPECT_STREQ(to_string(PropertyType::enumeration), "enumeration");
  EXPECT_STREQ(to_string(Direction::pull), "pull");
  EXPECT_STREQ(to_string(ConflictPolicy::remote_wins), "remote_wins");
  EXPECT_STREQ(to_string(RemoteDeletePolicy::remove), "delete");
  EXPECT_STREQ(to_string(LogLevel::warn), "warn");
  EXPECT_STREQ(to_string(LogFormat::json), "json");
}

}  // namespace
}  // namespace leadsync::config
