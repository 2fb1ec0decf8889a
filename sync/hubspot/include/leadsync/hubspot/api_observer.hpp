#pragma once
// ApiObserver: how the HubSpot client reports what it does (for /metrics, --status and run counts)
// without depending on a metrics library. The daemon implements it; tests may count calls with it.
// Callbacks run on the client's executor and must not block.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "leadsync/hubspot/api_version.hpp"
#include "leadsync/hubspot/deprecation_notice.hpp"

namespace leadsync::hubspot {

struct RateBudget {
  std::optional<std::int64_t> ten_secondly_remaining;  // X-HubSpot-RateLimit-Remaining
  std::optional<std::int64_t> ten_secondly_max;        // X-HubSpot-RateLimit-Max
  std::optional<std::int64_t> daily_remaining;         // X-HubSpot-RateLimit-Daily-Remaining
  std::optional<std::int64_t> daily_max;               // X-HubSpot-RateLimit-Daily
  std::optional<std::int64_t> interval_ms;             // X-HubSpot-RateLimit-Interval-Milliseconds

  bool empty() const {
    return !ten_secondly_remaining && !ten_secondly_max && !daily_remaining && !daily_max && !interval_ms;
  }
};

class ApiObserver {
 public:
  virtual ~ApiObserver() = default;
  // One HTTP exchange finished. `route` is a template such as "PATCH /crm/v3/objects/leads/{id}";
  // status is 0 when no response arrived (transport error).
  virtual void on_call(std::string_view route, int status, std::chrono::milliseconds elapsed) = 0;
  // HubSpot answered 429 for the named policy (TEN_SECONDLY_ROLLING, SECONDLY, DAILY).
  virtual void on_rate_limited(std::string_view policy) = 0;
  // The budget HubSpot reported in its rate-limit headers.
  virtual void on_budget(const RateBudget& budget) = 0;
  // The client will wait this long before retrying (backoff, Retry-After, rate limiting).
  virtual void on_wait(std::string_view reason, std::chrono::milliseconds wait) = 0;
  // A response announced a deprecation or sunset of `version` (deprecation_notice.hpp); `notice` is all the
  // client knows of it so far. Every such response reports, so last_seen stays current. Not pure: most
  // observers have no use for it.
  virtual void on_deprecation_notice(ApiVersion /*version*/, const DeprecationNotice& /*notice*/) {}
};

// Counts nothing; the default when no observer is wired.
class NullApiObserver final : public ApiObserver {
 public:
  void on_call(std::string_view, int, std::chrono::milliseconds) override {}
  void on_rate_limited(std::string_view) override {}
  void on_budget(const RateBudget&) override {}
  void on_wait(std::string_view, std::chrono::milliseconds) override {}
};

}  // namespace leadsync::hubspot
