#pragma once
// Secrets (HubSpot token, OAuth client secret and refresh token, database DSN) are never in the YAML: the
// config names an environment variable or a file (e.g. a systemd credential), and resolve_secrets reads
// them. Values are held in Secret, which has no operator<< and no implicit conversion: the only way to
// the text is reveal(), so a secret cannot reach a log line by accident.
// resolve_secrets throws ConfigError naming the config key and the variable or file (never the value)
// when a source is missing, empty or unreadable. Files lose one trailing newline ("\n" or "\r\n").
// Thread-safety: process_env reads the process environment (std::getenv); do not call it while another
// thread modifies the environment. Secret is a plain value.
#include <functional>
#include <optional>
#include <string>

#include "leadsync/config/app_config.hpp"

namespace leadsync::config {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

struct OAuthSecrets {
  Secret client_secret;
  Secret refresh_token;
};

struct Secrets {
  std::optional<Secret> access_token;  // set when hubspot.access_token_env / access_token_file is used
  std::optional<OAuthSecrets> oauth;   // set when hubspot.oauth is used
  Secret database_dsn;                 // from database.dsn_env / dsn_file, or the inline database.dsn
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> process_env(const std::string& name);

Secrets resolve_secrets(const AppConfig& config, const EnvLookup& env = process_env);

}  // namespace leadsync::config
