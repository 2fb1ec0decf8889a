#include "leadsync/http/url.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "leadsync/core/error.hpp"
#include "leadsync/http/transport.hpp"

namespace leadsync::http {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_ipv4(const std::string& host, std::array<unsigned char, 4>* bytes = nullptr) {
  std::array<unsigned char, 4> b{};
  if (inet_pton(AF_INET, host.c_str(), b.data()) != 1) return false;
  if (bytes) *bytes = b;
  return true;
}

bool is_ipv6(const std::string& host, std::array<unsigned char, 16>* bytes = nullptr) {
  std::array<unsigned char, 16> b{};
  if (inet_pton(AF_INET6, host.c_str(), b.data()) != 1) return false;
  if (bytes) *bytes = b;
  return true;
}

// RFC 3986 reg-name restricted to what DNS host names use (letters, digits, '-', '.', and '_' seen in the
// wild).
bool is_reg_name(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.front() == '-') return false;
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_'; });
}

[[noreturn]] void malformed(std::string_view url, const std::string& why) {
  throw core::fatal_error("invalid base_url '" + std::string(url) + "': " + why +
                          " (expected scheme://host[:port], e.g. https://api.hubapi.com)");
}

}  // namespace

std::string BaseUrl::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string BaseUrl::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) h += ":" + std::to_string(port);
  return h;
}

bool is_loopback_host(std::string_view host_in) {
  std::string host = lower(host_in);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") return true;
  std::array<unsigned char, 4> v4{};
  if (is_ipv4(host, &v4)) return v4[0] == 127;
  std::array<unsigned char, 16> v6{};
  if (is_ipv6(host, &v6)) {
    static constexpr std::array<unsigned char, 16> kLoopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (v6 == kLoopback) return true;
    const bool v4_mapped = std::all_of(v6.begin(), v6.begin() + 10, [](unsigned char c) { return c == 0; }) &&
                           v6[10] == 0xff && v6[11] == 0xff;
    return v4_mapped && v6[12] == 127;
  }
  return false;
}

BaseUrl parse_base_url(std::string_view url) {
  // Never echo a URL that may carry credentials.
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) malformed(url, "missing scheme");
  const std::string scheme = lower(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);

  BaseUrl out;
  if (scheme == "https") {
    out.tls = true;
    out.port = 443;
  } else if (scheme == "http") {
    out.tls = false;
    out.port = 80;
  } else {
    malformed(url, "unsupported scheme '" + scheme + "' (use https, or http for loopback only)");
  }

  if (rest.find('@') != std::string_view::npos)
    throw core::fatal_error(
        "invalid base_url: it must not contain credentials (user:password@); "
        "the access token is configured separately");
  if (rest.find_first_of("?#") != std::string_view::npos)
    malformed(url, "query strings and fragments are not allowed");
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (slash != rest.size() - 1) malformed(url, "paths are not allowed; request paths are added per call");
    rest = rest.substr(0, slash);
  }
  if (rest.empty()) malformed(url, "missing host");

  std::string_view host;
  std::string_view port;
  if (rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) malformed(url, "unterminated IPv6 literal");
    host = rest.substr(1, close - 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') malformed(url, "unexpected characters after the IPv6 literal");
      port = after.substr(1);
      if (port.empty()) malformed(url, "empty port");
    }
    out.host = lower(host);
    if (!is_ipv6(out.host)) malformed(url, "invalid IPv6 literal");
    out.host_is_ip = true;
  } else {
    const auto colon = rest.find(':');
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) malformed(url, "empty port");
    }
    if (host.empty()) malformed(url, "missing host");
    out.host = lower(host);
    if (is_ipv4(out.host)) {
      out.host_is_ip = true;
    } else if (!is_reg_name(out.host)) {
      malformed(url, "invalid host name");
    }
  }

  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      malformed(url, "port must be a number from 1 to 65535");
    out.port = static_cast<std::uint16_t>(value);
  }

  if (!out.tls && !is_loopback_host(out.host))
    throw TransportError(TransportErrorKind::insecure_refused,
                         "refusing plain http:// to " + out.authority() +
                             ": the access token would travel unencrypted. Use https://, or use http:// only "
                             "with a loopback address (127.0.0.1, ::1, localhost) for local testing");
  return out;
}

}  // namespace leadsync::http
