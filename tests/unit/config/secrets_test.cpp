// resolve_secrets: values come from the environment or files named in the config; failures name the key
// and the variable or file, never the value.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
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

  // Secret files are written as an operator should: readable by their owner only.
  std::string write_file(const std::string& name, const std::string& content,
                         fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    fs::permissions(p, perms);
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

// The webhooks client secret is read only when the receiver is enabled, like any other secret.
TEST_F(ConfigSecrets, WebhookClientSecretFromEnvironmentOrFile) {
  const std::string yaml = std::string(kMinimal) + R"(webhooks:
  enabled: true
  public_url: https://leadsync.example.com/hubspot/webhooks
  portal_id: 12345678
  client_secret_env: HS_WEBHOOK_SECRET
)";
  AppConfig c = parse(yaml);
  env_ = {{"HUBSPOT_ACCESS_TOKEN", kToken},
          {"LEADSYNC_DATABASE_URL", "dbname=leads"},
          {"HS_WEBHOOK_SECRET", "wh-5ecret-value"}};
  Secrets s = resolve_secrets(c, env());
  ASSERT_TRUE(s.webhook_client_secret);
  EXPECT_EQ(s.webhook_client_secret->reveal(), "wh-5ecret-value");

  env_.erase("HS_WEBHOOK_SECRET");
  EXPECT_NE(
      resolve_error(c).find("webhooks.client_secret_env: environment variable HS_WEBHOOK_SECRET is not set"),
      std::string::npos)
      << resolve_error(c);

  c.webhooks.client_secret_env.reset();
  c.webhooks.client_secret_file = write_file("wh-secret", "wh-5ecret\nsecond line\n");
  const std::string error = resolve_error(c);
  EXPECT_NE(error.find("webhooks.client_secret_file"), std::string::npos) << error;
  EXPECT_EQ(error.find("wh-5ecret"), std::string::npos) << error;

  c.webhooks.enabled = false;
  EXPECT_FALSE(resolve_secrets(c, env()).webhook_client_secret) << "not read while disabled";
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

// Every file-based secret: a group- or world-readable file is refused with the mode to use, whatever key
// names it, and the value never shows.
TEST_F(ConfigSecrets, SecretFilesReadableByOthersAreRefusedWithTheModeToUse) {
  const fs::perms world_readable =
      fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
  AppConfig c = parse(R"(hubspot:
  oauth: { client_id: app, client_secret_file: /placeholder, refresh_token_file: /placeholder }
database: { dsn_file: /placeholder }
mappings: [ { property: hs_lead_name, column: lead_name } ]
)");
  c.hubspot.oauth->client_secret_file = write_file("client-secret", "client-5ecret\n", world_readable);
  c.hubspot.oauth->refresh_token_file = write_file("refresh", "refresh-5ecret\n", world_readable);
  c.database.dsn_file = write_file("dsn", "dbname=leads password=5ecret\n", world_readable);
  std::string error = resolve_error(c);
  for (const char* key :
       {"hubspot.oauth.client_secret_file", "hubspot.oauth.refresh_token_file", "database.dsn_file"})
    EXPECT_NE(error.find(std::string(key) + ": file "), std::string::npos) << key << "\n" << error;
  EXPECT_NE(error.find("is accessible to every user (mode 0644); a secret file must be readable by leadsync "
                       "only: chmod 600 " +
                       *c.database.dsn_file),
            std::string::npos)
      << error;
  EXPECT_EQ(error.find("5ecret"), std::string::npos) << error;

  AppConfig t = parse(kMinimal);
  t.hubspot.access_token_env.reset();
  t.hubspot.access_token_file = write_file("token", kToken, world_readable);
  env_ = {{"LEADSYNC_DATABASE_URL", "dbname=leads"}};
  EXPECT_NE(resolve_error(t).find("hubspot.access_token_file: file " + *t.hubspot.access_token_file +
                                  " is accessible to every user"),
            std::string::npos)
      << resolve_error(t);
}

TEST_F(ConfigSecrets, GroupReadableSecretFileNeedsTheServicesGroup) {
  AppConfig c = parse(kMinimal);
  c.hubspot.access_token_env.reset();
  c.hubspot.access_token_file =
      write_file("token", kToken, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  env_ = {{"LEADSYNC_DATABASE_URL", "dbname=leads"}};
  // The file's group is the test's own group: what root:leadsync 0640 is for the service.
  ASSERT_EQ(resolve_error(c), "");

  // Another group: only root can hand a file to a group it is not in.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chgrp the file (the rule itself: SecretFileModeRules)";
  const gid_t other = ::getegid() + 4242;
  ASSERT_EQ(::chown(c.hubspot.access_token_file->c_str(), static_cast<uid_t>(-1), other), 0);
  std::string error = resolve_error(c);
  EXPECT_NE(error.find("is accessible to group"), std::string::npos) << error;
  EXPECT_NE(error.find("which is not leadsync's group"), std::string::npos) << error;
  EXPECT_EQ(error.find("5ecret"), std::string::npos) << error;
}

using Tag = SecretFileAccess::AclEntry::Tag;

std::optional<std::string> mode_problem(unsigned mode, unsigned file_gid, unsigned service_gid) {
  return secret_file_access_problem("/s", SecretFileAccess{mode, file_gid, {}}, 1000, service_gid);
}

TEST(SecretFileAccessRules, OwnerOnlyOrTheServicesGroup) {
  EXPECT_EQ(mode_problem(0600, 10, 20), std::nullopt);
  EXPECT_EQ(mode_problem(0400, 10, 20), std::nullopt);
  EXPECT_EQ(mode_problem(0640, 20, 20), std::nullopt);
  EXPECT_EQ(mode_problem(0440, 20, 20), std::nullopt);
  EXPECT_NE(mode_problem(0640, 10, 20), std::nullopt);
  EXPECT_NE(mode_problem(0620, 10, 20), std::nullopt);  // the group may replace it
  EXPECT_NE(mode_problem(0604, 20, 20), std::nullopt);
  EXPECT_NE(mode_problem(0602, 20, 20), std::nullopt);  // anybody may replace it
  EXPECT_NE(mode_problem(0644, 20, 20), std::nullopt);
  EXPECT_NE(mode_problem(0644, 20, 20)->find("chmod 600 /s"), std::string::npos);
  EXPECT_NE(mode_problem(0640, 10, 20)->find("chmod 600 /s, or chgrp"), std::string::npos);
}

// systemd's LoadCredential= on tmpfs: root:root, mode 0440 where the group bits are the ACL mask, and an
// ACL entry for the service's user. Only the service can read it.
SecretFileAccess systemd_credential() {
  return SecretFileAccess{0440,
                          0,
                          {{Tag::user_obj, true, false, 0},
                           {Tag::user, true, false, 1000},
                           {Tag::group_obj, false, false, 0},
                           {Tag::mask, true, false, 0},
                           {Tag::other, false, false, 0}}};
}

TEST(SecretFileAccessRules, AclEntriesForOthersAreRefusedAndTheMaskIsHonoured) {
  EXPECT_EQ(secret_file_access_problem("/s", systemd_credential(), 1000, 20), std::nullopt);

  SecretFileAccess other_user = systemd_credential();
  other_user.acl[1].id = 1001;
  ASSERT_NE(secret_file_access_problem("/s", other_user, 1000, 20), std::nullopt);
  EXPECT_NE(secret_file_access_problem("/s", other_user, 1000, 20)->find("ACL entry for user 1001"),
            std::string::npos);

  SecretFileAccess group_can_read = systemd_credential();
  group_can_read.acl[2].read = true;  // the owning group (root) reads through the mask
  EXPECT_NE(secret_file_access_problem("/s", group_can_read, 1000, 20), std::nullopt);
  EXPECT_EQ(secret_file_access_problem("/s", group_can_read, 1000, 0), std::nullopt);

  SecretFileAccess masked = other_user;
  masked.acl[3].read = false;  // the mask takes the named user's read right away
  masked.mode = 0400;
  EXPECT_EQ(secret_file_access_problem("/s", masked, 1000, 20), std::nullopt);

  SecretFileAccess named_group = systemd_credential();
  named_group.acl.insert(named_group.acl.begin() + 3, {Tag::group, true, false, 33});
  EXPECT_NE(secret_file_access_problem("/s", named_group, 1000, 20), std::nullopt);
}

// The ACL is read from the file itself (its xattr), not only from the mode.
TEST_F(ConfigSecrets, AnAclGrantingAnotherUserIsRefused) {
  AppConfig c = parse(kMinimal);
  c.hubspot.access_token_env.reset();
  c.hubspot.access_token_file = write_file("token", kToken);
  env_ = {{"LEADSYNC_DATABASE_URL", "dbname=leads"}};
  ASSERT_EQ(resolve_error(c), "");
  // user_obj rw, user:(euid+4242) r, group_obj none, mask r, other none: what `setfacl -m u:N:r` writes.
  const unsigned other = ::geteuid() + 4242;
  auto entry = [](unsigned tag, unsigned perm, unsigned id) {
    return std::string{static_cast<char>(tag),
                       0,
                       static_cast<char>(perm),
                       0,
                       static_cast<char>(id & 0xff),
                       static_cast<char>((id >> 8) & 0xff),
                       static_cast<char>((id >> 16) & 0xff),
                       static_cast<char>(id >> 24)};
  };
  std::string acl = std::string{2, 0, 0, 0} + entry(0x01, 6, 0xffffffffu) + entry(0x02, 4, other) +
                    entry(0x04, 0, 0xffffffffu) + entry(0x10, 4, 0xffffffffu) + entry(0x20, 0, 0xffffffffu);
  if (::setxattr(c.hubspot.access_token_file->c_str(), "system.posix_acl_access", acl.data(), acl.size(),
                 0) != 0)
    GTEST_SKIP() << "no POSIX ACLs on " << dir_ << ": " << std::strerror(errno);
  std::string error = resolve_error(c);
  EXPECT_NE(error.find("has an ACL entry for user " + std::to_string(other)), std::string::npos) << error;
}

// The variable is wiped and unset once read, so a child process or /proc/PID/environ cannot show it, and
// later reads (a SIGHUP reload) get the value read the first time.
TEST(ConfigProcessEnv, TakesTheVariableOutOfTheEnvironment) {
  static char entry[] = "LEADSYNC_CONFIG_TEST_VARIABLE=value-1";
  ASSERT_EQ(::putenv(entry), 0);
  EXPECT_EQ(process_env("LEADSYNC_CONFIG_TEST_VARIABLE"), "value-1");
  EXPECT_EQ(std::getenv("LEADSYNC_CONFIG_TEST_VARIABLE"), nullptr);
  const char* value = entry + std::strlen("LEADSYNC_CONFIG_TEST_VARIABLE=");
  EXPECT_TRUE(std::all_of(value, value + 7, [](char c) { return c == '\0'; })) << "the bytes were left";
  EXPECT_EQ(process_env("LEADSYNC_CONFIG_TEST_VARIABLE"), "value-1");
  EXPECT_EQ(process_env("LEADSYNC_CONFIG_TEST_UNSET_VARIABLE"), std::nullopt);
}

TEST(ConfigProcessEnv, ResolvingSecretsTwiceFromTheEnvironmentGivesTheSameValues) {
  ::setenv("LEADSYNC_CONFIG_TEST_TOKEN", kToken, 1);
  ::setenv("LEADSYNC_CONFIG_TEST_DSN", "dbname=leads", 1);
  AppConfig c = parse(R"(hubspot: { access_token_env: LEADSYNC_CONFIG_TEST_TOKEN }
database: { dsn_env: LEADSYNC_CONFIG_TEST_DSN }
mappings: [ { property: hs_lead_name, column: lead_name } ]
)");
  Secrets first = resolve_secrets(c);
  EXPECT_EQ(std::getenv("LEADSYNC_CONFIG_TEST_TOKEN"), nullptr);
  EXPECT_EQ(std::getenv("LEADSYNC_CONFIG_TEST_DSN"), nullptr);
  Secrets again = resolve_secrets(c);
  ASSERT_TRUE(again.access_token);
  EXPECT_EQ(again.access_token->reveal(), kToken);
  EXPECT_EQ(again.database_dsn, first.database_dsn);
}

}  // namespace
}  // namespace leadsync::config
