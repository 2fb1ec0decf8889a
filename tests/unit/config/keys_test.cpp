// The key table (keys.hpp) against the loader: every key the table declares is read by the loader into a
// field the reload diff sees, with the table's default, range and reload rule, and a typo of it gets a
// suggestion. A key added to the loader but not to the table is refused as unknown by the loader; one
// added to the table without an example here fails EveryKeyHasAnExample.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include "leadsync/config/duration.hpp"
#include "leadsync/config/keys.hpp"
#include "test_util.hpp"

namespace leadsync::config {
namespace {

using testing::parse;
using testing::parse_error;
using Keys = std::vector<std::string>;

const std::string kBase = R"(hubspot:
  access_token_env: HUBSPOT_ACCESS_TOKEN
database:
  dsn_env: LEADSYNC_DATABASE_URL
mappings:
  - { property: hs_lead_name, column: lead_name }
  - { property: hs_lead_label, column: lead_label }
associations:
  - { to_object_type: contacts, association_type_ids: [578] }
)";
const std::string kOAuthBase = R"(hubspot:
  oauth: { client_id: app, client_secret_env: HS_CLIENT_SECRET, refresh_token_env: HS_REFRESH_TOKEN }
database:
  dsn_env: LEADSYNC_DATABASE_URL
mappings:
  - { property: hs_lead_name, column: lead_name }
)";

// `a.b[0].c` -> the node, created when absent. yaml-cpp nodes are references: reset() rebinds, = assigns.
YAML::Node node_at(YAML::Node root, const std::string& path) {
  YAML::Node cur = root;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t dot = path.find('.', pos);
    std::string segment = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    std::optional<std::size_t> index;
    if (auto bracket = segment.find('['); bracket != std::string::npos) {
      index = std::stoul(segment.substr(bracket + 1));
      segment.resize(bracket);
    }
    cur.reset(cur[segment]);
    if (index) cur.reset(cur[*index]);
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  return cur;
}

struct Edit {
  std::string set;    // path to set
  std::string value;  // YAML text
  Keys remove = {};   // paths removed first (the other member of an exactly-one pair)
  Keys changed = {};  // changed_keys expected; {the key} when empty
};

std::string edited(const std::string& base, const Edit& edit) {
  YAML::Node root = YAML::Load(base);
  for (const std::string& path : edit.remove) {
    auto dot = path.rfind('.');
    node_at(root, path.substr(0, dot)).remove(path.substr(dot + 1));
  }
  YAML::Node target = node_at(root, edit.set);
  target = YAML::Load(edit.value);
  YAML::Emitter out;
  out << root;
  return out.c_str();
}

bool in_oauth(const std::string& key) {
  return key.starts_with("hubspot.oauth.");
}

// An enabled receiver needs these three, so its keys are changed from a config that has them.
const std::string kWebhooksBase = kBase + R"(webhooks:
  public_url: https://leadsync.example.com/hubspot/webhooks
  portal_id: 12345678
  client_secret_env: HUBSPOT_CLIENT_SECRET
)";

// cert_file and key_file go together, so each is changed from a config that has both.
const std::string kWebhooksTlsBase = kWebhooksBase + R"(  cert_file: /etc/leadsync/tls/webhooks.crt
  key_file: /etc/leadsync/tls/webhooks.key
)";

const std::string& base_for(const std::string& key) {
  if (in_oauth(key)) return kOAuthBase;
  if (key == "webhooks.cert_file" || key == "webhooks.key_file") return kWebhooksTlsBase;
  return key.starts_with("webhooks.") ? kWebhooksBase : kBase;
}

// A value other than the default for every key of the table, by table path.
const std::map<std::string, Edit>& examples() {
  static const std::map<std::string, Edit> e = {
      {"hubspot.base_url", {"hubspot.base_url", "https://api.eu1.hubapi.com"}},
      {"hubspot.access_token_env", {"hubspot.access_token_env", "OTHER_TOKEN"}},
      {"hubspot.access_token_file",
       {"hubspot.access_token_file",
        "/run/credentials/leadsync/token",
        {"hubspot.access_token_env"},
        {"hubspot.access_token_env", "hubspot.access_token_file"}}},
      {"hubspot.oauth",
       {"hubspot.oauth",
        "{ client_id: app, client_secret_env: S, refresh_token_env: R }",
        {"hubspot.access_token_env"},
        {"hubspot.access_token_env", "hubspot.oauth"}}},
      {"hubspot.oauth.client_id", {"hubspot.oauth.client_id", "other-app"}},
      {"hubspot.oauth.client_secret_env", {"hubspot.oauth.client_secret_env", "OTHER_SECRET"}},
      {"hubspot.oauth.client_secret_file",
       {"hubspot.oauth.client_secret_file",
        "/run/credentials/leadsync/secret",
        {"hubspot.oauth.client_secret_env"},
        {"hubspot.oauth.client_secret_env", "hubspot.oauth.client_secret_file"}}},
      {"hubspot.oauth.refresh_token_env", {"hubspot.oauth.refresh_token_env", "OTHER_REFRESH"}},
      {"hubspot.oauth.refresh_token_file",
       {"hubspot.oauth.refresh_token_file",
        "/run/credentials/leadsync/refresh",
        {"hubspot.oauth.refresh_token_env"},
        {"hubspot.oauth.refresh_token_env", "hubspot.oauth.refresh_token_file"}}},
      {"hubspot.oauth.token_path", {"hubspot.oauth.token_path", "/custom/token"}},
      {"hubspot.api_version", {"hubspot.api_version", "2026-09"}},
      {"hubspot.ca_file", {"hubspot.ca_file", "/etc/leadsync/ca.pem"}},
      {"hubspot.unique_key_property", {"hubspot.unique_key_property", "leadsync_key"}},
      {"hubspot.create_unique_key_property", {"hubspot.create_unique_key_property", "false"}},
      {"hubspot.rate_limit.enabled", {"hubspot.rate_limit.enabled", "false"}},
      {"hubspot.rate_limit.requests_per_10s", {"hubspot.rate_limit.requests_per_10s", "50"}},
      {"hubspot.rate_limit.search_per_second", {"hubspot.rate_limit.search_per_second", "2"}},
      {"hubspot.rate_limit.daily", {"hubspot.rate_limit.daily", "1000"}},
      {"hubspot.rate_limit.daily_reserve", {"hubspot.rate_limit.daily_reserve", "10"}},
      {"hubspot.rate_limit.daily_share", {"hubspot.rate_limit.daily_share", "5%"}},
      {"hubspot.timeouts.connect", {"hubspot.timeouts.connect", "3s"}},
      {"hubspot.timeouts.request", {"hubspot.timeouts.request", "2m"}},
      {"hubspot.retry.max_attempts", {"hubspot.retry.max_attempts", "3"}},
      {"hubspot.retry.initial_backoff", {"hubspot.retry.initial_backoff", "1s"}},
      {"hubspot.retry.max_backoff", {"hubspot.retry.max_backoff", "2m"}},
      {"hubspot.max_response_mb", {"hubspot.max_response_mb", "8"}},
      {"database.dsn_env", {"database.dsn_env", "OTHER_DATABASE_URL"}},
      {"database.dsn_file",
       {"database.dsn_file",
        "/run/credentials/leadsync/dsn",
        {"database.dsn_env"},
        {"database.dsn_env", "database.dsn_file"}}},
      {"database.dsn",
       {"database.dsn", "dbname=leads", {"database.dsn_env"}, {"database.dsn_env", "database.dsn"}}},
      {"database.table", {"database.table", "crm.leads"}},
      {"sync.interval", {"sync.interval", "5m"}},
      {"sync.full_sweep_interval", {"sync.full_sweep_interval", "6h"}},
      {"sync.association_sweep_interval", {"sync.association_sweep_interval", "15m"}},
      {"sync.search_lookback", {"sync.search_lookback", "2m"}},
      {"sync.debounce", {"sync.debounce", "0ms"}},
      {"sync.conflict_policy", {"sync.conflict_policy", "manual"}},
      {"sync.on_remote_delete", {"sync.on_remote_delete", "delete"}},
      {"sync.batch_size", {"sync.batch_size", "50"}},
      {"sync.max_push_attempts", {"sync.max_push_attempts", "3"}},
      {"mappings", {"mappings[2]", "{ property: amount, column: amount }", {}, {"mappings"}}},
      {"mappings[].property", {"mappings[1].property", "hs_lead_type", {}, {"mappings"}}},
      {"mappings[].column", {"mappings[0].column", "name", {}, {"mappings"}}},
      {"mappings[].type", {"mappings[0].type", "enumeration", {}, {"mappings"}}},
      {"mappings[].direction", {"mappings[0].direction", "push", {}, {"mappings"}}},
      {"associations",
       {"associations[1]", "{ to_object_type: deals, association_type_ids: [3] }", {}, {"associations"}}},
      {"associations[].to_object_type",
       {"associations[0].to_object_type", "companies", {}, {"associations"}}},
      {"associations[].association_type_ids",
       {"associations[0].association_type_ids", "[578, 1]", {}, {"associations"}}},
      {"metrics.enabled", {"metrics.enabled", "false"}},
      {"metrics.listen", {"metrics.listen", "127.0.0.1:9465"}},
      {"logging.level", {"logging.level", "debug"}},
      {"logging.format", {"logging.format", "json"}},
      {"webhooks.enabled", {"webhooks.enabled", "true"}},
      {"webhooks.listen", {"webhooks.listen", "0.0.0.0:8443"}},
      {"webhooks.path", {"webhooks.path", "/hooks/hubspot"}},
      {"webhooks.public_url", {"webhooks.public_url", "https://hooks.example.com/hubspot"}},
      {"webhooks.client_secret_env", {"webhooks.client_secret_env", "OTHER_SECRET"}},
      {"webhooks.client_secret_file",
       {"webhooks.client_secret_file",
        "/run/credentials/leadsync/client-secret",
        {"webhooks.client_secret_env"},
        {"webhooks.client_secret_env", "webhooks.client_secret_file"}}},
      {"webhooks.app_id", {"webhooks.app_id", "1234001"}},
      {"webhooks.portal_id", {"webhooks.portal_id", "87654321"}},
      {"webhooks.safety_interval", {"webhooks.safety_interval", "30m"}},
      {"webhooks.retention", {"webhooks.retention", "2d"}},
      {"webhooks.cert_file", {"webhooks.cert_file", "/etc/leadsync/tls/renewed.crt"}},
      {"webhooks.key_file", {"webhooks.key_file", "/etc/leadsync/tls/renewed.key"}},
  };
  return e;
}

// What a running daemon cannot take on a reload, stated here rather than read from the table: the
// connection, the table and the listener it holds open.
const std::set<std::string> kRestartKeys = {"database.dsn_env",
                                            "database.dsn_file",
                                            "database.dsn",
                                            "database.table",
                                            "metrics.enabled",
                                            "metrics.listen",
                                            "webhooks.enabled",
                                            "webhooks.listen",
                                            "webhooks.path",
                                            "webhooks.public_url",
                                            "webhooks.app_id",
                                            "webhooks.portal_id",
                                            "webhooks.client_secret_env",
                                            "webhooks.client_secret_file",
                                            "webhooks.cert_file",
                                            "webhooks.key_file"};

struct TableKey {
  const SectionSpec* section;
  const KeySpec* key;
  std::string path() const { return section->key_path(key->name); }
  bool in_item() const { return section->path.ends_with("[]"); }
};

std::vector<TableKey> table_keys() {
  std::vector<TableKey> out;
  for (const SectionSpec& s : config_sections())
    for (const KeySpec& k : s.keys) out.push_back({&s, &k});
  return out;
}

// A section of plain keys (sync, hubspot.retry) has no value of its own to change.
bool has_value(const TableKey& k) {
  return k.key->type != KeyType::section || k.key->differs != nullptr;
}

// Where to write a key of the table in a config: list items are written in the first item.
std::string writable_path(const TableKey& k) {
  std::string section(k.section->path);
  if (k.in_item()) section = section.substr(0, section.size() - 2) + "[0]";
  return section.empty() ? std::string(k.key->name) : section + "." + std::string(k.key->name);
}

TEST(ConfigKeys, EveryKeyHasAnExample) {
  const std::vector<TableKey> keys = table_keys();
  for (const TableKey& k : keys) {
    if (!has_value(k)) continue;
    EXPECT_TRUE(examples().count(k.path())) << k.path() << " has no example in keys_test.cpp";
  }
  for (const auto& [path, edit] : examples())
    EXPECT_TRUE(std::any_of(keys.begin(), keys.end(), [&](const TableKey& k) { return k.path() == path; }))
        << path << " is not in the key table";
}

// Each key changed alone: the loader reads it (into a field), the diff names it, the reload rule and the
// daemon's section follow the table.
TEST(ConfigKeys, EachKeyChangedAloneIsTheOnlyChangeTheDiffSees) {
  for (const auto& [path, edit] : examples()) {
    const std::string& base = base_for(path);
    AppConfig before = parse(base);
    std::string yaml = edited(base, edit);
    ASSERT_EQ(parse_error(yaml), "") << path << ":\n" << yaml;
    AppConfig after = parse(yaml);
    Keys expected = edit.changed.empty() ? Keys{path} : edit.changed;
    EXPECT_EQ(changed_keys(before, after), expected) << path;
    EXPECT_FALSE(before == after) << path;

    Keys restart;
    Keys sections;
    for (const std::string& key : expected) {
      if (kRestartKeys.count(key)) restart.push_back(key);
      std::string top = key.substr(0, key.find('.'));
      if (std::find(sections.begin(), sections.end(), top) == sections.end()) sections.push_back(top);
    }
    EXPECT_EQ(non_reloadable_differences(before, after), restart) << path;
    EXPECT_EQ(changed_sections(before, after), sections) << path;
  }
}

TEST(ConfigKeys, DefaultsInTheTableAreTheLoadersDefaults) {
  for (const TableKey& k : table_keys()) {
    if (k.key->default_text.empty()) continue;
    const std::string& base = base_for(k.path());
    std::string yaml = edited(base, {writable_path(k), std::string(k.key->default_text)});
    ASSERT_EQ(parse_error(yaml), "") << k.path();
    EXPECT_EQ(changed_keys(parse(base), parse(yaml)), Keys{}) << k.path() << " = " << k.key->default_text;
  }
}

TEST(ConfigKeys, RangesInTheTableAreEnforced) {
  for (const TableKey& k : table_keys()) {
    const std::string& base = base_for(k.path());
    auto error_for = [&](const std::string& value) {
      return parse_error(edited(base, {writable_path(k), value}));
    };
    if (k.key->type == KeyType::integer) {
      std::string range = "between " + std::to_string(k.key->min) + " and " + std::to_string(k.key->max);
      EXPECT_NE(error_for(std::to_string(k.key->max + 1)).find(k.path() + ": must be " + range),
                std::string::npos)
          << k.path();
      EXPECT_NE(error_for(std::to_string(k.key->min - 1)).find(k.path() + ": must be " + range),
                std::string::npos)
          << k.path();
    }
    if (k.key->type == KeyType::percent) {
      const std::string expected = k.path() + ": expected a percentage between " +
                                   std::to_string(k.key->min) + "% and " + std::to_string(k.key->max) + "%";
      for (const std::string& bad : {std::to_string(k.key->max + 1) + "%", std::to_string(k.key->min - 1),
                                     std::string("ten%"), std::string("20 %")})
        EXPECT_NE(error_for(bad).find(expected), std::string::npos) << k.path() << " = " << bad;
      EXPECT_EQ(error_for(std::to_string(k.key->max)), "") << k.path();
    }
    if (k.key->type == KeyType::duration && k.key->min > 0) {
      const std::chrono::milliseconds min{k.key->min};
      const std::string too_short =
          k.path() + (min.count() == 1 ? ": must be positive" : ": must be at least " + format_duration(min));
      std::string error = error_for(std::to_string(min.count() - 1) + "ms");
      EXPECT_NE(error.find(too_short), std::string::npos) << k.path() << ": " << error;
      EXPECT_EQ(error_for(std::to_string(min.count()) + "ms").find(too_short), std::string::npos) << k.path();
    }
  }
}

TEST(ConfigKeys, ATypoOfAnyKeyGetsItsSuggestion) {
  for (const TableKey& k : table_keys()) {
    const std::string& base = base_for(k.path());
    std::string typo = std::string(k.key->name) + "x";
    std::string path = writable_path(k);
    path = path.substr(0, path.size() - k.key->name.size()) + typo;
    std::string error = parse_error(edited(base, {path, "1"}));
    EXPECT_NE(error.find("unknown key \"" + typo + "\" (did you mean \"" + std::string(k.key->name) + "\"?)"),
              std::string::npos)
        << k.path() << ":\n"
        << error;
  }
}

TEST(ConfigKeys, AnUnknownKeyFarFromAnyListsTheSectionsKeys) {
  EXPECT_NE(parse_error(kBase + "logging: { colour: red }\n")
                .find("logging.colour: unknown key \"colour\" (expected one of level, format)"),
            std::string::npos);
}

TEST(ConfigKeys, UnknownSectionIsABug) {
  EXPECT_THROW(config_section("hubspot.nope"), std::logic_error);
}

}  // namespace
}  // namespace leadsync::config
