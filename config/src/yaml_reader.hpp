#pragma once
// Private to leadsync_config: reading yaml-cpp nodes against a section of the key table (keys.hpp) while
// collecting every problem (unknown keys, duplicates, wrong types, bad values) as a ConfigIssue instead of
// stopping at the first. Values of keys read as Sensitivity::hidden never appear in a message.
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "leadsync/config/config_error.hpp"
#include "leadsync/config/keys.hpp"

namespace leadsync::config::detail {

enum class Sensitivity { shown, hidden };

class Issues {
 public:
  explicit Issues(std::string file) : file_(std::move(file)) {}
  void add(const YAML::Mark& mark, std::string key_path, std::string message);
  bool empty() const noexcept { return issues_.empty(); }
  std::vector<ConfigIssue> take() { return std::move(issues_); }

 private:
  std::string file_;
  std::vector<ConfigIssue> issues_;
};

// `"text"` with control characters escaped, shortened when long.
std::string quote(std::string_view text);
// What a node is, for "expected X, got Y": `a map`, `a list`, `nothing`, `"abc"` (or `a value` when hidden).
std::string describe(const YAML::Node& node, Sensitivity sensitivity = Sensitivity::shown);
// Where to point at a value: its own mark, or `fallback` for a null value (yaml-cpp marks those at the
// start of the next line).
YAML::Mark value_mark(const YAML::Node& value, const YAML::Mark& fallback);

// Scalar conversions shared by MapReader and list readers; on failure they record an issue and return
// nullopt.
std::optional<std::string> read_string(Issues& issues, const YAML::Node& node, const YAML::Mark& mark,
                                       const std::string& path, Sensitivity sensitivity);
std::optional<std::int64_t> read_integer(Issues& issues, const YAML::Node& node, const YAML::Mark& mark,
                                         const std::string& path, std::int64_t min, std::int64_t max);

// One YAML map read against its section of the key table: keys the section does not declare are reported
// (with the closest declared key when one is near); integer ranges and duration minimums come from the
// table. A null node reads as an empty map (a section left empty); anything else that is not a map is
// reported once and reads as empty. Reading a key the section does not declare is a bug (logic_error).
class MapReader {
 public:
  // `path` names this map in messages (`mappings[2]`); `section` is its table entry (`mappings[]`).
  // `where` is used for problems of the map as a whole (a missing required key) when the node has no mark.
  MapReader(Issues& issues, const YAML::Node& node, std::string path, const SectionSpec& section,
            const YAML::Mark& where);

  bool is_map() const noexcept { return is_map_; }
  bool has(std::string_view key) const { return find(key) != nullptr; }
  YAML::Node node(std::string_view key) const;  // undefined node when absent
  std::string path(std::string_view key) const;
  YAML::Mark key_mark(std::string_view key) const;    // the map's mark when absent
  YAML::Mark value_mark(std::string_view key) const;  // the key's mark for null values
  const YAML::Mark& mark() const noexcept { return mark_; }
  const std::string& path() const noexcept { return path_; }
  Issues& issues() const noexcept { return issues_; }

  // Records an issue about `key` (at its value).
  void error(std::string_view key, std::string message) const;
  // Records "required key is missing" when absent; returns whether it is present.
  bool require(std::string_view key) const;

  // Each reader leaves `out` untouched when the key is absent or invalid; returns true when it was set.
  bool read(std::string_view key, std::string& out, Sensitivity sensitivity = Sensitivity::shown) const;
  bool read(std::string_view key, std::optional<std::string>& out,
            Sensitivity sensitivity = Sensitivity::shown) const;
  bool read(std::string_view key, bool& out) const;
  // At least the key's minimum in the table.
  bool read(std::string_view key, std::chrono::milliseconds& out) const;
  // A percentage within the key's range in the table: 20% or 20.
  bool read_percent(std::string_view key, int& out) const;
  // Within the key's range in the table.
  template <std::integral Int>
  requires(!std::same_as<Int, bool>) bool read(std::string_view key, Int& out) const {
    const KeySpec& spec = declared(key, KeyType::integer);
    const Entry* e = find(key);
    if (!e) return false;
    auto v = read_integer(issues_, e->value, ::leadsync::config::detail::value_mark(e->value, e->key.Mark()),
                          path(key), spec.min, spec.max);
    if (!v) return false;
    out = static_cast<Int>(*v);
    return true;
  }
  template <typename Enum, std::size_t N>
  bool read(std::string_view key, Enum& out, const std::pair<const char*, Enum> (&table)[N]) const {
    std::string text;
    if (!read(key, text)) return false;
    for (const auto& [name, value] : table)
      if (text == name) {
        out = value;
        return true;
      }
    std::string expected;
    for (const auto& entry : table) expected += (expected.empty() ? "" : ", ") + std::string(entry.first);
    error(key, "invalid value " + quote(text) + " (expected one of " + expected + ")");
    return false;
  }

 private:
  struct Entry {
    std::string name;
    YAML::Node key;
    YAML::Node value;
  };
  const Entry* find(std::string_view key) const;
  const KeySpec& declared(std::string_view key, KeyType type) const;

  Issues& issues_;
  std::string path_;
  const SectionSpec& section_;
  YAML::Mark mark_;
  bool is_map_ = false;
  std::vector<Entry> entries_;
};

}  // namespace leadsync::config::detail
