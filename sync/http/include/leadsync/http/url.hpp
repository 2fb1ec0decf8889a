#pragma once
// Parsing of the transport's base URL ("https://api.hubapi.com", "http://127.0.0.1:8080") and the loopback
// rule for plain HTTP. No Beast here, so config validation and tests can use it cheaply.
// Throws: parse_base_url throws core::Error (fatal) for a malformed URL and TransportError
// (insecure_refused, fatal) for http:// to a host that is not loopback. Messages never echo credentials.
// Thread-safety: pure functions.
#include <cstdint>
#include <string>
#include <string_view>

namespace leadsync::http {

struct BaseUrl {
  bool tls = true;           // https
  std::string host;          // lower-cased; an IPv6 literal without brackets
  std::uint16_t port = 443;  // explicit or the scheme's default (443 / 80)
  bool host_is_ip = false;   // IPv4 or IPv6 literal (no SNI; the certificate must name the IP)

  // "host:port" ("[::1]:8080" for IPv6), for messages.
  std::string authority() const;
  // The Host header value: the port only when it is not the scheme's default.
  std::string host_header() const;
};

// Accepts scheme://host[:port] with an optional single trailing "/"; scheme http or https (any case).
// Rejects paths, queries, fragments, user:password@, empty hosts, bad ports, and http:// to a non-loopback
// host.
BaseUrl parse_base_url(std::string_view url);

// True for "localhost" (any case), 127.0.0.0/8, ::1 and ::ffff:127.x.y.z. Host names other than
// "localhost" are never considered loopback, whatever they resolve to.
bool is_loopback_host(std::string_view host);

}  // namespace leadsync::http
