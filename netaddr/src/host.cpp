#include "leadsync/netaddr/host.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace leadsync::netaddr {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

template <int Family, std::size_t N>
bool pton(std::string_view host, std::array<unsigned char, N>& bytes) {
  // inet_pton needs a terminated string; an embedded NUL would cut the text short.
  if (host.find('\0') != std::string_view::npos) return false;
  return inet_pton(Family, std::string(host).c_str(), bytes.data()) == 1;
}

}  // namespace

bool is_ipv4_literal(std::string_view host) {
  std::array<unsigned char, 4> b{};
  return pton<AF_INET>(host, b);
}

bool is_ipv6_literal(std::string_view host) {
  std::array<unsigned char, 16> b{};
  return pton<AF_INET6>(host, b);
}

bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.front() == '-') return false;
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_'; });
}

bool is_loopback_host(std::string_view host_in) {
  std::string host = lower(host_in);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") return true;
  std::array<unsigned char, 4> v4{};
  if (pton<AF_INET>(host, v4)) return v4[0] == 127;
  std::array<unsigned char, 16> v6{};
  if (pton<AF_INET6>(host, v6)) {
    static constexpr std::array<unsigned char, 16> kLoopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (v6 == kLoopback) return true;
    const bool v4_mapped = std::all_of(v6.begin(), v6.begin() + 10, [](unsigned char c) { return c == 0; }) &&
                           v6[10] == 0xff && v6[11] == 0xff;
    return v4_mapped && v6[12] == 127;
  }
  return false;
}

std::optional<std::uint16_t> parse_port(std::string_view text, PortRange range) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  unsigned value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value > 65535 || (value == 0 && range == PortRange::nonzero)) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

HostPortResult parse_host_port(std::string_view text, PortPresence presence, PortRange range) {
  auto fail = [](HostPortError e) { return HostPortResult{std::nullopt, e}; };
  HostPort out;
  std::optional<std::string_view> port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return fail(HostPortError::invalid_ipv6);
    out.host = lower(text.substr(1, close - 1));
    if (!is_ipv6_literal(out.host)) return fail(HostPortError::invalid_ipv6);
    out.host_is_ip = true;
    const std::string_view after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail(HostPortError::invalid_ipv6);
      port_text = after.substr(1);
    }
  } else {
    const auto colon = text.find(':');
    out.host = lower(text.substr(0, colon));
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
    if (is_ipv4_literal(out.host))
      out.host_is_ip = true;
    else if (!is_host_name(out.host))
      return fail(HostPortError::invalid_host);
  }
  if (!port_text) {
    if (presence == PortPresence::required) return fail(HostPortError::missing_port);
    return HostPortResult{std::move(out), {}};
  }
  if (port_text->empty()) return fail(HostPortError::empty_port);
  out.port = parse_port(*port_text, range);
  if (!out.port) return fail(HostPortError::invalid_port);
  return HostPortResult{std::move(out), {}};
}

std::string format_authority(std::string_view host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

}  // namespace leadsync::netaddr
