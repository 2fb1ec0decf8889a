#include "leadsync/db/identifier.hpp"

#include <stdexcept>

namespace leadsync::db {

bool is_safe_identifier(std::string_view name) noexcept {
  if (name.empty() || name.size() > 63) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(name.front())) return false;
  for (char c : name)
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

std::string quote_identifier(std::string_view name) {
  if (name.empty()) throw std::invalid_argument("empty SQL identifier");
  std::string out = "\"";
  for (char c : name) {
    if (c == '\0') throw std::invalid_argument("SQL identifier contains a NUL byte");
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string quote_qualified(std::string_view schema, std::string_view table) {
  return quote_identifier(schema) + "." + quote_identifier(table);
}

}  // namespace leadsync::db
