#pragma once
// Secrets (HubSpot token, OAuth client secret and refresh token, database DSN) are never in the YAML: the
// config names an environment variable or a file (e.g. a systemd credential), and resolve_secrets reads
// them. Values are held in Secret, which has no operator<< and no implicit conversion: the only way to
// the text is reveal(), so a secret cannot reach a log line by accident.
// resolve_secrets throws ConfigError naming the config key and the variable or file (never the value)
// when a source is missing, empty or unreadable. Files lose one trailing newline ("\n" or "\r\n").
// Secret files must not be readable by other users: a regular file with any permission for "others" is
// refused, and so is one with group permissions unless its group is the process's own group (the
// service's, e.g. root:leadsync 0640), or one whose ACL lets another user or group in; mode 0600 or 0400
// owned by the service's user always passes, and so do systemd's LoadCredential= copies.
// Environment variables are taken, not just read (process_env): the value is wiped from the environment
// block and unset, so child processes, /proc/PID/environ and a core dump do not carry it, and it is
// remembered for the rest of the process. A reload (SIGHUP) therefore sees the value read at start, as it
// would anyway (a running process's environment cannot be changed from outside): changing a secret held
// in the environment needs a restart; one held in a file is re-read on every reload.
// Thread-safety: process_env changes the process environment under a lock of its own; do not call getenv
// from another thread meanwhile. Secret is a plain value.
#include <functional>
#include <optional>
#include <string>
#include <vector>

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
  std::optional<Secret> webhook_client_secret;  // set when webhooks.enabled
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
// Takes NAME from the process environment (see above); later calls for the same name return the value
// taken the first time.
std::optional<std::string> process_env(const std::string& name);

// Who may read a secret file: its mode, owner and group, and its POSIX access ACL when it has one (systemd
// hands LoadCredential= files to the service through an ACL entry on tmpfs, which makes the mode's group
// bits the ACL mask).
struct SecretFileAccess {
  unsigned mode = 0;  // st_mode permission bits
  unsigned gid = 0;   // the file's group
  struct AclEntry {
    enum class Tag { user_obj, user, group_obj, group, mask, other } tag;
    bool read = false;
    bool write = false;
    unsigned id = 0;  // uid for user, gid for group
  };
  std::vector<AclEntry> acl;  // empty: no ACL, the mode says it all
};
// Why a secret file with this access is refused (what to run instead), or nullopt when it is fine: nobody
// but the service's user and group (service_uid, service_gid: the process's own) may read or write it.
std::optional<std::string> secret_file_access_problem(const std::string& path, const SecretFileAccess& access,
                                                      unsigned service_uid, unsigned service_gid);

Secrets resolve_secrets(const AppConfig& config, const EnvLookup& env = process_env);

}  // namespace leadsync::config
