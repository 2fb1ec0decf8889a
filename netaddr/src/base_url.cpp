#include "leadsync/netaddr/base_url.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "leadsync/netaddr/host.hpp"

namespace leadsync::netaddr {

namespace {

constexpr const char* kExpected = " (expected https://host[:port], e.g. https://api.hubapi.com)";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// `"text"` with control characters escaped and long texts shortened: a message is one readable line.
std::string quote(std::string_view text) {
  constexpr std::size_t kMaxShown = 80;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == kMaxShown) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(text[i]);
    if (text[i] == '"' || text[i] == '\\') {
      out += '\\';
      out += text[i];
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += text[i];
    }
  }
  return out + "\"";
}

BaseUrlResult fail(UrlError error, std::string message) {
  return BaseUrlResult{std::nullopt, error, std::move(message)};
}

}  // namespace

std::string BaseUrl::authority() const {
  return format_authority(host, port);
}

std::string BaseUrl::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) h += ":" + std::to_string(port);
  return h;
}

std::string BaseUrl::normalized() const {
  std::string out = tls ? "https://" : "http://";
  if (explicit_port) return out + authority();
  return out + (host.find(':') != std::string::npos ? "[" + host + "]" : host);
}

BaseUrlResult parse_base_url(std::string_view text) {
  // First, before any message can quote the text: user:password@ must never be echoed.
  if (text.find('@') != std::string_view::npos)
    return fail(UrlError::credentials, "must not contain credentials (value hidden)");
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos)
    return fail(UrlError::missing_scheme, std::string("is not a URL: no scheme (value hidden)") + kExpected);
  const std::string scheme = lower(text.substr(0, scheme_end));
  BaseUrl out;
  if (scheme == "https") {
    out.tls = true;
    out.port = 443;
  } else if (scheme == "http") {
    out.tls = false;
    out.port = 80;
  } else {
    return fail(UrlError::unsupported_scheme, "unsupported scheme " + quote(scheme) +
                                                  " (use https://, or http:// for loopback hosts only)");
  }

  std::string_view rest = text.substr(scheme_end + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos)
    return fail(UrlError::path_query_or_fragment,
                "must not have a path, query or fragment, got " + quote(text) + kExpected);

  HostPortResult hp = parse_host_port(rest, PortPresence::optional, PortRange::nonzero);
  if (!hp.value) {
    switch (hp.error) {
      case HostPortError::empty_port:
      case HostPortError::invalid_port:
        return fail(UrlError::invalid_port, "invalid port in " + quote(text) + " (a number from 1 to 65535)");
      case HostPortError::missing_port:  // not asked for
      case HostPortError::invalid_host:
      case HostPortError::invalid_ipv6:
        break;
    }
    return fail(UrlError::invalid_host, "invalid host in " + quote(text) + kExpected);
  }
  out.host = std::move(hp.value->host);
  out.host_is_ip = hp.value->host_is_ip;
  if (hp.value->port) {
    out.port = *hp.value->port;
    out.explicit_port = true;
  }
  if (!out.tls && !is_loopback_host(out.host))
    return fail(UrlError::plain_http_to_remote,
                "plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost), got " +
                    quote(text) + ": the access token would travel unencrypted; use https://");
  return BaseUrlResult{std::move(out), {}, {}};
}

}  // namespace leadsync::netaddr
