#include "oauth_wiring.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace leadsync::daemon {

namespace {

std::string system_error_text(const std::string& what, const std::filesystem::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

// Closes a descriptor and removes the temporary file unless the rename went through.
struct TempFile {
  int fd = -1;
  std::string path;
  bool renamed = false;
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    if (!renamed && !path.empty()) ::unlink(path.c_str());
  }
};

std::string where_it_is(const config::OAuthConfig& oauth) {
  if (oauth.refresh_token_file) return "the file " + *oauth.refresh_token_file;
  if (oauth.refresh_token_env) return "the environment variable " + *oauth.refresh_token_env;
  return "leadsync's configuration";
}

}  // namespace

void write_secret_file_atomically(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  TempFile tmp;
  std::string pattern = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  tmp.fd = ::mkstemp(pattern.data());  // created 0600, whatever the umask
  if (tmp.fd < 0) throw std::runtime_error(system_error_text("cannot create a temporary file next to", path));
  tmp.path = pattern;
  if (::fchmod(tmp.fd, S_IRUSR | S_IWUSR) != 0)
    throw std::runtime_error(system_error_text("cannot set mode 0600 on a temporary file next to", path));
  const std::string data = content + "\n";
  for (std::size_t done = 0; done < data.size();) {
    const ssize_t n = ::write(tmp.fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(system_error_text("cannot write a temporary file next to", path));
    done += static_cast<std::size_t>(n);
  }
  // The data must be on disk before the rename makes it the file: a crash must leave the old or the new one.
  if (::fsync(tmp.fd) != 0)
    throw std::runtime_error(system_error_text("cannot sync a temporary file next to", path));
  ::close(tmp.fd);
  tmp.fd = -1;
  if (::rename(tmp.path.c_str(), path.c_str()) != 0)
    throw std::runtime_error(system_error_text("cannot replace", path));
  tmp.renamed = true;
  if (int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);  // makes the rename itself durable; a failure here leaves a valid file either way
    ::close(dfd);
  }
}

RefreshTokenKept keep_refresh_token(const config::OAuthConfig& oauth, const std::string& refresh_token) {
  const std::string where = where_it_is(oauth);
  if (oauth.refresh_token_file) {
    try {
      write_secret_file_atomically(*oauth.refresh_token_file, refresh_token);
      spdlog::info("HubSpot rotated the OAuth refresh token; the new one was written to {}",
                   *oauth.refresh_token_file);
      return RefreshTokenKept::written_to_file;
    } catch (const std::exception& e) {
      spdlog::error(
          "HubSpot rotated the OAuth refresh token and leadsync could not write the new one to {} ({}). The "
          "token in that file no longer works: leadsync goes on with the new one in memory, but the next "
          "start "
          "will fail. Make the file and its directory writable by leadsync (e.g. a file under "
          "/var/lib/leadsync), or re-authorize the app and put the new refresh token in the file, before the "
          "next restart",
          *oauth.refresh_token_file, e.what());
      return RefreshTokenKept::not_kept;
    }
  }
  spdlog::error(
      "HubSpot rotated the OAuth refresh token: the one in {} no longer works. leadsync goes on with the new "
      "one in memory (it is never logged), but the next start will fail. Set "
      "hubspot.oauth.refresh_token_file "
      "to a file leadsync can write so rotated tokens are kept, or re-authorize the app and update {} before "
      "the next restart",
      where, where);
  return RefreshTokenKept::not_kept;
}

hubspot::OAuthOptions oauth_options(const config::OAuthConfig& oauth, const config::OAuthSecrets& secrets) {
  hubspot::OAuthOptions o;
  o.client_id = oauth.client_id;
  o.client_secret = secrets.client_secret.reveal();
  o.refresh_token = secrets.refresh_token.reveal();
  if (oauth.token_path) o.token_path = *oauth.token_path;
  o.refresh_token_source = where_it_is(oauth);
  o.on_refresh_token_rotated = [oauth](const std::string& token) { keep_refresh_token(oauth, token); };
  return o;
}

}  // namespace leadsync::daemon
