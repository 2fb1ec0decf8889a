#include "yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <stdexcept>

#include "leadsync/config/duration.hpp"

namespace leadsync::config::detail {

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknown_key_message(const std::string& key, const SectionSpec& section) {
  const KeySpec* best = nullptr;
  std::size_t best_distance = 3;  // typos within two edits get a suggestion
  for (const KeySpec& k : section.keys) {
    std::size_t d = edit_distance(key, k.name);
    if (d < best_distance) {
      best_distance = d;
      best = &k;
    }
  }
  if (best) return "unknown key " + quote(key) + " (did you mean \"" + std::string(best->name) + "\"?)";
  std::string expected;
  for (const KeySpec& k : section.keys) expected += (expected.empty() ? "" : ", ") + std::string(k.name);
  return "unknown key " + quote(key) + " (expected one of " + expected + ")";
}

}  // namespace

void Issues::add(const YAML::Mark& mark, std::string key_path, std::string message) {
  ConfigIssue issue;
  issue.file = file_;
  if (!mark.is_null()) {
    issue.line = mark.line + 1;
    issue.column = mark.column + 1;
  }
  issue.key_path = std::move(key_path);
  issue.message = std::move(message);
  issues_.push_back(std::move(issue));
}

std::string quote(std::string_view text) {
  constexpr std::size_t kMaxShown = 80;
  std::string out = "\"";
  std::size_t shown = 0;
  for (char c : text) {
    if (++shown > kMaxShown) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string describe(const YAML::Node& node, Sensitivity sensitivity) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return sensitivity == Sensitivity::hidden ? "a value (value hidden)" : quote(node.Scalar());
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

YAML::Mark value_mark(const YAML::Node& value, const YAML::Mark& fallback) {
  if (!value.IsDefined() || value.IsNull() || value.Mark().is_null()) return fallback;
  return value.Mark();
}

std::optional<std::string> read_string(Issues& issues, const YAML::Node& node, const YAML::Mark& mark,
                                       const std::string& path, Sensitivity sensitivity) {
  if (!node.IsScalar()) {
    issues.add(mark, path, "expected a string, got " + describe(node, sensitivity));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::int64_t> read_integer(Issues& issues, const YAML::Node& node, const YAML::Mark& mark,
                                         const std::string& path, std::int64_t min, std::int64_t max) {
  std::string range = "between " + std::to_string(min) + " and " + std::to_string(max);
  if (!node.IsScalar()) {
    issues.add(mark, path, "expected an integer " + range + ", got " + describe(node));
    return std::nullopt;
  }
  const std::string& text = node.Scalar();
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    issues.add(mark, path, "must be " + range + ", got " + quote(text));
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    issues.add(mark, path, "expected an integer " + range + ", got " + quote(text));
    return std::nullopt;
  }
  if (value < min || value > max) {
    issues.add(mark, path, "must be " + range + ", got " + text);
    return std::nullopt;
  }
  return value;
}

MapReader::MapReader(Issues& issues, const YAML::Node& node, std::string path, const SectionSpec& section,
                     const YAML::Mark& where)
    : issues_(issues), path_(std::move(path)), section_(section), mark_(where) {
  if (!node.IsDefined() || node.IsNull()) {
    is_map_ = true;
    return;
  }
  if (!node.Mark().is_null()) mark_ = node.Mark();
  if (!node.IsMap()) {
    issues_.add(mark_, path_, "expected a map, got " + describe(node));
    return;
  }
  is_map_ = true;
  for (const auto& pair : node) {
    const YAML::Node& key = pair.first;
    if (!key.IsScalar()) {
      issues_.add(key.Mark(), path_, "keys must be plain strings, got " + describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    std::string key_path = path_.empty() ? name : path_ + "." + name;
    if (!section_.find(name)) {
      issues_.add(key.Mark(), key_path, unknown_key_message(name, section_));
      continue;
    }
    if (const Entry* first = find(name)) {
      issues_.add(key.Mark(), key_path,
                  "duplicate key (first set at line " + std::to_string(first->key.Mark().line + 1) + ")");
      continue;
    }
    entries_.push_back(Entry{name, key, pair.second});
  }
}

const KeySpec& MapReader::declared(std::string_view key, KeyType type) const {
  const KeySpec* spec = section_.find(key);
  if (!spec || spec->type != type)
    throw std::logic_error("key " + section_.key_path(key) +
                           " is not declared with this type in the key table");
  return *spec;
}

bool MapReader::read_percent(std::string_view key, int& out) const {
  const KeySpec& spec = declared(key, KeyType::percent);
  const Entry* e = find(key);
  if (!e) return false;
  const std::string range =
      "a percentage between " + std::to_string(spec.min) + "% and " + std::to_string(spec.max) + "%";
  if (!e->value.IsScalar()) {
    error(key, "expected " + range + ", got " + describe(e->value));
    return false;
  }
  std::string_view text = e->value.Scalar();
  if (text.ends_with('%')) text.remove_suffix(1);
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() || value < spec.min ||
      value > spec.max) {
    error(key, "expected " + range + ", got " + quote(e->value.Scalar()));
    return false;
  }
  out = value;
  return true;
}

const MapReader::Entry* MapReader::find(std::string_view key) const {
  // A key the table does not declare would read as absent forever: fail loudly instead.
  if (!section_.find(key))
    throw std::logic_error("key " + section_.key_path(key) + " is not declared in the key table");
  for (const Entry& e : entries_)
    if (e.name == key) return &e;
  return nullptr;
}

YAML::Node MapReader::node(std::string_view key) const {
  const Entry* e = find(key);
  return e ? e->value : YAML::Node(YAML::NodeType::Undefined);
}

std::string MapReader::path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

YAML::Mark MapReader::key_mark(std::string_view key) const {
  const Entry* e = find(key);
  return e ? e->key.Mark() : mark_;
}

YAML::Mark MapReader::value_mark(std::string_view key) const {
  const Entry* e = find(key);
  return e ? ::leadsync::config::detail::value_mark(e->value, e->key.Mark()) : mark_;
}

void MapReader::error(std::string_view key, std::string message) const {
  issues_.add(value_mark(key), path(key), std::move(message));
}

bool MapReader::require(std::string_view key) const {
  if (has(key)) return true;
  issues_.add(mark_, path(key), "required key is missing");
  return false;
}

bool MapReader::read(std::string_view key, std::string& out, Sensitivity sensitivity) const {
  const Entry* e = find(key);
  if (!e) return false;
  auto v = read_string(issues_, e->value, value_mark(key), path(key), sensitivity);
  if (!v) return false;
  out = std::move(*v);
  return true;
}

bool MapReader::read(std::string_view key, std::optional<std::string>& out, Sensitivity sensitivity) const {
  std::string text;
  if (!read(key, text, sensitivity)) return false;
  out = std::move(text);
  return true;
}

bool MapReader::read(std::string_view key, bool& out) const {
  const Entry* e = find(key);
  if (!e) return false;
  if (e->value.IsScalar()) {
    // YAML 1.2 core schema booleans only: "yes"/"on" are too easy to misread.
    const std::string& t = e->value.Scalar();
    if (t == "true" || t == "True" || t == "TRUE") {
      out = true;
      return true;
    }
    if (t == "false" || t == "False" || t == "FALSE") {
      out = false;
      return true;
    }
  }
  error(key, "expected true or false, got " + describe(e->value));
  return false;
}

bool MapReader::read(std::string_view key, std::chrono::milliseconds& out) const {
  const std::chrono::milliseconds min{declared(key, KeyType::duration).min};
  const Entry* e = find(key);
  if (!e) return false;
  if (!e->value.IsScalar()) {
    error(key, "expected a duration such as 30s or 5m, got " + describe(e->value));
    return false;
  }
  const std::string& text = e->value.Scalar();
  auto d = parse_duration(text);
  if (!d) {
    if (!text.empty() && text.front() == '-') {
      error(key, "invalid duration " + quote(text) + " (must not be negative)");
    } else {
      error(key, "invalid duration " + quote(text) +
                     " (expected an integer and a unit: ms, s, m, h or d, e.g. 500ms, 30s, 5m, 1h30m)");
    }
    return false;
  }
  if (*d < min) {
    error(key, min.count() == 1 ? "must be positive, got " + quote(text)
                                : "must be at least " + format_duration(min) + ", got " + quote(text));
    return false;
  }
  out = *d;
  return true;
}

}  // namespace leadsync::config::detail
