#include "response_form.hpp"

#include <algorithm>
#include <cctype>

#include "leadsync/core/text.hpp"
#include "query.hpp"

namespace leadsync::hubspot::detail {

namespace {

using core::trim_blanks;

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && core::ascii_lower(text.substr(0, prefix.size())) == prefix;
}

// A DNS name or an IPv4 literal (letters, digits, dots, hyphens), or an IPv6 literal in brackets: anything
// else (percent-encoding, spaces, control characters) is not shown.
bool plain_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.front() == '[')
    return host.size() > 2 && host.back() == ']' &&
           std::all_of(host.begin() + 1, host.end() - 1,
                       [](unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; });
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '-'; });
}

bool plain_port(std::string_view port) {
  return !port.empty() && port.size() <= 5 &&
         std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); });
}

// The first bytes of a body for a message: whitespace runs as one space, the rest escaped by quoted().
std::string excerpt(std::string_view body) {
  std::string squeezed;
  for (char c : body.substr(0, 400)) {
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space && (squeezed.empty() || squeezed.back() == ' ')) continue;
    squeezed.push_back(space ? ' ' : c);
  }
  return quoted(squeezed, 100);
}

std::string media_type(const http::Response& response) {
  const auto value = response.header("Content-Type");
  if (!value) return "";
  return core::ascii_lower(trim_blanks(value->substr(0, value->find(';'))));
}

bool is_html_type(const std::string& type) {
  return type == "text/html" || type == "application/xhtml+xml";
}

// Proxies label their pages wrongly too (application/json, or nothing).
bool looks_like_html(std::string_view body) {
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) body.remove_prefix(1);
  return starts_with_nocase(body, "<!doctype html") || starts_with_nocase(body, "<html");
}

}  // namespace

bool is_redirect(const http::Response& response) {
  const int s = response.status;
  if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) return true;
  return s >= 300 && s < 400 && response.header("Location").has_value();
}

std::string redirect_target(std::optional<std::string_view> location) {
  if (!location) return "without a Location";
  const std::string_view loc = trim_blanks(*location);
  std::string scheme;
  std::string_view rest;
  if (starts_with_nocase(loc, "https://")) {
    scheme = "https://";
    rest = loc.substr(8);
  } else if (starts_with_nocase(loc, "http://")) {
    scheme = "http://";
    rest = loc.substr(7);
  } else if (loc.substr(0, 2) == "//") {
    scheme = "//";
    rest = loc.substr(2);
  } else if (!loc.empty() && loc.front() == '/') {
    return "to another path on the same host (not shown)";
  } else {
    return "to a location that is not an http(s) URL (not shown)";
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  std::string_view port;
  if (auto colon = authority.rfind(':');
      colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (!plain_port(port)) return "to a location whose host is not shown";
  }
  if (!plain_host(host)) return "to a location whose host is not shown";
  return "to " + scheme + core::ascii_lower(host) + (port.empty() ? "" : ":" + std::string(port)) +
         " (path and query not shown)";
}

std::optional<std::string> unreadable_body(const http::Response& response) {
  const std::string size = std::to_string(response.body.size()) + " bytes";
  if (const auto encoding = response.header("Content-Encoding")) {
    const std::string name = core::ascii_lower(trim_blanks(*encoding));
    if (!name.empty() && name != "identity")
      return "body is encoded (Content-Encoding: " + quoted(trim_blanks(*encoding)) + ", " + size +
             ") although leadsync asked for no encoding (it sends no Accept-Encoding): not read; a proxy in "
             "between may be compressing HubSpot's answers";
  }
  const std::string type = media_type(response);
  const bool html_type = is_html_type(type);
  if (html_type || looks_like_html(response.body))
    return "an HTML page (" +
           (html_type      ? type
            : type.empty() ? std::string("no Content-Type")
                           : "Content-Type " + quoted(type)) +
           ", " + size +
           ") where HubSpot sends JSON: a proxy, gateway or captive portal answered, not HubSpot's API; it "
           "begins " +
           excerpt(response.body);
  return std::nullopt;
}

}  // namespace leadsync::hubspot::detail
