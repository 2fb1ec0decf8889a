// HubSpotClient: construction, the retry helper and shared helpers. Endpoints live in client_leads.cpp,
// client_associations.cpp and client_schema.cpp.
#include <cmath>
#include <cstdio>
#include <string_view>

#include "client_internal.hpp"
#include "leadsync/hubspot/client.hpp"

namespace leadsync::hubspot {

namespace {

using std::chrono::milliseconds;

// Never let the bearer token reach a message, whatever a server echoes back.
std::string scrub(std::string text, const std::string& secret) {
  if (secret.size() < 4) return text;
  for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
    text.replace(pos, secret.size(), "[redacted]");
  return text;
}

std::optional<milliseconds> retry_after(const http::Response& r) {
  auto v = r.header("Retry-After");
  if (!v) return std::nullopt;
  try {
    std::size_t used = 0;
    const double secs = std::stod(std::string(*v), &used);
    if (used == 0 || secs < 0 || !std::isfinite(secs)) return std::nullopt;
    return milliseconds(static_cast<std::int64_t>(std::ceil(secs * 1000.0)));
  } catch (const std::exception&) {
    return std::nullopt;  // an HTTP-date: not sent by HubSpot; fall back to our own wait
  }
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

std::string describe(const std::string& route, const detail::ErrorBody& e) {
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

// Which rate limit a 429 is about (docs/hubspot-api.md#429-bodies): policyName when sent, else the secondly
// message.
std::string rate_policy_of(const detail::ErrorBody& e, RatePolicy call_policy) {
  if (!e.details.policy.empty()) return e.details.policy;
  if (e.message.find("secondly limit") != std::string::npos &&
      e.message.find("ten_secondly") == std::string::npos)
    return kPolicySecondly;
  if (e.message.find("daily limit") != std::string::npos) return kPolicyDaily;
  return call_policy == RatePolicy::search ? kPolicySecondly : kPolicyTenSecondly;
}

}  // namespace

HubSpotClient::HubSpotClient(http::Transport& transport, core::Clock& clock, core::Random& random,
                             TokenProvider& tokens, RateLimiter& limiter, ApiObserver& observer,
                             ClientOptions options)
    : transport_(transport),
      clock_(clock),
      random_(random),
      tokens_(tokens),
      limiter_(limiter),
      observer_(observer),
      options_(std::move(options)) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(random_.uniform() * 4294967295.0));
  trace_prefix_ = std::string("ls") + buf;
}

std::string HubSpotClient::objects_path() const {
  return "/crm/v3/objects/" + detail::percent_encode(options_.object_type);
}

std::string HubSpotClient::next_trace_id() {
  return trace_prefix_ + "-" + std::to_string(++trace_counter_);
}

milliseconds HubSpotClient::backoff(int retry_index) {
  // Full jitter: uniform in [0, min(max_backoff, initial * 2^n)].
  const auto& rp = options_.retry;
  double cap = static_cast<double>(rp.initial_backoff.count()) * std::pow(2.0, std::min(retry_index, 40));
  cap = std::min(cap, static_cast<double>(rp.max_backoff.count()));
  return milliseconds(static_cast<std::int64_t>(std::floor(random_.uniform() * cap)));
}

PropertyDefinition HubSpotClient::unique_key_definition(std::string name, std::string label,
                                                        std::string group_name) {
  PropertyDefinition d;
  d.name = std::move(name);
  d.label = std::move(label);
  d.type = "string";
  d.field_type = "text";
  d.group_name = std::move(group_name);
  d.description = "leadsync sync key (one per row of the synced table); written by leadsync, do not edit";
  d.has_unique_value = true;
  d.form_field = false;
  return d;
}

net::awaitable<http::Response> HubSpotClient::with_retry(Call call, Decoder decode) {
  const auto& rp = options_.retry;
  const int max_attempts = std::max(1, rp.max_attempts);
  bool retried_after_401 = false;
  int attempt = 0;
  int backoff_index = 0;
  for (;;) {
    ++attempt;
    auto permit = co_await limiter_.acquire(call.policy);
    if (permit.waited().count() > 0)
      observer_.on_wait(call.policy == RatePolicy::search ? "rate_limit:search" : "rate_limit:ten_secondly",
                        permit.waited());
    const std::string token = co_await tokens_.access_token();

    http::Request request;
    request.method = call.method;
    request.target = call.target;
    request.headers.push_back({"Authorization", "Bearer " + token});
    request.headers.push_back({"Accept", "application/json"});
    if (call.body) {
      request.headers.push_back({"Content-Type", "application/json"});
      request.body = *call.body;
    }
    request.timeout = options_.request_timeout;

    const auto started = clock_.steady_now();
    http::Response response;
    std::optional<http::TransportError> transport_error;
    try {
      response = co_await transport_.send(std::move(request));
    } catch (const http::TransportError& e) {
      transport_error = e;
    }
    permit.complete();
    const auto elapsed = std::chrono::duration_cast<milliseconds>(clock_.steady_now() - started);

    // Outcome of this attempt when it is to be retried: the error to throw once attempts run out, and the
    // wait.
    std::optional<core::Error> failure;
    milliseconds wait{0};
    std::string wait_reason;

    if (transport_error) {
      observer_.on_call(call.route, 0, elapsed);
      core::ErrorDetails d;
      const std::string msg = scrub("HubSpot request " + call.route + " failed: " + transport_error->what() +
                                        " (" + http::to_string(transport_error->transport_kind()) + ")",
                                    token);
      if (transport_error->is_fatal()) throw core::fatal_error(msg, d);
      if (call.create && sent_before_failing(transport_error->transport_kind()))
        throw detail::AmbiguousFailure{core::transient_error(msg, d)};
      if (call.unconfirmed_attempt && sent_before_failing(transport_error->transport_kind()))
        *call.unconfirmed_attempt = true;
      if (transport_error->transport_kind() == http::TransportErrorKind::too_large) {
        // The same request gets the same oversized answer: retrying within this call only spends budget.
        // It stays transient (the run stops, a later one may find smaller pages) and names the setting the
        // operator can raise; the transport's own message names its internal option instead.
        const bool body =
            std::string_view(transport_error->what()).find("response body") != std::string_view::npos;
        throw core::transient_error(body ? "HubSpot's response to " + call.route +
                                               " is larger than hubspot.max_response_mb allows; not retried "
                                               "(the same request gets the "
                                               "same answer). Raise hubspot.max_response_mb if HubSpot's "
                                               "responses are really this large"
                                         : msg + "; not retried (the same request gets the same answer)",
                                    d);
      }
      failure = core::transient_error(msg, d);
      wait = backoff(backoff_index++);
      wait_reason = "backoff:transport";
    } else {
      const RateBudget budget = parse_rate_budget(response.headers);
      if (!budget.empty()) {
        limiter_.observe(budget, call.policy);
        observer_.on_budget(budget);
      }
      observer_.on_call(call.route, response.status, elapsed);
      const int status = response.status;

      if (status >= 200 && status < 300) {
        std::optional<std::string> malformed;
        try {
          if (decode) decode(response);
        } catch (const detail::MalformedResponse& m) {
          malformed = m.what();
        } catch (const nlohmann::json::exception& m) {
          malformed = m.what();
        } catch (const std::logic_error& m) {
          malformed = m.what();  // std::stoll and .at() on unexpected values
        }
        if (!malformed) co_return response;
        core::ErrorDetails d;
        d.http_status = status;
        if (auto cid = response.header("X-HubSpot-Correlation-Id")) d.correlation_id = std::string(*cid);
        const std::string msg =
            scrub("malformed response from HubSpot for " + call.route + ": " + *malformed, token);
        if (call.create) throw detail::AmbiguousFailure{core::transient_error(msg, d)};
        failure = core::transient_error(msg, d);
        wait = backoff(backoff_index++);
        wait_reason = "backoff:malformed";
      } else if (std::find(call.accept_statuses.begin(), call.accept_statuses.end(), status) !=
                 call.accept_statuses.end()) {
        co_return response;
      } else {
        detail::ErrorBody e = detail::decode_error_body(response);
        const auto server_wait = retry_after(response);
        if (server_wait) e.details.retry_after = server_wait;
        const std::string what = scrub(describe(call.route, e), token);

        if (status == 401) {
          if (!retried_after_401) {
            retried_after_401 = true;
            const bool refreshed = co_await tokens_.on_unauthorized();
            if (refreshed) {
              --attempt;  // the retry after a refresh is not a failure of HubSpot's
              continue;
            }
          }
          throw core::fatal_error("HubSpot rejected the credentials for " + what +
                                      ". Check the access token leadsync uses (hubspot.access_token_env or "
                                      "access_token_file; for OAuth the client id, secret and refresh token) "
                                      "and that the app is installed in this portal",
                                  e.details);
        }
        if (status == 403) {
          std::string hint;
          if (!e.required_scopes.empty()) {
            hint = ". The app lacks the scope(s): ";
            for (std::size_t i = 0; i < e.required_scopes.size(); ++i)
              hint += (i ? ", " : "") + e.required_scopes[i];
          }
          throw core::fatal_error(
              "HubSpot refused access for " + what + hint +
                  ". Grant the app the scopes crm.objects.leads.read and "
                  "crm.objects.leads.write (and check that the user who created the private "
                  "app still has permissions)",
              e.details);
        }
        if (status == 429) {
          const std::string policy = rate_policy_of(e, call.policy);
          e.details.policy = policy;
          observer_.on_rate_limited(policy);
          if (policy == kPolicyDaily) {
            limiter_.mark_daily_exhausted();
            const auto until = limiter_.next_daily_reset(clock_.now());
            e.details.retry_after = std::chrono::ceil<milliseconds>(until - clock_.now());
            throw core::transient_error(
                "HubSpot daily API limit reached for " + what + "; no more calls until the daily reset",
                e.details);
          }
          if (policy == kPolicySecondly) {
            wait = server_wait.value_or(rp.secondly_wait);
            limiter_.pause(RatePolicy::search, wait);
            wait_reason = "rate_limited:secondly";
          } else {
            // Wait until the oldest of our requests leaves HubSpot's rolling window (the whole window when
            // none of ours is in it), plus jitter so concurrent callers do not return together.
            const auto jitter = milliseconds(
                static_cast<std::int64_t>(std::floor(random_.uniform() * rp.ten_secondly_jitter.count())));
            wait = server_wait.value_or(limiter_.time_until_slot(RatePolicy::ten_secondly) + jitter);
            limiter_.pause(RatePolicy::ten_secondly, wait);
            wait_reason = "rate_limited:ten_secondly";
          }
          failure = core::transient_error("HubSpot rate limit for " + what, e.details);
        } else if (status == 423) {
          wait = server_wait.value_or(rp.locked_wait);
          wait_reason = "locked";
          failure = core::transient_error("HubSpot locked the record(s) for " + what, e.details);
        } else if (status == 477) {
          wait = server_wait.value_or(backoff(backoff_index++));
          wait_reason = "migration";
          failure = core::transient_error("HubSpot account migration in progress for " + what, e.details);
        } else if (status >= 500) {
          const std::string msg = "HubSpot server error for " + what;
          if (call.create) throw detail::AmbiguousFailure{core::transient_error(msg, e.details)};
          wait = server_wait.value_or(backoff(backoff_index++));
          wait_reason = "backoff:server_error";
          failure = core::transient_error(msg, e.details);
        } else if (status == 414) {
          // The request line is too long for HubSpot: reads put every mapped property in the query string, so
          // only a shorter mapping helps. A configuration problem (exit 78), not an outage to retry.
          e.details.category = "CONFIG";
          throw core::fatal_error(
              "HubSpot refused the request line as too long (414) for " + what +
                  ": map fewer properties under mappings (every mapped property is sent in "
                  "the query string of lead reads)",
              e.details);
        } else if (status >= 400) {
          throw core::record_error("HubSpot refused " + what, e.details);
        } else {
          // 1xx/3xx: not something HubSpot sends to an API client; treat like a bad gateway.
          wait = server_wait.value_or(backoff(backoff_index++));
          wait_reason = "backoff:unexpected_status";
          failure = core::transient_error("unexpected HTTP status from HubSpot for " + what, e.details);
        }
      }
    }

    if (attempt >= max_attempts) {
      throw core::Error(
          failure->kind(),
          std::string(failure->what()) + " (gave up after " + std::to_string(attempt) + " attempts)",
          failure->details());
    }
    observer_.on_wait(wait_reason, wait);
    co_await clock_.sleep_for(wait);
  }
}

}  // namespace leadsync::hubspot
