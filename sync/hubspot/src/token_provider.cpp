#include "leadsync/hubspot/token_provider.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>

#include "json_codec.hpp"
#include "query.hpp"

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

}  // namespace

OAuthTokenProvider::OAuthTokenProvider(http::Transport& transport, core::Clock& clock, OAuthOptions options)
    : transport_(transport), clock_(clock), options_(std::move(options)) {}

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

  const auto scrub = [this](std::string text) {
    for (const std::string* secret :
         {&options_.client_secret, &options_.refresh_token, &options_.client_id}) {
      if (secret->size() < 4) continue;
      for (auto pos = text.find(*secret); pos != std::string::npos; pos = text.find(*secret, pos))
        text.replace(pos, secret->size(), "[redacted]");
    }
    return text;
  };

  const auto sent_at = clock_.steady_now();
  http::Response response;
  try {
    response = co_await transport_.send(std::move(request));
  } catch (const http::TransportError& e) {
    throw core::Error(e.kind(), scrub(std::string("OAuth token refresh (POST ") + options_.token_path +
                                      ") failed: " + e.what()));
  }

  if (response.status >= 200 && response.status < 300) {
    std::string token;
    std::chrono::seconds lifetime{0};
    try {
      detail::Json j = detail::parse_json(response.body);
      token = detail::req_string(j, "access_token", "OAuth token response");
      const std::string expires = detail::req_string(j, "expires_in", "OAuth token response");
      lifetime = token_lifetime(expires, options_.refresh_margin);
      if (auto rotated = detail::opt_string(j, "refresh_token"); rotated && !rotated->empty())
        options_.refresh_token = *rotated;
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
    co_return;
  }

  const detail::ErrorBody e = detail::decode_error_body(response);
  std::string said = std::to_string(response.status);
  if (auto j = detail::try_parse_json(response.body))
    if (auto status = detail::opt_string(*j, "status")) said += " " + *status;
  if (!e.message.empty()) said += ": " + e.message;
  said = scrub(said);
  if (response.status == 400 || response.status == 401 || response.status == 403) {
    throw core::fatal_error("HubSpot refused the OAuth token refresh (" + said +
                                "). Check the OAuth client id, client secret and refresh token leadsync is "
                                "configured with",
                            e.details);
  }
  throw core::transient_error("OAuth token refresh failed (" + said + ")", e.details);
}

}  // namespace leadsync::hubspot
