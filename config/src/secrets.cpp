#include "leadsync/config/secrets.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "leadsync/config/config_error.hpp"

namespace leadsync::config {

namespace {

// A secret file is one value; anything bigger is the wrong file (or /dev/zero).
constexpr std::size_t kMaxSecretFileBytes = std::size_t{64} * 1024;

enum class Shape { single_line, any };

class Resolver {
 public:
  Resolver(const AppConfig& config, const EnvLookup& env) : config_(config), env_(env) {}

  // Reads from whichever of env/file is set; reports a problem under the key that names it.
  std::optional<Secret> read(const std::optional<std::string>& env_name, const std::string& env_key,
                             const std::optional<std::string>& file, const std::string& file_key,
                             Shape shape) {
    if (env_name) return from_env(*env_name, env_key, shape);
    if (file) return from_file(*file, file_key, shape);
    // parse_config guarantees a source; a hand-built AppConfig may not have one.
    fail(env_key, "no source configured (set " + env_key + " or " + file_key + ")");
    return std::nullopt;
  }

  void throw_if_failed() {
    if (!issues_.empty()) throw ConfigError(std::move(issues_));
  }

 private:
  std::optional<Secret> from_env(const std::string& name, const std::string& key, Shape shape) {
    std::optional<std::string> value = env_(name);
    if (!value) return fail(key, "environment variable " + name + " is not set");
    if (value->empty()) return fail(key, "environment variable " + name + " is empty");
    return checked(std::move(*value), key, "environment variable " + name, shape);
  }

  std::optional<Secret> from_file(const std::string& path, const std::string& key, Shape shape) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
      return fail(key, "cannot read " + path + ": it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(key, "cannot read " + path + ": " + std::strerror(errno));
    std::string value;
    value.resize(kMaxSecretFileBytes + 1);
    in.read(value.data(), static_cast<std::streamsize>(value.size()));
    if (in.bad()) return fail(key, "cannot read " + path + ": " + std::strerror(errno));
    value.resize(static_cast<std::size_t>(in.gcount()));
    if (value.size() > kMaxSecretFileBytes)
      return fail(key, "file " + path + " is larger than 64 KiB (expected a single secret)");
    // Editors and `echo` add a final newline; it is not part of the secret.
    if (value.ends_with("\r\n"))
      value.resize(value.size() - 2);
    else if (value.ends_with('\n'))
      value.pop_back();
    if (value.empty()) return fail(key, "file " + path + " is empty");
    return checked(std::move(value), key, "file " + path, shape);
  }

  // Tokens go into an HTTP header: a line break there would be header injection.
  std::optional<Secret> checked(std::string value, const std::string& key, const std::string& origin,
                                Shape shape) {
    if (shape == Shape::single_line && std::any_of(value.begin(), value.end(), [](char c) {
          auto u = static_cast<unsigned char>(c);
          return u < 0x20 || u == 0x7f;
        }))
      return fail(key,
                  "the value from " + origin + " contains a line break or control character (value hidden)");
    return Secret(std::move(value));
  }

  std::nullopt_t fail(const std::string& key, std::string message) {
    ConfigIssue issue;
    issue.file = config_.source_name;
    issue.key_path = key;
    issue.message = std::move(message);
    issues_.push_back(std::move(issue));
    return std::nullopt;
  }

  const AppConfig& config_;
  const EnvLookup& env_;
  std::vector<ConfigIssue> issues_;
};

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

Secrets resolve_secrets(const AppConfig& config, const EnvLookup& env) {
  Resolver r(config, env);
  Secrets secrets;
  const HubspotConfig& h = config.hubspot;
  if (h.oauth) {
    const OAuthConfig& o = *h.oauth;
    auto client_secret = r.read(o.client_secret_env, "hubspot.oauth.client_secret_env", o.client_secret_file,
                                "hubspot.oauth.client_secret_file", Shape::single_line);
    auto refresh_token = r.read(o.refresh_token_env, "hubspot.oauth.refresh_token_env", o.refresh_token_file,
                                "hubspot.oauth.refresh_token_file", Shape::single_line);
    if (client_secret && refresh_token) secrets.oauth = OAuthSecrets{*client_secret, *refresh_token};
  } else {
    secrets.access_token = r.read(h.access_token_env, "hubspot.access_token_env", h.access_token_file,
                                  "hubspot.access_token_file", Shape::single_line);
  }
  const DatabaseConfig& d = config.database;
  if (d.dsn) {
    secrets.database_dsn = Secret(*d.dsn);
  } else if (auto dsn = r.read(d.dsn_env, "database.dsn_env", d.dsn_file, "database.dsn_file", Shape::any)) {
    secrets.database_dsn = std::move(*dsn);
  }
  r.throw_if_failed();
  return secrets;
}

}  // namespace leadsync::config
