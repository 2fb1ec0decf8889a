#pragma once
// Fixture for the HubSpot client integration tests: a fake-hubspot process on port 0, the real
// BeastTransport on one io_context, the real clock, and short retry/backoff settings so fault tests finish
// quickly (the waits themselves are asserted exactly in the unit tests).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "leadsync/http/beast_transport.hpp"
#include "leadsync/hubspot/client.hpp"
#include "leadsync/testing/fake_hubspot.hpp"

namespace leadsync::hubspot::itest {

using Json = nlohmann::json;
using std::chrono::milliseconds;

class CountingObserver final : public ApiObserver {
 public:
  void on_call(std::string_view route, int status, milliseconds) override {
    ++calls[std::string(route)];
    ++statuses[status];
  }
  void on_rate_limited(std::string_view policy) override { ++rate_limited[std::string(policy)]; }
  void on_budget(const RateBudget& b) override { last_budget = b; }
  void on_wait(std::string_view reason, milliseconds w) override {
    waits.emplace_back(std::string(reason), w);
  }

  std::map<std::string, int> calls;
  std::map<int, int> statuses;
  std::map<std::string, int> rate_limited;
  RateBudget last_budget;
  std::vector<std::pair<std::string, milliseconds>> waits;
};

inline ClientOptions fast_retry() {
  ClientOptions o;
  o.api_version = ApiVersion::legacy;  // these tests' fault rules and route counts spell /crm/v3 paths
  o.retry.max_attempts = 4;
  o.retry.initial_backoff = milliseconds(10);
  o.retry.max_backoff = milliseconds(100);
  o.retry.ten_secondly_jitter = milliseconds(50);
  o.retry.locked_wait = milliseconds(200);
  o.request_timeout = milliseconds(2'000);
  return o;
}

inline RateLimitOptions generous_limits() {
  RateLimitOptions o;
  o.requests_per_10s = 10'000;
  o.search_per_second = 100;
  // fake-hubspot sends no ten-secondly headers unless it limits; a short window keeps 429 waits short.
  o.interval = milliseconds(1'000);
  return o;
}

template <class T>
T run(net::io_context& ioc, net::awaitable<T> aw) {
  std::optional<T> result;
  std::exception_ptr error;
  net::co_spawn(ioc, std::move(aw), [&](std::exception_ptr e, T v) {
    if (e)
      error = e;
    else
      result.emplace(std::move(v));
  });
  ioc.restart();
  ioc.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

inline void run(net::io_context& ioc, net::awaitable<void> aw) {
  std::exception_ptr error;
  net::co_spawn(ioc, std::move(aw), [&](std::exception_ptr e) { error = e; });
  ioc.restart();
  ioc.run();
  if (error) std::rethrow_exception(error);
}

struct FakeSetup {
  std::vector<std::string> fake_args;
  ClientOptions client = fast_retry();
  RateLimitOptions limits = generous_limits();
  std::string token;  // "" = the fake's token
};

class FakeHubspotTest : public ::testing::Test {
 protected:
  explicit FakeHubspotTest(FakeSetup setup = {})
      : fake(testing::FakeHubspot::Options{{"test-token"}, setup.fake_args}),
        transport(ioc.get_executor(), http::TransportOptions{fake.base_url()}),
        tokens(setup.token.empty() ? fake.token() : setup.token),
        limiter(clock, setup.limits),
        client(transport, clock, random, tokens, limiter, observer, setup.client) {}

  ~FakeHubspotTest() override {
    try {
      itest::run(ioc, transport.shutdown());
    } catch (...) {
    }
  }

  template <class T>
  T run(net::awaitable<T> aw) {
    return itest::run(ioc, std::move(aw));
  }
  void run(net::awaitable<void> aw) { itest::run(ioc, std::move(aw)); }

  Json admin(const std::string& method, const std::string& path, const std::string& body = {}) {
    auto r = fake.admin(method, path, body);
    EXPECT_LT(r.status, 300) << method << " " << path << ": " << r.body;
    return r.body.empty() ? Json() : Json::parse(r.body);
  }
  std::string new_contact() {
    return admin("POST", "/_fake/contacts", R"({"properties":{"email":"a@example.com"}})")["id"];
  }
  std::string new_company() {
    return admin("POST", "/_fake/companies", R"({"properties":{"name":"Acme"}})")["id"];
  }
  void fault(const Json& f) { admin("POST", "/_fake/faults", f.dump()); }
  Json stats() { return admin("GET", "/_fake/stats"); }
  int route_count(const std::string& route) {
    Json s = stats();
    return s["requests"].contains(route) ? s["requests"][route].get<int>() : 0;
  }

  static LeadCreateInput lead_input(const std::string& name, const std::string& contact_id) {
    LeadCreateInput in;
    in.properties = {{"hs_lead_name", name}};
    in.associations.push_back({contact_id, {{"HUBSPOT_DEFINED", 578}}});
    return in;
  }

  testing::FakeHubspot fake;
  net::io_context ioc;
  http::BeastTransport transport;
  core::SystemClock clock;
  core::StdRandom random{7};
  StaticTokenProvider tokens;
  CountingObserver observer;
  RateLimiter limiter;
  HubSpotClient client;
};

}  // namespace leadsync::hubspot::itest
