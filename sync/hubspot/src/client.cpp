// HubSpotClient: construction, the retry helper and shared helpers. Endpoints live in client_leads.cpp,
// client_associations.cpp and client_schema.cpp.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "client_internal.hpp"
#include "leadsync/hubspot/client.hpp"
#include "response_form.hpp"
#include "retry_classifier.hpp"
#include "routes.hpp"

namespace leadsync::hubspot {

using std::chrono::milliseconds;

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

HubSpotClient::Call HubSpotClient::call_for(detail::Op op, const detail::RouteArgs& args) const {
  detail::Route r = detail::route(op, options_.api_version, options_.object_type, args);
  Call call;
  call.method = std::move(r.method);
  call.target = std::move(r.target);
  call.route = std::move(r.route);
  return call;
}

HubSpotClient::Call HubSpotClient::call_for(detail::Op op) const {
  return call_for(op, detail::RouteArgs{});
}

std::string HubSpotClient::next_trace_id() {
  return trace_prefix_ + "-" + std::to_string(++trace_counter_);
}

milliseconds HubSpotClient::backoff(int retry_index) {
  return detail::full_jitter_backoff(options_.retry, retry_index, random_.uniform());
}

void HubSpotClient::stop_waiting() {
  waits_.stop();
  limiter_.stop_waiting();
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

// What one attempt produced, and the token it was sent with (removed from every message).
struct HubSpotClient::Attempt {
  detail::AttemptOutcome outcome;
  std::string token;
};

http::Request HubSpotClient::build_request(const Call& call, const std::string& token) const {
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
  return request;
}

// One exchange: a rate-limit slot, the token, the request, what HubSpot said about its budget, and the
// decoder's verdict on a 2xx. Transport errors are caught into the outcome: what they mean is the
// classifier's business.
net::awaitable<void> HubSpotClient::send_attempt(const Call& call, const Decoder& decode, Attempt& out) {
  auto permit = co_await limiter_.acquire(call.policy, priority_);
  if (permit.waited().count() > 0)
    observer_.on_wait(call.policy == RatePolicy::search ? "rate_limit:search" : "rate_limit:ten_secondly",
                      permit.waited());
  out.token = co_await tokens_.access_token();
  auto& outcome = out.outcome;
  const auto started = clock_.steady_now();
  try {
    outcome.response = co_await transport_.send(build_request(call, out.token));
  } catch (const http::TransportError& e) {
    outcome.transport_error = e;
  }
  permit.complete();
  const auto elapsed = std::chrono::duration_cast<milliseconds>(clock_.steady_now() - started);
  if (outcome.transport_error) {
    observer_.on_call(call.route, 0, elapsed);
    co_return;
  }
  const RateBudget budget = parse_rate_budget(outcome.response.headers);
  if (!budget.empty()) {
    limiter_.observe(budget, call.policy);
    observer_.on_budget(budget);
  }
  note_deprecation(outcome.response);
  observer_.on_call(call.route, outcome.response.status, elapsed);
  if (outcome.response.status < 200 || outcome.response.status >= 300 || !decode) co_return;
  if (auto unreadable = detail::unreadable_body(outcome.response)) {
    outcome.malformed = std::move(*unreadable);  // never handed to a JSON decoder
    co_return;
  }
  try {
    decode(outcome.response);
  } catch (const detail::MalformedResponse& m) {
    outcome.malformed = m.what();
  } catch (const nlohmann::json::exception& m) {
    outcome.malformed = m.what();
  } catch (const std::logic_error& m) {
    outcome.malformed = m.what();  // std::stoll and .at() on unexpected values
  }
}

void HubSpotClient::apply_effects(const Call& call, const detail::Verdict& verdict) {
  if (verdict.unconfirmed && call.unconfirmed_attempt && !call.create) *call.unconfirmed_attempt = true;
  if (verdict.rate_limited_policy) observer_.on_rate_limited(*verdict.rate_limited_policy);
  if (verdict.daily_exhausted) limiter_.mark_daily_exhausted();
  if (verdict.pause) limiter_.pause(*verdict.pause, verdict.wait);
  if (verdict.clamped)
    spdlog::warn(
        "HubSpot asked to wait {} s (Retry-After) before retrying {}; waiting {} ms instead "
        "(hubspot.retry.max_backoff)",
        verdict.clamped->asked_seconds, call.route, verdict.clamped->used.count());
}

net::awaitable<http::Response> HubSpotClient::with_retry(Call call, Decoder decode) {
  const detail::CallTraits traits{call.route, call.policy, call.create, call.accept_statuses};
  const int max_attempts = std::max(1, options_.retry.max_attempts);
  bool may_refresh_token = true;
  int backoff_index = 0;
  for (int attempt = 1;; ++attempt) {
    Attempt a;
    co_await send_attempt(call, decode, a);
    const detail::WaitInputs waits{
        backoff_index, random_.uniform(), limiter_.time_until_slot(RatePolicy::ten_secondly),
        std::chrono::ceil<milliseconds>(limiter_.next_daily_reset(clock_.now()) - clock_.now())};
    const detail::Verdict verdict =
        detail::classify_attempt(traits, a.outcome, options_.retry, waits, a.token, may_refresh_token);
    apply_effects(call, verdict);
    switch (verdict.action) {
      case detail::Verdict::Action::done:
        co_return std::move(a.outcome.response);
      case detail::Verdict::Action::fail:
        if (verdict.ambiguous) throw detail::AmbiguousFailure{*verdict.error};
        throw *verdict.error;
      case detail::Verdict::Action::refresh_token:
        may_refresh_token = false;
        if (!co_await tokens_.on_unauthorized()) throw *verdict.error;
        --attempt;  // the retry after a refresh is not a failure of HubSpot's
        continue;
      case detail::Verdict::Action::retry:
        break;
    }
    if (verdict.backoff_step) ++backoff_index;
    const core::Error& failure = *verdict.error;
    if (attempt >= max_attempts)
      throw core::Error(
          failure.kind(),
          std::string(failure.what()) + " (gave up after " + std::to_string(attempt) + " attempts)",
          failure.details());
    observer_.on_wait(verdict.wait_reason, verdict.wait);
    if (!co_await waits_.sleep(clock_, verdict.wait))
      throw core::Error(failure.kind(), std::string(failure.what()) + " (not retried: leadsync is stopping)",
                        failure.details());
  }
}

}  // namespace leadsync::hubspot
