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
    case PropertyType::number: return "numeric";
    case PropertyType::boolean: return "boolean";
    case PropertyType::date: return "date";
    case PropertyType::datetime: return "timestamptz";
    default: return "text";
  }
}

bool castable(PropertyType type, const core::Value& value) {
  if (!value) return true;
  static const std::regex number(R"(-?[0-9]+(\.[0-9]+)?)");
  static const std::regex date(R"([0-9]{4}-[0-9]{2}-[0-9]{2})");
  static const std::regex datetime(R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z)");
  switch (type) {
    case PropertyType::number: return std::regex_match(*value, number);
    case PropertyType::boolean: return *value == "true" || *value == "false";
    case PropertyType::date: return std::regex_match(*value, date);
    case PropertyType::datetime: return std::regex_match(*value, datetime);
    default: return value->find('\0') == std::string::npos;
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

std::string encode_values(const core::PropertyValues& values) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : values) j[k] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  return j.dump();
}

core::PropertyValues decode_values(const std::string& json) {
  core::PropertyValues out;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    out[it.key()] = it->is_string() ? core::Value(it->get<std::string>()) : std::nullopt;
  return out;
}

std::string encode_times(const std::map<std::string, core::WallTime>& times) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, t] : times) j[k] = core::format_timestamp(t);
  return j.dump();
}

std::map<std::string, core::WallTime> decode_times(const std::string& json) {
  std::map<std::string, core::WallTime> out;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it->is_string())
      if (auto t = core::parse_timestamp(it->get<std::string>())) out[it.key()] = *t;
  return out;
}

std::string encode_associations(const core::AssociationSet& set) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& a : set) j.push_back({{"type", a.to_object_type}, {"id", a.to_object_id}, {"type_id", a.type_id}});
  return j.dump();
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

}  // namespace leadsync::db::detail
