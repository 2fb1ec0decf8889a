#include "store_sql.hpp"

#include <nlohmann/json.hpp>
#include <regex>

#include "leadsync/db/identifier.hpp"

namespace leadsync::db::detail {

using core::PropertyType;

std::string read_expression(const core::PropertyMapping& m) {
  const std::string col = quote_identifier(m.column);
  switch (m.type) {
    case PropertyType::date:
      return "to_char(" + col + ", 'YYYY-MM-DD')";
    case PropertyType::datetime:
      return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
    default:
      return col + "::text";
  }
}

const char* write_cast(PropertyType type) {
  switch (type) {
    case PropertyType::number:
      return "numeric";
    case PropertyType::boolean:
      return "boolean";
    case PropertyType::date:
      return "date";
    case PropertyType::datetime:
      return "timestamptz";
    default:
      return "text";
  }
}

bool castable(PropertyType type, const core::Value& value) {
  if (!value) return true;
  static const std::regex number(R"(-?[0-9]+(\.[0-9]+)?)");
  static const std::regex date(R"([0-9]{4}-[0-9]{2}-[0-9]{2})");
  static const std::regex datetime(R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z)");
  switch (type) {
    case PropertyType::number:
      return std::regex_match(*value, number);
    case PropertyType::boolean:
      return *value == "true" || *value == "false";
    case PropertyType::date:
      return std::regex_match(*value, date);
    case PropertyType::datetime:
      return std::regex_match(*value, datetime);
    default:
      return value->find('\0') == std::string::npos;
  }
}

std::string literal(pqxx::transaction_base& tx, const core::Value& value) {
  return value ? tx.quote(*value) : std::string("NULL");
}

std::string in_list(pqxx::transaction_base& tx, const std::vector<std::string>& values) {
  if (values.empty()) return "(NULL)";
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ",";
    out += tx.quote(values[i]);
  }
  return out + ")";
}

std::string in_list(const std::vector<std::int64_t>& values) {
  if (values.empty()) return "(NULL)";
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ",";
    out += std::to_string(values[i]);
  }
  return out + ")";
}

namespace {

// JSON string literal (RFC 8259 escaping). The base is written for every pulled lead, so this stays a tight
// loop rather than a JSON DOM.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[(c >> 4) & 0xf];
          out += hex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

std::string encode_values(const core::PropertyValues& values) {
  std::string out = "{";
  for (const auto& [k, v] : values) {
    if (out.size() > 1) out += ',';
    append_json_string(out, k);
    out += ':';
    if (v)
      append_json_string(out, *v);
    else
      out += "null";
  }
  return out + "}";
}

core::PropertyValues decode_values(const std::string& json) {
  core::PropertyValues out;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    out[it.key()] = it->is_string() ? core::Value(it->get<std::string>()) : std::nullopt;
  return out;
}

std::string encode_superseded(const core::BaseState& b) {
  if (b.superseded.empty() || !b.superseded_until) return {};
  // Written only by a push that followed an unconfirmed one (rare): nlohmann's tree is fine here.
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [p, set] : b.superseded) {
    auto& list = values[p] = nlohmann::json::array();
    for (const auto& v : set) list.push_back(v ? nlohmann::json(*v) : nlohmann::json(nullptr));
  }
  return nlohmann::json{{"until", core::format_timestamp(*b.superseded_until)}, {"values", std::move(values)}}
      .dump();
}

void decode_superseded(const std::string& json, core::BaseState& b) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object() || !j.contains("until") || !j["until"].is_string() || !j.contains("values") ||
      !j["values"].is_object())
    return;  // written by leadsync only; anything else is ignored rather than trusted
  b.superseded_until = core::parse_timestamp(j["until"].get<std::string>());
  if (!b.superseded_until) return;
  for (auto it = j["values"].begin(); it != j["values"].end(); ++it) {
    if (!it->is_array()) continue;
    auto& values = b.superseded[it.key()];
    for (const auto& v : *it) values.insert(v.is_string() ? core::Value(v.get<std::string>()) : std::nullopt);
  }
}

core::AssociationSet decode_association_rows(const std::string& json) {
  core::AssociationSet out;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& e : j)
    if (e.is_array() && e.size() == 3 && e[0].is_string() && e[1].is_string() && e[2].is_number_integer())
      out.insert({e[0].get<std::string>(), e[1].get<std::string>(), e[2].get<int>()});
  return out;
}

core::PropertyValues decode_captured_values(const std::string& json) {
  core::PropertyValues out;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it->is_string())
      out[it.key()] = it->get<std::string>();
    else if (it->is_null())
      out[it.key()] = std::nullopt;
    else
      out[it.key()] = it->dump();
  }
  return out;
}

std::string encode_times(const std::map<std::string, core::WallTime>& times,
                         std::optional<core::WallTime> usual) {
  std::string out = "{";
  for (const auto& [k, t] : times) {
    if (usual && t == *usual) continue;  // the common case is implied by remote_updated_at
    if (out.size() > 1) out += ',';
    append_json_string(out, k);
    out += ':';
    append_json_string(out, core::format_timestamp(t));
  }
  return out + "}";
}

std::map<std::string, core::WallTime> decode_times(const std::string& json,
                                                   const core::PropertyValues& values,
                                                   std::optional<core::WallTime> usual) {
  std::map<std::string, core::WallTime> out;
  if (usual)
    for (const auto& [k, v] : values) out[k] = *usual;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it->is_string())
      if (auto t = core::parse_timestamp(it->get<std::string>())) out[it.key()] = *t;
  return out;
}

std::string encode_associations(const core::AssociationSet& set) {
  std::string out = "[";
  for (const auto& a : set) {
    if (out.size() > 1) out += ',';
    out += "{\"type\":";
    append_json_string(out, a.to_object_type);
    out += ",\"id\":";
    append_json_string(out, a.to_object_id);
    out += ",\"type_id\":" + std::to_string(a.type_id) + "}";
  }
  return out + "]";
}

core::AssociationSet decode_associations(const std::string& json) {
  core::AssociationSet out;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    if (!e.is_object() || !e.contains("type") || !e.contains("id") || !e.contains("type_id")) continue;
    out.insert({e["type"].get<std::string>(), e["id"].get<std::string>(), e["type_id"].get<int>()});
  }
  return out;
}

bool same_base(const core::BaseState& a, const core::BaseState& b) {
  return a.hubspot_id == b.hubspot_id && a.values == b.values && a.changed_at == b.changed_at &&
         a.associations == b.associations && a.remote_updated_at == b.remote_updated_at;
}

void ArrayLiteral::add(std::string_view value) {
  separate();
  // Quoted always: an unquoted element would be trimmed, and NULL, {} and commas would mean something else.
  text_ += '"';
  // Appended in runs between the characters that need a backslash. (Char by char this function was ~3 % of
  // leadsync's CPU in an import; string_view::find_first_of("\"\\") calls memchr on its two-character set
  // for every character scanned, another ~8 %, perf.)
  const char* run = value.data();
  const char* const end = value.data() + value.size();
  for (const char* p = run; p != end; ++p) {
    if (*p != '"' && *p != '\\') continue;
    text_.append(run, static_cast<std::size_t>(p - run));
    text_ += '\\';
    text_ += *p;
    run = p + 1;
  }
  text_.append(run, static_cast<std::size_t>(end - run));
  text_ += '"';
}

void ArrayLiteral::add(std::int64_t value) {
  separate();
  text_ += std::to_string(value);
}

void ArrayLiteral::add_null() {
  separate();
  text_ += "NULL";
}

namespace {
// Network byte order, as the binary format wants it.
void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}
void put64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}
}  // namespace

void BinaryArray::add(std::string_view text) {
  put32(elements_, static_cast<std::uint32_t>(text.size()));
  elements_.append(text);
  ++size_;
}

void BinaryArray::add_int8(std::int64_t value) {
  put32(elements_, 8);
  put64(elements_, static_cast<std::uint64_t>(value));
  ++size_;
}

void BinaryArray::add_int4(std::int32_t value) {
  put32(elements_, 4);
  put32(elements_, static_cast<std::uint32_t>(value));
  ++size_;
}

void BinaryArray::add_jsonb(std::string_view json) {
  put32(elements_, static_cast<std::uint32_t>(json.size() + 1));
  elements_ += '\x01';  // jsonb's binary format: a version byte, then the JSON text
  elements_.append(json);
  ++size_;
}

void BinaryArray::add_timestamptz(std::int64_t epoch_ms) {
  // Microseconds since PostgreSQL's epoch, 2000-01-01 00:00:00 UTC (946,684,800 s after the Unix epoch).
  constexpr std::int64_t kPostgresEpochMs = 946'684'800'000;
  put32(elements_, 8);
  put64(elements_, static_cast<std::uint64_t>((epoch_ms - kPostgresEpochMs) * 1000));
  ++size_;
}

void BinaryArray::add_null() {
  put32(elements_, 0xffffffffu);  // length -1
  has_null_ = true;
  ++size_;
}

std::string BinaryArray::bytes() const {
  std::string out;
  out.reserve(20 + elements_.size());
  put32(out, size_ ? 1 : 0);  // dimensions (an empty array has none)
  put32(out, has_null_ ? 1 : 0);
  put32(out, element_oid_);
  if (size_) {
    put32(out, static_cast<std::uint32_t>(size_));
    put32(out, 1);  // lower bound
  }
  return out + elements_;
}

std::string array_literal(const std::vector<std::string>& values) {
  ArrayLiteral a;
  for (const auto& v : values) a.add(std::string_view(v));
  return a.str();
}

std::string array_literal(const std::vector<std::int64_t>& values) {
  ArrayLiteral a;
  for (auto v : values) a.add(v);
  return a.str();
}

}  // namespace leadsync::db::detail
