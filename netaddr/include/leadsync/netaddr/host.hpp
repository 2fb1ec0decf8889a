#pragma once
// Host names, IP literals, ports and `host:port` text, with the one loopback rule leadsync uses wherever
// plain http:// or an exposed listener is decided.
// Thread-safety: pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadsync::netaddr {

bool is_ipv4_literal(std::string_view host);  // dotted quad, as inet_pton(AF_INET) reads it
bool is_ipv6_literal(std::string_view host);  // without brackets
// A DNS-style name: letters, digits, '-', '.', '_' (seen in the wild); not starting with '.' or '-'.
bool is_host_name(std::string_view host);

// True for "localhost" (any case), 127.0.0.0/8, ::1 and ::ffff:127.x.y.z, with or without [brackets].
// Host names other than "localhost" are never loopback, whatever they resolve to.
bool is_loopback_host(std::string_view host);

enum class PortRange { any, nonzero };  // 0..65535 (0 = pick a free port) | 1..65535
// Digits only, no sign, no spaces.
std::optional<std::uint16_t> parse_port(std::string_view text, PortRange range);

enum class HostPortError { invalid_host, invalid_ipv6, missing_port, empty_port, invalid_port };

struct HostPort {
  std::string host;  // lower-cased; an IPv6 literal without brackets
  std::optional<std::uint16_t> port;
  bool host_is_ip = false;
};

struct HostPortResult {
  std::optional<HostPort> value;
  HostPortError error = HostPortError::invalid_host;  // meaningful when !value
};

enum class PortPresence { required, optional };
// `host[:port]` or `[v6][:port]`.
HostPortResult parse_host_port(std::string_view text, PortPresence presence, PortRange range);

// "host:port" with IPv6 literals in brackets.
std::string format_authority(std::string_view host, std::uint16_t port);

}  // namespace leadsync::netaddr
