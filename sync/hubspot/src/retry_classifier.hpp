#pragma once
// Internal: what to do after one attempt of a HubSpot call - done, retry after a wait, or fail - as a pure
// function of what the attempt produced. No I/O, no clock, no randomness of its own:
// HubSpotClient::with_retry gathers the inputs (the response, the decoder's verdict, a random draw, the
// limiter's window) and applies the effects the verdict names (pausing a bucket, marking the daily budget
// spent, refreshing the token), so every rule here is unit-tested without a transport
// (tests/unit/hubspot/retry_classifier_test.cpp).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "leadsync/core/error.hpp"
#include "leadsync/http/transport.hpp"
#include "leadsync/hubspot/client.hpp"
#include "leadsync/hubspot/rate_limiter.hpp"

namespace leadsync::hubspot::detail {

// The facts about a call that its retries depend on.
struct CallTraits {
  std::string route;  // "PATCH /crm/v3/objects/leads/{id}": messages name it
  RatePolicy policy = RatePolicy::ten_secondly;
  bool create = false;               // not idempotent: an ambiguous failure is not retried here
  std::vector<int> accept_statuses;  // non-2xx statuses that are answers (e.g. 404)
};

// What one attempt produced: a transport error, or a response (and, for a 2xx, what its decoder said).
struct AttemptOutcome {
  std::optional<http::TransportError> transport_error;
  http::Response response;
  std::optional<std::string> malformed;  // a 2xx body the decoder refused, and why
};

// Inputs for the waits, drawn by the caller before classifying.
struct WaitInputs {
  int backoff_index = 0;  // backoff steps taken so far in this call
  double random01 = 0;    // one uniform draw in [0, 1): the backoff's or the TEN_SECONDLY jitter
  std::chrono::milliseconds ten_secondly_slot{0};  // RateLimiter::time_until_slot(ten_secondly)
  std::chrono::milliseconds until_daily_reset{0};  // time to the next daily reset
};

// A Retry-After that asked for more than hubspot.retry.max_backoff: the wait was cut to that.
struct ClampedWait {
  double asked_seconds = 0;
  std::chrono::milliseconds used{0};
};

struct Verdict {
  enum class Action {
    done,           // the response is the answer
    retry,          // wait `wait`, then try again (`error` if no attempt is left)
    fail,           // throw `error` (as AmbiguousFailure when `ambiguous`)
    refresh_token,  // a 401: refresh the token and try again; throw `error` if that is not possible
  };
  Action action = Action::done;
  std::optional<core::Error> error;
  bool ambiguous = false;  // fail: a create that may have happened
  std::chrono::milliseconds wait{0};
  std::string wait_reason;    // for ApiObserver::on_wait, e.g. "backoff:server_error"
  bool backoff_step = false;  // the next backoff is one step longer
  bool unconfirmed = false;   // a request was sent and not answered: a later one may overtake it
  // Effects for the caller to apply.
  std::optional<std::string> rate_limited_policy;  // a 429 of this policy: ApiObserver::on_rate_limited
  std::optional<RatePolicy> pause;                 // block this bucket for `wait`
  bool daily_exhausted = false;                    // RateLimiter::mark_daily_exhausted
  std::optional<ClampedWait> clamped;              // log that the server's wait was cut
};

// Full jitter: uniform in [0, min(max_backoff, initial_backoff * 2^index)].
std::chrono::milliseconds full_jitter_backoff(const RetryPolicy& policy, int index, double random01);

// A Retry-After header in seconds, at most `cap` (`clamped` says when it asked for more). nullopt when
// absent or not a non-negative number (an HTTP-date: HubSpot does not send one).
struct RetryAfter {
  std::chrono::milliseconds wait{0};
  std::optional<double> clamped_from_seconds;
};
std::optional<RetryAfter> parse_retry_after(const http::Response& response, std::chrono::milliseconds cap);

// `token` is removed from every message (a server may echo it); `may_refresh_token`: no refresh tried yet.
Verdict classify_attempt(const CallTraits& call, const AttemptOutcome& outcome, const RetryPolicy& policy,
                         const WaitInputs& waits, const std::string& token, bool may_refresh_token);

}  // namespace leadsync::hubspot::detail
