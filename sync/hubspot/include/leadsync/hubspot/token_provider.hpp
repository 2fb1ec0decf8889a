#pragma once
// Where the client gets its bearer token.
//   StaticTokenProvider - a Service Key or a legacy private-app token (read from env or a file by the
//     daemon); both are sent as `Authorization: Bearer`.
//   OAuthTokenProvider  - OAuth 2 refresh-token flow: POST {token_path} with a form-encoded body
//     (grant_type=refresh_token&client_id&client_secret&refresh_token; never a query string: the date
//     versions refuse credentials in the URL), caches the access token and refreshes it when it is within
//     `refresh_margin` (5 min) of expires_in; on_unauthorized() forces one refresh so the client can retry
//     a request once after a 401. When HubSpot rotates the refresh token the old one stops working: the new
//     one is used from then on and handed to `on_refresh_token_rotated` to be kept for the next start.
// Throws: access_token()/on_unauthorized() throw core::Error - fatal when the token endpoint refuses the
// credentials (400/401/403, or an RFC 6749 error), with FatalCause::credentials_revoked when the refresh
// token itself was refused (invalid_grant: revoked, expired or rotated away); fatal for a redirect, which is
// never followed (the secrets would go with it); transient for 429/5xx, network failures or an unreadable
// answer (an HTML page or an encoded body at any status: a proxy answered, not HubSpot).
// Tokens, client secrets and refresh tokens never appear in an exception message or a log line.
// Thread-safety: one executor; concurrent callers on that executor share one in-flight refresh.
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "leadsync/core/clock.hpp"
#include "leadsync/core/net.hpp"
#include "leadsync/http/transport.hpp"

namespace leadsync::hubspot {

class TokenProvider {
 public:
  virtual ~TokenProvider() = default;
  // The bearer token to send now.
  virtual net::awaitable<std::string> access_token() = 0;
  // HubSpot answered 401 to a request made with the current token. Returns true when a different token is
  // now available (the client then retries the request once), false when nothing can be done.
  virtual net::awaitable<bool> on_unauthorized() { co_return false; }
};

class StaticTokenProvider final : public TokenProvider {
 public:
  explicit StaticTokenProvider(std::string token) : token_(std::move(token)) {}
  net::awaitable<std::string> access_token() override { co_return token_; }

 private:
  std::string token_;
};

struct OAuthOptions {
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  std::string token_path = "/oauth/2026-03/token";  // no query string (the constructor refuses one)
  std::chrono::seconds refresh_margin{300};         // refresh this long before expiry
  std::chrono::milliseconds request_timeout{0};     // 0 = the transport's default
  // Where the operator keeps the refresh token, named in the message of a refused one ("the file X").
  std::string refresh_token_source = "leadsync's configuration";
  // Called with the new refresh token after HubSpot rotated it (the old one no longer works). Must not
  // throw; it must not log the token. Unset: a warning is logged.
  std::function<void(const std::string&)> on_refresh_token_rotated;
};

class OAuthTokenProvider final : public TokenProvider {
 public:
  OAuthTokenProvider(http::Transport& transport, core::Clock& clock, OAuthOptions options);

  net::awaitable<std::string> access_token() override;
  net::awaitable<bool> on_unauthorized() override;

  // How many times the token endpoint was called successfully (for tests and metrics).
  int refresh_count() const noexcept { return refresh_count_; }
  // The refresh token the next refresh sends: the configured one until HubSpot rotates it. A provider built
  // anew on a reload starts from this one, not from the configured token that no longer works.
  const std::string& refresh_token_in_use() const noexcept { return options_.refresh_token; }

 private:
  net::awaitable<void> refresh();
  void accept_refresh_token(const std::string& token);
  std::string scrub(std::string text) const;

  http::Transport& transport_;
  core::Clock& clock_;
  OAuthOptions options_;
  std::optional<std::string> access_token_;
  std::chrono::steady_clock::time_point expires_at_{};
  bool refreshing_ = false;
  int refresh_count_ = 0;
};

}  // namespace leadsync::hubspot
