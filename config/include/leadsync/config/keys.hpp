#pragma once
// Every configuration key, declared once: per section, each key's name, type, default, range and whether
// a running daemon can take a new value (SIGHUP) or needs a restart. The loader reads against this table
// (unknown keys, "did you mean", integer ranges, duration minimums), and the reload diff and the daemon's
// "changed:" list are computed from it, so a key added here is known to all three.
// Thread-safety: immutable tables and pure functions.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "leadsync/config/app_config.hpp"

namespace leadsync::config {

enum class KeyType {
  section,  // a map of its own keys (see the section with the key's full path)
  list,     // a list of maps (see the section "<path>[]")
  string,
  boolean,
  integer,      // min..max
  percent,      // an integer min..max, optionally followed by "%" (20% or 20)
  duration,     // at least min milliseconds
  enumeration,  // one of the spellings listed by to_string's tables
  env_name,     // the name of an environment variable holding a secret
  file_path,    // an absolute path
  url,          // the HubSpot base URL (leadsync_netaddr's rules)
  host_port,    // host:port to listen on
};

enum class Reload {
  live,     // a SIGHUP reload applies a new value
  restart,  // a new value makes the reload refuse (the daemon keeps running with the old file)
};

using KeyDiffers = bool (*)(const AppConfig& a, const AppConfig& b);

struct KeySpec {
  std::string_view name;
  KeyType type = KeyType::string;
  std::string_view default_text;  // as written in YAML; empty when the key has no default (absent = unset)
  std::int64_t min = 0;           // integer: lowest value; duration: shortest, in milliseconds
  std::int64_t max = 0;           // integer: highest value
  Reload reload = Reload::live;
  // Whether a and b differ in this key; null for a section whose own keys say (and for list items, which
  // their list's key covers).
  KeyDiffers differs = nullptr;
};

struct SectionSpec {
  std::string_view path;  // "" (the top level), "hubspot.rate_limit", "mappings[]" (each item of a list)
  std::span<const KeySpec> keys;

  const KeySpec* find(std::string_view name) const noexcept;
  std::string key_path(std::string_view name) const;
};

std::span<const SectionSpec> config_sections() noexcept;
// The section at `path`; throws std::logic_error for a path the table does not have (a bug).
const SectionSpec& config_section(std::string_view path);

// Full key paths (`sync.interval`, `database.table`, `mappings`) whose values differ, in table order.
std::vector<std::string> changed_keys(const AppConfig& a, const AppConfig& b);
// The top-level sections of changed_keys, each once, in table order (for the reload log line).
std::vector<std::string> changed_sections(const AppConfig& a, const AppConfig& b);

}  // namespace leadsync::config
