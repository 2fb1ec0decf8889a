#pragma once
// Small ASCII text helpers shared by the sync modules (values, HTTP headers, error bodies). ASCII only on
// purpose: they compare protocol tokens and header values, never people's text.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace leadsync::core {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Spaces and tabs only: HTTP's optional whitespace around a header value (a CR or LF there is not
// whitespace but a malformed value, and must stay visible to the caller).
inline std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Any C-locale whitespace (space, tab, CR, LF, VT, FF): values typed by people or read from columns.
inline std::string_view trim_space(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace leadsync::core
