// resolve_secrets: values come from the environment or files named in the config; failures name the key
// and the variable or file, never the value.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <random>
#include <type_traits>

#include "leadsync/config/secrets.hpp"
#include "test_util.hpp"

namespace leadsync::config {
namespace {

namespace fs = std::filesystem;
using testing::kMinimal;
using testing::parse;

// A secret cannot be streamed or converted by accident: reveal() is the only way to the text.
template <typename T>
concept Streamable = requires(std::ostream& os, const T& t) {
  os << t;
};
static_assert(!Streamable<Secret>);
static_assert(!std::is_convertible_v<Secret, std::string>);
static_assert(!std::is_convertible_v<std::string, Secret>);

constexpr const char* kToken = "pat-na1-5ecret-t0ken";

class ConfigSecrets : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("leadsync-config-secrets-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_file(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

  EnvLookup env() const {
    return [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }

  // what() of resolve_secrets' ConfigError, "" when it succeeds.
  std::string resolve_error(const AppConfig& c) {
    try {
      resolve_secrets(c, env());
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(ConfigSecrets, ReadsTokenAndDsnFromTheEnvironment) {
  env_ = {{"HUBSPOT_ACCESS_TOKEN", kToken}, {"LEADSYNC_DATABASE_URL", "dbname=leads password=pw"}};
  Secrets s = resolve_secrets(parse(kMinimal), env());
  ASSERT_TRUE(s.access_token);
  EXPECT_EQ(s.access_token->reveal(), kToken);
  EXPECT_EQ(s.database_dsn.reveal(), "dbname=leads password=pw");
  EXPECT_FALSE(s.oauth);
}

TEST_F(ConfigSecrets, MissingEnvironmentVariableNamesKeyAndVariable) {
  env_ = {{"LEADSYNC_DATABASE_URL", "dbname=leads"}};
  EXPECT_EQ(resolve_error(parse(kMinimal)),
            "test.yaml: hubspot.access_token_env: environment variable HUBSPOT_ACCESS_TOKEN is not set");
}

TEST_F(ConfigSecrets, EmptyEnvironmentVariableIsAnError) {
  env_ = {{"HUBSPOT_ACCESS_TOKEN", ""}, {"LEADSYNC_DATABASE_URL", "dbname=leads"}};
  EXPECT_EQ(resolve_error(parse(kMinimal)),
            "test.yaml: hubspot.access_token_env: environment variable HUBSPOT_ACCESS_TOKEN is empty");
}

TEST_F(ConfigSecrets, EveryMissingSecretIsReported) {
  try {
    resolve_secrets(parse(kMinimal), env());
    FAIL() << "resolved without any environment";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.issues().size(), 2u) << e.what();
    EXPECT_EQ(e.issues()[0].key_path, "hubspot.access_token_env");
    EXPECT_EQ(e.issues()[1].key_path, "database.dsn_env");
  }
}

TEST_F(ConfigSecrets, FilesLoseOneTrailingNewline) {
  AppConfig c = parse(kMinimal);
  c.hubspot.access_token_env.reset();
  c.hubspot.access_token_file = write_file("token", std::string(kToken) + "\r\n");
  c.database.dsn_env.reset();
  c.database.dsn_file = write_file("dsn", "dbname=leads\n\n");
  Secrets s = resolve_secrets(c, env());
  EXPECT_EQ(s.access_token->reveal(), kToken);
  EXPECT_EQ(s.database_dsn.reveal(), "dbname=leads\n");

  c.hubspot.access_token_file = write_file("token2", kToken);
  EXPECT_EQ(resolve_secrets(c, env()).access_token->reveal(), kToken);
}

TEST_F(ConfigSecrets, MissingFileNamesKeyAndPath) {
  AppConfig c = parse(kMinimal);
  c.hubspot.access_token_env.reset();
  c.hubspot.access_token_file = (dir_ / "absent").string();
  env_ = {{"LEADSYNC_DATABASE_URL", "dbname=leads"}};
  EXPECT_EQ(resolve_error(c), "test.yaml: hubspot.access_token_file: cannot read " +
                                  (dir_ / "absent").string() + ": No such file or directory");
}

TEST_F(ConfigSecrets, EmptyFileIsAnError) {
  AppConfig c = parse(kMinimal);
  c.database.dsn_env.reset();
  c.database.dsn_file = write_file("dsn", "\n");
  env_ = {{"HUBSPOT_ACCESS_TOKEN", kToken}};
  EXPECT_EQ(resolve_error(c), "test.yaml: database.dsn_file: file " + *c.database.dsn_file + " is empty");
}

TEST_F(ConfigSecrets, DirectoryInsteadOfFileIsAnError) {
  AppConfig c = parse(kMinimal);
  c.database.dsn_env.reset();
  c.database.dsn_file = dir_.string();
  env_ = {{"HUBSPOT_ACCESS_TOKEN", kToken}};
  EXPECT_NE(resolve_error(c).find("it is a directory"), std::string::npos);
}

TEST_F(ConfigSecrets, OversizedFileIsRefused) {
  AppConfig c = parse(kMinimal);
  c.database.dsn_env.reset();
  c.database.dsn_file = write_file("big", std::string(70 * 1024, 'x'));
  env_ = {{"HUBSPOT_ACCESS_TOKEN", kToken}};
  EXPECT_NE(resolve_error(c).find("larger than 64 KiB"), std::string::npos);
}

// A token goes into an Authorization header; a line break in it must be refused without showing it.
TEST_F(ConfigSecrets, TokenWithLineBreakIsRefusedWithoutEchoingIt) {
  AppConfig c = parse(kMinimal);
  env_ = {{"HUBSPOT_ACCESS_TOKEN", std::string(kToken) + "\r\nX-Injected: 1"},
          {"LEADSYNC_DATABASE_URL", "db"}};
  std::string error = resolve_error(c);
  EXPECT_NE(error.find("hubspot.access_token_env: the value from environment variable HUBSPOT_ACCESS_TOKEN "
                       "contains a line break or control character (value hidden)"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.find("5ecret"), std::string::npos) << error;
  EXPECT_EQ(error.find("Injected"), std::string::npos) << error;

  c.hubspot.access_token_env.reset();
  c.hubspot.access_token_file = write_file("token", std::string(kToken) + "\n\n");
  error = resolve_error(c);
  EXPECT_NE(error.find("contains a line break"), std::string::npos) << error;
  EXPECT_EQ(error.find("5ecret"), std::string::npos) << error;
}

TEST_F(ConfigSecrets, OAuthSecretsFromEnvironmentAndFile) {
  AppConfig c = parse(R"(hubspot:
  oauth:
    client_id: my-app
    client_secret_env: HS_CLIENT_SECRET
    refresh_token_file: /placeholder
database: { dsn: "dbname=leads" }
mappings: [ { property: hs_lead_name, column: lead_name } ]
)");
  c.hubspot.oauth->refresh_token_file = write_file("refresh", "refresh-abc\n");
  env_ = {{"HS_CLIENT_SECRET", "client-xyz"}};
  Secrets s = resolve_secrets(c, env());
  EXPECT_FALSE(s.access_token);
  ASSERT_TRUE(s.oauth);
  EXPECT_EQ(s.oauth->client_secret.reveal(), "client-xyz");
  EXPECT_EQ(s.oauth->refresh_token.reveal(), "refresh-abc");
  EXPECT_EQ(s.database_dsn.reveal(), "dbname=leads");

  env_.clear();
  EXPECT_EQ(resolve_error(c),
            "test.yaml: hubspot.oauth.client_secret_env: environment variable HS_CLIENT_SECRET is not set");
}

TEST_F(ConfigSecrets, ErrorsNeverContainSecretValues) {
  // Every failure path with a value present, each checked for the value.
  AppConfig c = parse(kMinimal);
  c.database.dsn_env.reset();
  c.database.dsn_file = write_file("dsn", std::string(70 * 1024, 'S'));
  env_ = {{"HUBSPOT_ACCESS_TOKEN", std::string(kToken) + "\x01"}};
  std::string error = resolve_error(c);
  ASSERT_FALSE(error.empty());
  EXPECT_EQ(error.find(kToken), std::string::npos) << error;
  EXPECT_EQ(error.find("SSSS"), std::string::npos) << error;
}

TEST(ConfigProcessEnv, ReadsTheProcessEnvironment) {
  ::setenv("LEADSYNC_CONFIG_TEST_VARIABLE", "value-1", 1);
  EXPECT_EQ(process_env("LEADSYNC_CONFIG_TEST_VARIABLE"), "value-1");
  ::unsetenv("LEADSYNC_CONFIG_TEST_VARIABLE");
  EXPECT_EQ(process_env("LEADSYNC_CONFIG_TEST_VARIABLE"), std::nullopt);
}

}  // namespace
}  // namespace leadsync::config
