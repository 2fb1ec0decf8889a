#include "leadsync/hubspot/token_provider.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>
#include <cmath>

#include "json_codec.hpp"
#include "query.hpp"
#include "response_form.hpp"

namespace leadsync::hubspot {

namespace {

constexpr std::chrono::milliseconds kRefreshPoll{20};

// Bounds on the lifetime a token response may claim (HubSpot's access tokens live 30 minutes). At or below
// the refresh margin every call would refresh; a huge one would overflow the expiry time. A token that really
// expires sooner is caught by the 401 it gets (on_unauthorized refreshes).
constexpr std::chrono::seconds kMinLifetimeBeyondMargin{60};
constexpr std::chrono::seconds kMaxLifetime = std::chrono::hours(24);

// expires_in in seconds, clamped; throws MalformedResponse when it is not a number. Compared as a double, so
// no value of any size reaches an integer conversion unclamped.
std::chrono::seconds token_lifetime(const std::string& text, std::chrono::seconds refresh_margin) {
  const std::chrono::seconds shortest = refresh_margin + kMinLifetimeBeyondMargin;
  double secs = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, secs);
  if (ec == std::errc::result_out_of_range && p == end)
    secs = text.front() == '-' ? -1.0 : 1e300;
  else if (ec != std::errc() || p != end || !std::isfinite(secs))
    throw detail::MalformedResponse("OAuth token response has a non-numeric \"expires_in\"");
  std::chrono::seconds lifetime = kMaxLifetime;
  if (secs < static_cast<double>(shortest.count()))
    lifetime = shortest;
  else if (secs <= static_cast<double>(kMaxLifetime.count()))
    lifetime = std::chrono::seconds(static_cast<std::int64_t>(secs));
  if (static_cast<double>(lifetime.count()) != std::floor(secs))
    spdlog::warn(
        "HubSpot's OAuth token response says expires_in {}; using {} s (tokens are refreshed {} s before "
        "expiry, and after any 401)",
        text.size() > 24 ? text.substr(0, 24) + "..." : text, lifetime.count(), refresh_margin.count());
  return lifetime;
}

// Clears a flag when the refresh ends, however it ends.
struct FlagGuard {
  bool& flag;
  ~FlagGuard() { flag = false; }
};

// What a refusing token endpoint said. The date versions send RFC 6749's `error` / `error_description`;
// /oauth/v1 (and the date versions too, for now) HubSpot's older `status` / `message`.
struct TokenRefusal {
  std::string error;        // invalid_grant, invalid_client, ... (empty when not sent)
  std::string old_status;   // BAD_REFRESH_TOKEN, BAD_CLIENT_ID, ... (empty when not sent)
  std::string description;  // error_description, else message; may echo what was sent: scrubbed later
};

TokenRefusal read_refusal(const http::Response& response, const detail::ErrorBody& body) {
  TokenRefusal r;
  if (auto j = detail::try_parse_json(response.body)) {
    r.error = detail::opt_string(*j, "error").value_or("");
    r.old_status = detail::opt_string(*j, "status").value_or("");
    r.description = detail::opt_string(*j, "error_description").value_or("");
  }
  if (r.description.empty()) r.description = body.message;
  return r;
}

enum class Refused { refresh_token, client, request };

// Which credential the endpoint refused, from its machine-readable codes (RFC 6749 first, then the old ones).
Refused refused_credential(const TokenRefusal& r) {
  if (r.error == "invalid_grant") return Refused::refresh_token;
  if (r.error == "invalid_client" || r.error == "unauthorized_client") return Refused::client;
  if (!r.error.empty()) return Refused::request;
  if (r.old_status == "BAD_REFRESH_TOKEN") return Refused::refresh_token;
  if (r.old_status == "BAD_CLIENT_ID" || r.old_status == "BAD_CLIENT_SECRET") return Refused::client;
  return Refused::request;
}

// A server's free text for a message: one line, printable ASCII, bounded.
std::string printable(std::string_view text, std::size_t max = 200) {
  std::string out;
  for (char c : text.substr(0, max)) out.push_back(std::isprint(static_cast<unsigned char>(c)) ? c : ' ');
  if (text.size() > max) out += "...";
  return out;
}

// Never followed: the request carries the client secret and the refresh token, which must go to
// hubspot.base_url's host only. The same request gets the same redirect, so it is not retried either.
// Nothing of the body is kept: a redirect page often repeats the whole Location, query string included.
core::Error redirect_error(const std::string& token_path, const http::Response& response) {
  core::ErrorDetails details;
  details.http_status = response.status;
  details.correlation_id = detail::decode_error_body(response).details.correlation_id;
  return core::fatal_error(
      "HubSpot's address answered the OAuth token refresh (POST " + token_path + ") with a redirect (" +
          std::to_string(response.status) + ") " + detail::redirect_target(response.header("Location")) +
          "; leadsync does not follow redirects, so that the client secret and refresh "
          "token go to hubspot.base_url's host only: set hubspot.base_url to the address "
          "HubSpot's API answers on, or fix the proxy in between",
      std::move(details));
}

}  // namespace

OAuthTokenProvider::OAuthTokenProvider(http::Transport& transport, core::Clock& clock, OAuthOptions options)
    : transport_(transport), clock_(clock), options_(std::move(options)) {
  // A query string would travel with every refresh, next to the secrets in the body, and land in proxy logs.
  if (options_.token_path.empty() || options_.token_path.front() != '/' ||
      options_.token_path.find_first_of("?#") != std::string::npos)
    throw core::fatal_error(
        "hubspot.oauth.token_path must be a path without a query string; the OAuth credentials are sent in "
        "the form-encoded request body only",
        core::ErrorDetails{.category = "CONFIG"});
}

net::awaitable<std::string> OAuthTokenProvider::access_token() {
  // Another caller is refreshing: use its result instead of refreshing twice.
  while (refreshing_) co_await clock_.sleep_for(kRefreshPoll);
  if (!access_token_ || clock_.steady_now() + options_.refresh_margin >= expires_at_) co_await refresh();
  co_return *access_token_;
}

net::awaitable<bool> OAuthTokenProvider::on_unauthorized() {
  const std::string before = access_token_.value_or("");
  while (refreshing_) co_await clock_.sleep_for(kRefreshPoll);
  if (access_token_ && *access_token_ != before) co_return true;  // refreshed meanwhile
  co_await refresh();
  co_return access_token_&&* access_token_ != before;
}

std::string OAuthTokenProvider::scrub(std::string text) const {
  for (const std::string* secret : {&options_.client_secret, &options_.refresh_token, &options_.client_id}) {
    if (secret->size() < 4) continue;
    for (auto pos = text.find(*secret); pos != std::string::npos; pos = text.find(*secret, pos))
      text.replace(pos, secret->size(), "[redacted]");
  }
  return text;
}

void OAuthTokenProvider::accept_refresh_token(const std::string& token) {
  if (token.empty() || token == options_.refresh_token) return;
  options_.refresh_token = token;
  if (!options_.on_refresh_token_rotated) {
    spdlog::warn(
        "HubSpot rotated the OAuth refresh token: leadsync uses the new one until it stops, but the one in "
        "{} "
        "no longer works; re-authorize the app and update it before the next start",
        options_.refresh_token_source);
    return;
  }
  try {
    options_.on_refresh_token_rotated(token);
  } catch (const std::exception& e) {
    spdlog::error("keeping the rotated OAuth refresh token failed: {}", scrub(e.what()));
  }
}

net::awaitable<void> OAuthTokenProvider::refresh() {
  refreshing_ = true;
  FlagGuard guard{refreshing_};

  http::Request request;
  request.method = "POST";
  request.target = options_.token_path;
  request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  request.headers.push_back({"Accept", "application/json"});
  request.body = detail::form_encode({{"grant_type", "refresh_token"},
                                      {"client_id", options_.client_id},
                                      {"client_secret", options_.client_secret},
                                      {"refresh_token", options_.refresh_token}});
  request.timeout = options_.request_timeout;

  const auto sent_at = clock_.steady_now();
  http::Response response;
  try {
    response = co_await transport_.send(std::move(request));
  } catch (const http::TransportError& e) {
    throw core::Error(e.kind(), scrub(std::string("OAuth token refresh (POST ") + options_.token_path +
                                      ") failed: " + e.what()));
  }

  if (detail::is_redirect(response)) throw redirect_error(options_.token_path, response);
  // A proxy's HTML page or an encoded body is never read as HubSpot's JSON, whatever its status: it does not
  // say whether HubSpot would take the credentials, so it is not a refusal of them either.
  if (auto unreadable = detail::unreadable_body(response)) {
    const bool ok = response.status >= 200 && response.status < 300;
    throw core::transient_error(
        scrub((ok ? "malformed response from HubSpot for POST " + options_.token_path + ": "
                  : "OAuth token refresh (POST " + options_.token_path + ") failed (" +
                        std::to_string(response.status) + "): ") +
              *unreadable),
        detail::decode_error_body(response).details);
  }

  if (response.status >= 200 && response.status < 300) {
    std::string token;
    std::chrono::seconds lifetime{0};
    std::optional<std::string> rotated;
    try {
      detail::Json j = detail::parse_json(response.body);
      token = detail::req_string(j, "access_token", "OAuth token response");
      const std::string expires = detail::req_string(j, "expires_in", "OAuth token response");
      lifetime = token_lifetime(expires, options_.refresh_margin);
      rotated = detail::opt_string(j, "refresh_token");
    } catch (const std::exception& e) {
      // The exception text of the decoder never contains field values, only names.
      throw core::transient_error(std::string("malformed response from HubSpot for POST ") +
                                  options_.token_path + ": " + e.what());
    }
    if (token.empty())
      throw core::transient_error("HubSpot's OAuth token response carried an empty access_token");
    access_token_ = std::move(token);
    expires_at_ = sent_at + lifetime;
    ++refresh_count_;
    if (rotated) accept_refresh_token(*rotated);
    co_return;
  }

  const detail::ErrorBody body = detail::decode_error_body(response);
  const TokenRefusal refusal = read_refusal(response, body);
  std::string said = std::to_string(response.status);
  for (const std::string* code : {&refusal.error, &refusal.old_status})
    if (!code->empty()) said += " " + printable(*code, 40);
  if (!refusal.description.empty()) said += ": " + printable(refusal.description);
  said = scrub(said);

  const bool refused = response.status == 400 || response.status == 401 || response.status == 403;
  if (!refused) throw core::transient_error("OAuth token refresh failed (" + said + ")", body.details);
  switch (refused_credential(refusal)) {
    case Refused::refresh_token: {
      core::ErrorDetails details = body.details;
      details.cause = core::FatalCause::credentials_revoked;
      throw core::fatal_error(
          "HubSpot refused the OAuth refresh token (" + said +
              "): it was revoked (the app was uninstalled or its access removed), it expired, or HubSpot "
              "rotated it and the new one was not kept. leadsync cannot get access tokens any more: "
              "re-authorize the app in HubSpot, put the new refresh token in " +
              options_.refresh_token_source + ", and start leadsync again",
          std::move(details));
    }
    case Refused::client:
      throw core::fatal_error("HubSpot refused the OAuth client credentials (" + said +
                                  "). Check hubspot.oauth.client_id and the client secret leadsync is "
                                  "configured with",
                              body.details);
    case Refused::request:
      break;
  }
  throw core::fatal_error("HubSpot refused the OAuth token refresh (" + said +
                              "). Check the OAuth client id, client secret and refresh token leadsync is "
                              "configured with",
                          body.details);
}

}  // namespace leadsync::hubspot
