#pragma once
// Shared fixtures for the HubSpot client unit tests: a scripted transport, a manual clock, a fixed random
// source (so jitter is exact), a recording observer and helpers to build HubSpot-shaped JSON.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "leadsync/hubspot/client.hpp"
#include "leadsync/testing/fake_transport.hpp"
#include "leadsync/testing/manual_clock.hpp"

namespace leadsync::hubspot::test {

using Json = nlohmann::json;
using std::chrono::milliseconds;
using testing::FakeTransport;
using testing::ManualClock;
using testing::run_sync;

inline constexpr const char* kToken = "pat-na1-11111111-2222-3333-4444-555555555555";

// uniform() returns `value` every time (0.5 by default), so full-jitter backoff is exactly half the cap.
class FixedRandom final : public core::Random {
 public:
  explicit FixedRandom(double value = 0.5) : value_(value) {}
  double uniform() override { return value_; }
  void set(double v) { value_ = v; }

 private:
  double value_;
};

class RecordingObserver final : public ApiObserver {
 public:
  struct CallRecord {
    std::string route;
    int status;
  };
  void on_call(std::string_view route, int status, milliseconds) override {
    calls.push_back({std::string(route), status});
  }
  void on_rate_limited(std::string_view policy) override { rate_limited.emplace_back(policy); }
  void on_budget(const RateBudget& b) override { budgets.push_back(b); }
  void on_wait(std::string_view reason, milliseconds wait) override {
    waits.emplace_back(std::string(reason), wait);
  }
  void on_deprecation_notice(ApiVersion, const DeprecationNotice&) override { ++deprecations; }

  std::vector<CallRecord> calls;
  std::vector<std::string> rate_limited;
  std::vector<RateBudget> budgets;
  std::vector<std::pair<std::string, milliseconds>> waits;
  int deprecations = 0;
};

inline Json lead_json(const std::string& id, Json properties = Json::object()) {
  properties["hs_object_id"] = id;
  if (!properties.contains("hs_lastmodifieddate"))
    properties["hs_lastmodifieddate"] = "2026-01-17T19:55:04.281Z";
  return Json{{"id", id},
              {"properties", properties},
              {"createdAt", "2026-01-17T19:55:04.281Z"},
              {"updatedAt", "2026-01-17T19:55:04.281Z"},
              {"archived", false}};
}

inline std::string batch_json(const Json& results, const Json& errors = Json::array()) {
  Json j{{"status", "COMPLETE"},
         {"results", results},
         {"startedAt", "2026-01-17T19:55:04.281Z"},
         {"completedAt", "2026-01-17T19:55:04.300Z"}};
  if (!errors.empty()) {
    j["numErrors"] = errors.size();
    j["errors"] = errors;
  }
  return j.dump();
}

inline std::string error_json(const std::string& category, const std::string& message,
                              Json context = nullptr) {
  Json j{{"status", "error"},
         {"message", message},
         {"correlationId", "c0ffee00-0000-4000-8000-000000000001"},
         {"category", category}};
  if (!context.is_null()) j["context"] = context;
  return j.dump();
}

// Exact 429 bodies (docs/hubspot-api.md#429-bodies).
inline const std::string kTenSecondlyBody =
    R"({"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT",)"
    R"("correlationId":"20f98dfa-05b6-4d27-8d96-ecfde54ca211","policyName":"TEN_SECONDLY_ROLLING",)"
    R"("groupName":"publicapi:private_app-api-calls-ten-secondly:1512050:26892217"})";
inline const std::string kDailyBody =
    R"({"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT",)"
    R"("correlationId":"c033cdaa-2c40-4a64-ae48-b4cec88dad24","policyName":"DAILY","requestId":"3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd"})";
inline const std::string kSecondlyBody =
    R"({"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT"})";

inline std::optional<std::string> header(const http::Request& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return std::nullopt;
}

inline Json body_of(const http::Request& r) {
  return Json::parse(r.body);
}

// The client options of the tests written against the legacy /crm/v3 and /crm/v4 paths (most of them: the
// rules they check do not depend on the version); api_version_test.cpp covers the date versions.
inline ClientOptions legacy_options() {
  ClientOptions o;
  o.api_version = ApiVersion::legacy;
  return o;
}

// A client wired to fakes. Tests script `transport` and inspect `clock`, `observer`, `limiter`.
struct ClientFixture : public ::testing::Test {
  explicit ClientFixture(RateLimitOptions limits = {}, ClientOptions options = legacy_options())
      : limiter(clock, limits),
        client(transport, clock, random, tokens, limiter, observer, std::move(options)) {}

  ManualClock clock;
  FixedRandom random;
  FakeTransport transport;
  StaticTokenProvider tokens{kToken};
  RecordingObserver observer;
  RateLimiter limiter;
  HubSpotClient client;

  const http::Request& request(std::size_t i) const { return transport.requests().at(i); }
  std::vector<milliseconds> sleeps() const { return clock.sleeps(); }
};

}  // namespace leadsync::hubspot::test
