#include "query.hpp"

#include <algorithm>

#include "leadsync/core/error.hpp"

namespace leadsync::hubspot::detail {

bool is_record_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string record_id_segment(std::string_view id, std::string_view what) {
  if (!is_record_id(id))
    throw core::record_error(std::string(what) + " " + quoted(id) +
                             " is not a HubSpot record id (digits only); not sent to HubSpot");
  return std::string(id);
}

std::string path_segment(std::string_view value) {
  std::string out = percent_encode(value);
  std::string dots_encoded;
  for (char c : out) dots_encoded += c == '.' ? std::string("%2E") : std::string(1, c);
  return dots_encoded;
}

std::string quoted(std::string_view text, std::size_t max) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += text.size() > max ? "\"..." : "\"";
  return out;
}

std::string percent_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out.push_back('&');
    out += percent_encode(k);
    out.push_back('=');
    out += percent_encode(v);
  }
  return out;
}

Query& Query::add(std::string_view key, std::string_view value) {
  text_.push_back(text_.empty() ? '?' : '&');
  text_ += percent_encode(key);
  text_.push_back('=');
  text_ += percent_encode(value);
  return *this;
}

Query& Query::add(std::string_view key, const std::vector<std::string>& values) {
  if (values.empty()) return *this;
  text_.push_back(text_.empty() ? '?' : '&');
  text_ += percent_encode(key);
  text_.push_back('=');
  bool first = true;
  for (const auto& v : values) {
    // The separator stays a literal comma; a comma inside a value is encoded (%2C).
    if (!first) text_.push_back(',');
    first = false;
    text_ += percent_encode(v);
  }
  return *this;
}

Query& Query::add_if(bool condition, std::string_view key, std::string_view value) {
  if (condition) add(key, value);
  return *this;
}

std::string Query::str() const {
  return text_;
}

}  // namespace leadsync::hubspot::detail
