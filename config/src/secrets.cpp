#include "leadsync/config/secrets.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "leadsync/config/config_error.hpp"

namespace leadsync::config {

namespace {

// A secret file is one value; anything bigger is the wrong file (or /dev/zero).
constexpr std::size_t kMaxSecretFileBytes = std::size_t{64} * 1024;

enum class Shape { single_line, any };

// The file's POSIX access ACL from its xattr (the kernel's format: a little-endian version 2 header, then
// 8-byte entries tag/perm/id), so that no libacl is needed. Empty when the file has none.
std::vector<SecretFileAccess::AclEntry> read_access_acl(int fd) {
  using Tag = SecretFileAccess::AclEntry::Tag;
  const ssize_t size = ::fgetxattr(fd, "system.posix_acl_access", nullptr, 0);
  if (size < 4) return {};
  std::vector<unsigned char> buf(static_cast<std::size_t>(size));
  const ssize_t n = ::fgetxattr(fd, "system.posix_acl_access", buf.data(), buf.size());
  if (n < 4) return {};
  auto u16 = [&](std::size_t at) { return static_cast<unsigned>(buf[at] | (buf[at + 1] << 8)); };
  auto u32 = [&](std::size_t at) { return u16(at) | (u16(at + 2) << 16); };
  if (u32(0) != 2) return {};
  std::vector<SecretFileAccess::AclEntry> out;
  for (std::size_t at = 4; at + 8 <= static_cast<std::size_t>(n); at += 8) {
    SecretFileAccess::AclEntry e{};
    switch (u16(at)) {
      case 0x01:
        e.tag = Tag::user_obj;
        break;
      case 0x02:
        e.tag = Tag::user;
        break;
      case 0x04:
        e.tag = Tag::group_obj;
        break;
      case 0x08:
        e.tag = Tag::group;
        break;
      case 0x10:
        e.tag = Tag::mask;
        break;
      case 0x20:
        e.tag = Tag::other;
        break;
      default:
        continue;
    }
    e.read = u16(at + 2) & 4;
    e.write = u16(at + 2) & 2;
    e.id = u32(at + 4);
    out.push_back(e);
  }
  return out;
}

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
    // One descriptor for the checks and the read: the file checked is the file read.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return fail(key, "cannot read " + path + ": " + std::strerror(errno));
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail(key, "cannot read " + path + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) return fail(key, "cannot read " + path + ": it is a directory");
    // Pipes and /dev/fd/N (a secret handed over by a parent) have no meaningful permissions to check.
    if (S_ISREG(st.st_mode)) {
      SecretFileAccess access{st.st_mode & 07777, st.st_gid, read_access_acl(fd)};
      if (auto problem = secret_file_access_problem(path, access, ::geteuid(), ::getegid()))
        return fail(key, std::move(*problem));
    }
    std::string value;
    value.resize(kMaxSecretFileBytes + 1);
    std::size_t size = 0;
    while (size < value.size()) {
      const ssize_t n = ::read(fd, value.data() + size, value.size() - size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail(key, "cannot read " + path + ": " + std::strerror(errno));
      if (n == 0) break;
      size += static_cast<std::size_t>(n);
    }
    value.resize(size);
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

std::string octal_mode(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

std::string group_text(unsigned gid) {
  std::string text = "gid " + std::to_string(gid);
  if (const struct group* g = ::getgrgid(static_cast<gid_t>(gid)))
    text = std::string(g->gr_name) + " (" + text + ")";
  return text;
}

}  // namespace

std::optional<std::string> secret_file_access_problem(const std::string& path, const SecretFileAccess& access,
                                                      unsigned service_uid, unsigned service_gid) {
  using Tag = SecretFileAccess::AclEntry::Tag;
  const std::string mode = " (mode " + octal_mode(access.mode) + ")";
  const std::string fix = "chmod 600 " + path +
                          " (or chmod 640 with the file's group set to leadsync's group, " +
                          group_text(service_gid) + ")";
  if (access.mode & S_IRWXO)
    return "file " + path + " is accessible to every user" + mode +
           "; a secret file must be readable by leadsync only: " + fix;
  if (access.acl.empty()) {
    if ((access.mode & S_IRWXG) && access.gid != service_gid)
      return "file " + path + " is accessible to group " + group_text(access.gid) + mode +
             ", which is not leadsync's group (" + group_text(service_gid) + "): chmod 600 " + path +
             ", or chgrp it to leadsync's group";
    return std::nullopt;
  }
  // With an ACL, named entries and the owning group are limited by the mask.
  bool mask_read = true, mask_write = true;
  for (const auto& e : access.acl)
    if (e.tag == Tag::mask) {
      mask_read = e.read;
      mask_write = e.write;
    }
  for (const auto& e : access.acl) {
    const bool effective = (e.read && mask_read) || (e.write && mask_write);
    if (!effective) continue;
    if (e.tag == Tag::user && e.id != service_uid)
      return "file " + path + " has an ACL entry for user " + std::to_string(e.id) +
             "; a secret file must be readable by leadsync only: setfacl -b " + path + " && " + fix;
    const unsigned gid = e.tag == Tag::group_obj ? access.gid : e.id;
    if ((e.tag == Tag::group_obj || e.tag == Tag::group) && gid != service_gid)
      return "file " + path + " is accessible to group " + group_text(gid) +
             " through its ACL, which is not leadsync's group (" + group_text(service_gid) +
             "): setfacl -b " + path + " && " + fix;
  }
  return std::nullopt;
}

namespace {

std::mutex env_mutex;
// Values taken from the environment, by variable name: the environment no longer has them.
std::map<std::string, std::string, std::less<>>& taken_env() {
  static std::map<std::string, std::string, std::less<>> taken;
  return taken;
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  std::lock_guard lock(env_mutex);
  auto& taken = taken_env();
  if (auto it = taken.find(name); it != taken.end()) return it->second;
  char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  std::string text(value);
  // unsetenv only drops the pointer; the bytes would stay in the environment block (and so in
  // /proc/PID/environ and a core dump). Overwrite them first.
  std::memset(value, 0, text.size());
  ::unsetenv(name.c_str());
  taken.emplace(name, text);
  return text;
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
  const WebhooksConfig& w = config.webhooks;
  if (w.enabled)
    secrets.webhook_client_secret =
        r.read(w.client_secret_env, "webhooks.client_secret_env", w.client_secret_file,
               "webhooks.client_secret_file", Shape::single_line);
  r.throw_if_failed();
  return secrets;
}

}  // namespace leadsync::config
