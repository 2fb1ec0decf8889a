#pragma once
// The HubSpot base URL: scheme://host[:port] with an optional single trailing "/", scheme http or https
// (any case); http:// only to a loopback host, since the access token would otherwise travel unencrypted.
// One parser for config/ (validation at load) and sync/http (the transport), so neither accepts what the
// other refuses.
// Messages never contain credentials: a URL with '@' anywhere is refused before anything else is looked
// at, without echoing it, and a text without a scheme (perhaps a token pasted in the wrong place) is not
// echoed either.
// Thread-safety: pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadsync::netaddr {

struct BaseUrl {
  bool tls = true;           // https
  std::string host;          // lower-cased; an IPv6 literal without brackets
  std::uint16_t port = 443;  // explicit or the scheme's default (443 / 80)
  bool host_is_ip = false;   // IPv4 or IPv6 literal (no SNI; the certificate must name the IP)
  bool explicit_port = false;

  // "host:port" ("[::1]:8080" for IPv6), for messages.
  std::string authority() const;
  // The Host header value: the port only when it is not the scheme's default.
  std::string host_header() const;
  // scheme://host[:port], lower-case, no trailing slash; the port only when it was given.
  std::string normalized() const;
};

enum class UrlError {
  credentials,             // user:password@ (or any '@')
  missing_scheme,          // no "://"
  unsupported_scheme,      // not http or https
  path_query_or_fragment,  // anything after the authority but one "/"
  invalid_host,            // empty, not a host name, not an IP literal
  invalid_port,            // empty, not digits, 0, above 65535
  plain_http_to_remote,    // http:// to a host that is not loopback
};

struct BaseUrlResult {
  std::optional<BaseUrl> url;
  UrlError error = UrlError::missing_scheme;  // meaningful when !url
  // What is wrong and what is expected, for the caller to prefix with the setting's name; safe to show.
  std::string message;
};

BaseUrlResult parse_base_url(std::string_view text);

}  // namespace leadsync::netaddr
