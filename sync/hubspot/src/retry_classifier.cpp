#include "retry_classifier.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "json_codec.hpp"
#include "response_form.hpp"

namespace leadsync::hubspot::detail {

namespace {

using std::chrono::milliseconds;
using Action = Verdict::Action;

// Never let the bearer token reach a message, whatever a server echoes back.
std::string scrub(std::string text, const std::string& secret) {
  if (secret.size() < 4) return text;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
    text.replace(pos, secret.size(), "[redacted]");
  return text;
}

bool sent_before_failing(http::TransportErrorKind kind) {
  switch (kind) {
    case http::TransportErrorKind::resolve:
    case http::TransportErrorKind::connect:
    case http::TransportErrorKind::tls_handshake:
    case http::TransportErrorKind::tls_verify:
    case http::TransportErrorKind::insecure_refused:
      return false;
    default:
      return true;  // timeout, closed, protocol, too_large: HubSpot may have acted on the request
  }
}

std::string describe(const std::string& route, const ErrorBody& e) {
  std::string s = std::to_string(e.details.http_status);
  if (!e.details.category.empty())
    s += " " + e.details.category;
  else if (!e.details.policy.empty())
    s += " " + e.details.policy;
  std::string out = route + " (" + s + ")";
  if (!e.message.empty()) out += ": " + e.message;
  if (!e.details.correlation_id.empty()) out += " [correlationId " + e.details.correlation_id + "]";
  return out;
}

// Which rate limit a 429 is about: policyName when sent, else what the message names.
std::string rate_policy_of(const ErrorBody& e, RatePolicy call_policy) {
  if (!e.details.policy.empty()) return e.details.policy;
  if (e.message.find("secondly limit") != std::string::npos &&
      e.message.find("ten_secondly") == std::string::npos)
    return kPolicySecondly;
  if (e.message.find("daily limit") != std::string::npos) return kPolicyDaily;
  return call_policy == RatePolicy::search ? kPolicySecondly : kPolicyTenSecondly;
}

Verdict fail(core::Error error, bool ambiguous = false) {
  Verdict v;
  v.action = Action::fail;
  v.error = std::move(error);
  v.ambiguous = ambiguous;
  return v;
}

Verdict retry(core::Error error, milliseconds wait, std::string reason) {
  Verdict v;
  v.action = Action::retry;
  v.error = std::move(error);
  v.wait = wait;
  v.wait_reason = std::move(reason);
  return v;
}

// Retried after a backoff step (or the server's wait, when it named one): the step is taken either way.
Verdict retry_with_backoff(core::Error error, std::optional<milliseconds> server_wait, std::string reason,
                           const RetryPolicy& policy, const WaitInputs& waits) {
  Verdict v = retry(std::move(error),
                    server_wait.value_or(full_jitter_backoff(policy, waits.backoff_index, waits.random01)),
                    std::move(reason));
  v.backoff_step = true;
  return v;
}

Verdict classify_transport_error(const CallTraits& call, const http::TransportError& error,
                                 const RetryPolicy& policy, const WaitInputs& waits,
                                 const std::string& token) {
  core::ErrorDetails d;
  const auto kind = error.transport_kind();
  const std::string msg =
      scrub("HubSpot request " + call.route + " failed: " + error.what() + " (" + http::to_string(kind) + ")",
            token);
  if (error.is_fatal()) return fail(core::fatal_error(msg, d));
  if (call.create && sent_before_failing(kind)) return fail(core::transient_error(msg, d), true);
  const bool unconfirmed = sent_before_failing(kind);
  if (kind == http::TransportErrorKind::too_large) {
    // The same request gets the same oversized answer: retrying within this call only spends budget. It
    // stays transient (the run stops, a later one may find smaller pages); an oversized body names the
    // setting the operator can raise (the transport's own message names its internal option instead).
    Verdict v = fail(
        core::transient_error(error.oversized_part() == http::OversizedPart::body
                                  ? "HubSpot's response to " + call.route +
                                        " is larger than hubspot.max_response_mb allows; not retried (the "
                                        "same request gets the same answer). Raise hubspot.max_response_mb "
                                        "if HubSpot's responses are really this large"
                                  : msg + "; not retried (the same request gets the same answer)",
                              d));
    v.unconfirmed = unconfirmed;
    return v;
  }
  Verdict v =
      retry_with_backoff(core::transient_error(msg, d), std::nullopt, "backoff:transport", policy, waits);
  v.unconfirmed = unconfirmed;
  return v;
}

Verdict classify_malformed(const CallTraits& call, const AttemptOutcome& outcome, const RetryPolicy& policy,
                           const WaitInputs& waits, const std::string& token) {
  core::ErrorDetails d;
  d.http_status = outcome.response.status;
  if (auto cid = outcome.response.header("X-HubSpot-Correlation-Id")) d.correlation_id = std::string(*cid);
  const std::string msg =
      scrub("malformed response from HubSpot for " + call.route + ": " + *outcome.malformed, token);
  if (call.create) return fail(core::transient_error(msg, d), true);
  return retry_with_backoff(core::transient_error(msg, d), std::nullopt, "backoff:malformed", policy, waits);
}

Verdict classify_rate_limited(const CallTraits& call, ErrorBody& e, const std::string& what,
                              std::optional<milliseconds> server_wait, const RetryPolicy& policy,
                              const WaitInputs& waits) {
  const std::string name = rate_policy_of(e, call.policy);
  e.details.policy = name;
  if (name == kPolicyDaily) {
    e.details.retry_after = waits.until_daily_reset;
    Verdict v = fail(core::transient_error(
        "HubSpot daily API limit reached for " + what + "; no more calls until the daily reset", e.details));
    v.rate_limited_policy = name;
    v.daily_exhausted = true;
    return v;
  }
  const bool secondly = name == kPolicySecondly;
  // TEN_SECONDLY: until the oldest of our requests leaves HubSpot's rolling window (the whole window when
  // none of ours is in it), plus jitter so concurrent callers do not return together.
  const auto jitter = milliseconds(
      static_cast<std::int64_t>(std::floor(waits.random01 * policy.ten_secondly_jitter.count())));
  Verdict v = retry(core::transient_error("HubSpot rate limit for " + what, e.details),
                    server_wait.value_or(secondly ? policy.secondly_wait : waits.ten_secondly_slot + jitter),
                    secondly ? "rate_limited:secondly" : "rate_limited:ten_secondly");
  v.pause = secondly ? RatePolicy::search : RatePolicy::ten_secondly;
  v.rate_limited_policy = name;
  return v;
}

// Never followed: the request carries the bearer token, which must go to hubspot.base_url's host only, and
// a redirect elsewhere would hand it over. The same request gets the same redirect, so it is not retried;
// the message names the status and at most the scheme and host it points to.
// Nothing of the body is kept: a redirect page often repeats the whole Location, query string included.
core::Error redirect_error(const CallTraits& call, const http::Response& response, const ErrorBody& body) {
  core::ErrorDetails details;
  details.http_status = response.status;
  details.correlation_id = body.details.correlation_id;
  return core::fatal_error(
      "HubSpot's address answered " + call.route + " with a redirect (" + std::to_string(response.status) +
          ") " + redirect_target(response.header("Location")) +
          "; leadsync does not follow redirects, so that the access token goes to hubspot.base_url's host "
          "only: set hubspot.base_url to the address HubSpot's API answers on, or fix the proxy in between",
      details);
}

Verdict classify_error_status(const CallTraits& call, const http::Response& response,
                              const RetryPolicy& policy, const WaitInputs& waits, const std::string& token,
                              bool may_refresh_token) {
  const int status = response.status;
  ErrorBody e = decode_error_body(response);
  const auto server = parse_retry_after(response, policy.max_backoff);
  std::optional<milliseconds> server_wait;
  if (server) server_wait = e.details.retry_after = server->wait;
  const std::string what = scrub(describe(call.route, e), token);

  Verdict v;
  if (status == 401) {
    v = fail(
        core::fatal_error("HubSpot rejected the credentials for " + what +
                              ". Check the access token leadsync uses (hubspot.access_token_env or "
                              "access_token_file; for OAuth the client id, secret and refresh token) and "
                              "that the app is installed in this portal",
                          e.details));
    if (may_refresh_token) v.action = Action::refresh_token;
  } else if (status == 403) {
    std::string hint;
    if (!e.required_scopes.empty()) {
      hint = ". The app lacks the scope(s): ";
      for (std::size_t i = 0; i < e.required_scopes.size(); ++i)
        hint += (i ? ", " : "") + e.required_scopes[i];
    }
    v = fail(core::fatal_error("HubSpot refused access for " + what + hint +
                                   ". Grant the app the scopes crm.objects.leads.read and "
                                   "crm.objects.leads.write (and check that the user who created the private "
                                   "app still has permissions)",
                               e.details));
  } else if (status == 429) {
    v = classify_rate_limited(call, e, what, server_wait, policy, waits);
  } else if (status == 423) {
    v = retry(core::transient_error("HubSpot locked the record(s) for " + what, e.details),
              server_wait.value_or(policy.locked_wait), "locked");
  } else if (status == 477) {
    v = retry_with_backoff(
        core::transient_error("HubSpot account migration in progress for " + what, e.details), server_wait,
        "migration", policy, waits);
  } else if (status >= 500) {
    core::Error error = core::transient_error("HubSpot server error for " + what, e.details);
    v = call.create
            ? fail(std::move(error), true)
            : retry_with_backoff(std::move(error), server_wait, "backoff:server_error", policy, waits);
  } else if (status == 414) {
    // The request line is too long for HubSpot: reads put every mapped property in the query string, so only
    // a shorter mapping helps. A configuration problem (exit 78), not an outage to retry.
    e.details.category = "CONFIG";
    v = fail(
        core::fatal_error("HubSpot refused the request line as too long (414) for " + what +
                              ": map fewer properties under mappings (every mapped property is sent in the "
                              "query string of lead reads)",
                          e.details));
  } else if (status >= 400) {
    v = fail(core::record_error("HubSpot refused " + what, e.details));
  } else if (is_redirect(response)) {
    v = fail(redirect_error(call, response, e));
  } else {
    // 1xx/3xx: not something HubSpot sends to an API client; treated like a bad gateway.
    v = retry_with_backoff(
        core::transient_error("unexpected HTTP status from HubSpot for " + what, e.details), server_wait,
        "backoff:unexpected_status", policy, waits);
  }
  if (server && server->clamped_from_seconds && v.action == Action::retry && v.wait == server->wait)
    v.clamped = ClampedWait{*server->clamped_from_seconds, server->wait};
  return v;
}

}  // namespace

milliseconds full_jitter_backoff(const RetryPolicy& policy, int index, double random01) {
  double cap = static_cast<double>(policy.initial_backoff.count()) * std::pow(2.0, std::min(index, 40));
  cap = std::min(cap, static_cast<double>(policy.max_backoff.count()));
  return milliseconds(static_cast<std::int64_t>(std::floor(std::clamp(random01, 0.0, 1.0) * cap)));
}

std::optional<RetryAfter> parse_retry_after(const http::Response& response, milliseconds cap) {
  auto v = response.header("Retry-After");
  if (!v) return std::nullopt;
  double secs = 0;
  try {
    std::size_t used = 0;
    secs = std::stod(std::string(*v), &used);
    if (used == 0 || secs < 0 || !std::isfinite(secs)) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;  // an HTTP-date (HubSpot sends none) or out of double's range: our own wait applies
  }
  // Compared as doubles: a huge value must never reach the integer conversion (undefined behaviour).
  const double ms = std::ceil(secs * 1000.0);
  cap = std::max(cap, milliseconds(0));
  if (ms > static_cast<double>(cap.count())) return RetryAfter{cap, secs};
  return RetryAfter{milliseconds(static_cast<std::int64_t>(ms)), std::nullopt};
}

Verdict classify_attempt(const CallTraits& call, const AttemptOutcome& outcome, const RetryPolicy& policy,
                         const WaitInputs& waits, const std::string& token, bool may_refresh_token) {
  if (outcome.transport_error)
    return classify_transport_error(call, *outcome.transport_error, policy, waits, token);
  const int status = outcome.response.status;
  if (status >= 200 && status < 300) {
    if (outcome.malformed) return classify_malformed(call, outcome, policy, waits, token);
    return Verdict{};
  }
  if (std::find(call.accept_statuses.begin(), call.accept_statuses.end(), status) !=
      call.accept_statuses.end())
    return Verdict{};
  return classify_error_status(call, outcome.response, policy, waits, token, may_refresh_token);
}

}  // namespace leadsync::hubspot::detail
