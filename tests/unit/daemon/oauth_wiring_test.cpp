// The OAuth token endpoint per API version, and keeping a rotated refresh token in its file.
#include "oauth_wiring.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "exit_codes.hpp"

namespace leadsync::daemon {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "leadsync-oauth-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    ::chmod(path.c_str(), 0700);
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    return out;
  }
};

TEST(OAuthOptionsFromConfig, UseTheDateVersionedTokenEndpointUnlessTokenPathIsSet) {
  config::OAuthConfig oauth;
  oauth.client_id = "cid-1";
  oauth.refresh_token_file = "/var/lib/leadsync/refresh-token";
  const config::OAuthSecrets secrets{config::Secret("cs-1"), config::Secret("rt-1")};
  const auto o = oauth_options(oauth, secrets);
  EXPECT_EQ(o.token_path, "/oauth/2026-03/token");
  EXPECT_EQ(o.refresh_token, "rt-1");
  EXPECT_EQ(o.refresh_token_source, "the file /var/lib/leadsync/refresh-token");
  EXPECT_TRUE(o.on_refresh_token_rotated);
  oauth.token_path = "/custom/token";
  EXPECT_EQ(oauth_options(oauth, secrets).token_path, "/custom/token");
}

TEST(RefreshTokenFile, IsReplacedAtomicallyWithMode0600AndNoTemporaryLeft) {
  TempDir dir;
  const fs::path file = dir.path / "refresh-token";
  { std::ofstream(file) << "rt-old\n"; }
  ::chmod(file.c_str(), 0600);
  write_secret_file_atomically(file, "rt-new-1");
  EXPECT_EQ(read_all(file), "rt-new-1\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"refresh-token"});
}

TEST(RefreshTokenFile, AnUnwritableDirectoryLeavesTheOldFileAndSaysWhy) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes anywhere";
  TempDir dir;
  const fs::path file = dir.path / "refresh-token";
  { std::ofstream(file) << "rt-old\n"; }
  ::chmod(dir.path.c_str(), 0500);
  try {
    write_secret_file_atomically(file, "rt-new-1");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("rt-new-1"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_all(file), "rt-old\n");
  config::OAuthConfig oauth;
  oauth.refresh_token_file = file.string();
  EXPECT_EQ(keep_refresh_token(oauth, "rt-new-1"), RefreshTokenKept::not_kept);
  ::chmod(dir.path.c_str(), 0700);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"refresh-token"});
}

// Root writes into any directory; a name so long that the temporary file's name (".NAME.XXXXXX") exceeds
// NAME_MAX fails the same way for every user: the file can be read but not replaced.
TEST(RefreshTokenFile, AFileThatCannotBeReplacedIsLeftAsItWasAndNotKept) {
  TempDir dir;
  const fs::path file = dir.path / std::string(250, 'r');
  { std::ofstream(file) << "rt-old\n"; }
  ASSERT_EQ(read_all(file), "rt-old\n");
  try {
    write_secret_file_atomically(file, "rt-new-1");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot create a temporary file next to"), std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find("rt-new-1"), std::string::npos) << e.what();
  }
  config::OAuthConfig oauth;
  oauth.refresh_token_file = file.string();
  EXPECT_EQ(keep_refresh_token(oauth, "rt-new-1"), RefreshTokenKept::not_kept);
  EXPECT_EQ(read_all(file), "rt-old\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{file.filename().string()});
}

TEST(RefreshTokenFile, FromTheEnvironmentARotationIsNotKept) {
  config::OAuthConfig oauth;
  oauth.refresh_token_env = "HUBSPOT_REFRESH_TOKEN";
  EXPECT_EQ(keep_refresh_token(oauth, "rt-new-1"), RefreshTokenKept::not_kept);
  oauth.refresh_token_env.reset();
  TempDir dir;
  oauth.refresh_token_file = (dir.path / "refresh-token").string();
  EXPECT_EQ(keep_refresh_token(oauth, "rt-new-2"), RefreshTokenKept::written_to_file);
  EXPECT_EQ(read_all(*oauth.refresh_token_file), "rt-new-2\n");
}

TEST(ExitCodesOAuth, ARevokedRefreshTokenStopsTheDaemonWithSixtyNine) {
  core::ErrorDetails revoked{.http_status = 400};
  revoked.cause = core::FatalCause::credentials_revoked;
  const auto e = core::fatal_error("HubSpot refused the OAuth refresh token", revoked);
  EXPECT_EQ(exit_code_for(e), kExitUnavailable);
  EXPECT_TRUE(stops_the_daemon(e));
  // Other refusals keep the daemon retrying (a reload may fix them).
  EXPECT_FALSE(stops_the_daemon(core::fatal_error("401", core::ErrorDetails{.http_status = 401})));
  EXPECT_FALSE(stops_the_daemon(core::transient_error("503", revoked)));
}

}  // namespace
}  // namespace leadsync::daemon
