// hubspot_bench: how close HubSpotClient runs to a portal's ten-secondly budget without a 429, and what a
// request costs the client when the limiter is off. Run through run.sh, which starts fake-hubspot with
// --rate-limit-per-10s 190 --seed-leads 20000 and passes its URL.
//
// Phase 1 (limited): `--limited-seconds` of back-to-back list calls (limit=100, paging through all leads,
// then starting over) with RateLimiter{requests_per_10s = --rate}. Prints requests per 10 s as a share of the
// budget, the busiest 10-second window seen by the client, and the 429s (client-side and fake-hubspot's
// count). Phase 2 (unlimited): fake-hubspot's limit switched off via /_fake/config, RateLimiter disabled;
// `--unlimited-seconds` of list calls. Prints requests per second and client CPU time per request
// (getrusage).
#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "leadsync/http/beast_transport.hpp"
#include "leadsync/hubspot/client.hpp"

using namespace leadsync;
using namespace std::chrono;

namespace {

struct Options {
  std::string base_url;
  std::string token = "bench-token";
  int rate = 190;
  int limited_seconds = 60;
  int unlimited_seconds = 15;
  int concurrency = 1;
};

class Counter final : public hubspot::ApiObserver {
 public:
  void on_call(std::string_view, int status, milliseconds) override {
    if (status >= 200 && status < 300)
      completions.push_back(steady_clock::now());
    else
      ++failures;
  }
  void on_rate_limited(std::string_view) override { ++rate_limited; }
  void on_budget(const hubspot::RateBudget&) override {}
  void on_wait(std::string_view, milliseconds) override {}

  std::vector<steady_clock::time_point> completions;
  int failures = 0;
  int rate_limited = 0;
};

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Back-to-back list pages until `deadline`, paging through every lead and starting over at the end.
net::awaitable<void> list_until(hubspot::HubSpotClient& client, steady_clock::time_point deadline,
                                std::int64_t& leads) {
  hubspot::ListRequest req;
  req.limit = 100;
  req.properties = {"hs_lead_name", "hs_lead_label", "hs_pipeline_stage", "hs_lastmodifieddate"};
  while (steady_clock::now() < deadline) {
    auto page = co_await client.list_page(req);
    leads += static_cast<std::int64_t>(page.results.size());
    req.after = page.next_after;
  }
}

template <class T>
T run(net::io_context& ioc, net::awaitable<T> aw) {
  std::optional<T> out;
  std::exception_ptr error;
  net::co_spawn(ioc, std::move(aw), [&](std::exception_ptr e, T v) {
    if (e)
      error = e;
    else
      out.emplace(std::move(v));
  });
  ioc.restart();
  ioc.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

void run_all(net::io_context& ioc, std::vector<net::awaitable<void>> tasks) {
  std::exception_ptr error;
  for (auto& t : tasks)
    net::co_spawn(ioc, std::move(t), [&](std::exception_ptr e) {
      if (e && !error) error = e;
    });
  ioc.restart();
  ioc.run();
  if (error) std::rethrow_exception(error);
}

nlohmann::json admin(net::io_context& ioc, http::Transport& t, std::string method, std::string target,
                     std::string body = {}) {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  if (!r.body.empty()) r.headers.push_back({"Content-Type", "application/json"});
  http::Response resp = run(ioc, t.send(std::move(r)));
  if (resp.status >= 300)
    throw std::runtime_error("admin call failed: " + std::to_string(resp.status) + " " + resp.body);
  return resp.body.empty() ? nlohmann::json() : nlohmann::json::parse(resp.body);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--base-url")
      o.base_url = v;
    else if (k == "--token")
      o.token = v;
    else if (k == "--rate")
      o.rate = std::stoi(v);
    else if (k == "--limited-seconds")
      o.limited_seconds = std::stoi(v);
    else if (k == "--unlimited-seconds")
      o.unlimited_seconds = std::stoi(v);
    else if (k == "--concurrency")
      o.concurrency = std::stoi(v);
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  if (o.base_url.empty()) {
    std::cerr << "usage: hubspot_bench --base-url http://127.0.0.1:PORT [--token T] [--rate 190] "
                 "[--limited-seconds 60] [--unlimited-seconds 15] [--concurrency 1]\n";
    return 2;
  }

  net::io_context ioc;
  http::TransportOptions topts;
  topts.base_url = o.base_url;
  topts.max_connections = static_cast<std::size_t>(std::max(1, o.concurrency));
  http::BeastTransport transport(ioc.get_executor(), topts);
  core::SystemClock clock;
  core::StdRandom random(1);
  hubspot::StaticTokenProvider tokens(o.token);
  hubspot::ClientOptions copts;
  int status = 0;

  try {
    const int fake_rate = admin(ioc, transport, "GET", "/_fake/config")["rate_limit_per_10s"];
    admin(ioc, transport, "DELETE", "/_fake/stats");

    // ---- phase 1: limiter on, at the portal's budget ------------------------------------------
    {
      Counter counter;
      hubspot::RateLimitOptions lopts;
      lopts.requests_per_10s = o.rate;
      hubspot::RateLimiter limiter(clock, lopts);
      hubspot::HubSpotClient client(transport, clock, random, tokens, limiter, counter, copts);
      std::int64_t leads = 0;
      const auto start = steady_clock::now();
      const auto deadline = start + seconds(o.limited_seconds);
      std::vector<net::awaitable<void>> tasks;
      for (int c = 0; c < o.concurrency; ++c) tasks.push_back(list_until(client, deadline, leads));
      run_all(ioc, std::move(tasks));
      const double elapsed = duration<double>(steady_clock::now() - start).count();
      // Requests completed inside the measured period.
      std::size_t in_period = 0;
      for (auto t : counter.completions)
        if (t <= deadline) ++in_period;
      std::size_t busiest = 0, lo = 0;
      for (std::size_t hi = 0; hi < counter.completions.size(); ++hi) {
        while (counter.completions[hi] - counter.completions[lo] >= seconds(10)) ++lo;
        busiest = std::max(busiest, hi - lo + 1);
      }
      // Long-run rate, independent of where the 60 s cut falls in the burst cycle: the mean time between a
      // completion and the one `rate` requests later is the period in which the budget is spent.
      double period_s = 0;
      const std::size_t k = static_cast<std::size_t>(o.rate);
      if (counter.completions.size() > k) {
        for (std::size_t i = 0; i + k < counter.completions.size(); ++i)
          period_s += duration<double>(counter.completions[i + k] - counter.completions[i]).count();
        period_s /= static_cast<double>(counter.completions.size() - k);
      }
      const auto stats = admin(ioc, transport, "GET", "/_fake/stats");
      const double per_10s = static_cast<double>(in_period) / o.limited_seconds * 10.0;
      std::printf("phase 1 (limiter on): requests_per_10s=%d (fake-hubspot limit %d), %d s, concurrency %d\n",
                  o.rate, fake_rate, o.limited_seconds, o.concurrency);
      std::printf(
          "  requests completed        %zu in %d s (%zu in total, run took %.1f s), %lld leads read\n",
          in_period, o.limited_seconds, counter.completions.size(), elapsed, static_cast<long long>(leads));
      std::printf("  achieved per 10 s         %.1f = %.1f %% of the %d budget\n", per_10s,
                  100.0 * per_10s / o.rate, o.rate);
      if (period_s > 0)
        std::printf(
            "  long-run rate             %d requests every %.3f s = %.1f per 10 s = %.1f %% of budget\n",
            o.rate, period_s, o.rate * 10.0 / period_s, 100.0 * 10.0 / period_s);
      std::printf("  busiest 10 s window       %zu requests (client-observed completions)\n", busiest);
      std::printf("  429 responses             %d seen by the client, %d sent by fake-hubspot\n",
                  counter.rate_limited, stats["rate_limited"].get<int>());
      if (counter.rate_limited > 0 || stats["rate_limited"].get<int>() > 0 || per_10s < 0.95 * o.rate)
        status = 1;
    }

    // ---- phase 2: limiter off, fake-hubspot unlimited -------------------------------------------
    {
      admin(ioc, transport, "POST", "/_fake/config", R"({"rate_limit_per_10s":0})");
      Counter counter;
      hubspot::RateLimitOptions lopts;
      lopts.enabled = false;
      hubspot::RateLimiter limiter(clock, lopts);
      hubspot::HubSpotClient client(transport, clock, random, tokens, limiter, counter, copts);
      std::int64_t leads = 0;
      const double cpu0 = cpu_seconds();
      const auto start = steady_clock::now();
      std::vector<net::awaitable<void>> tasks;
      for (int c = 0; c < o.concurrency; ++c)
        tasks.push_back(list_until(client, start + seconds(o.unlimited_seconds), leads));
      run_all(ioc, std::move(tasks));
      const double elapsed = duration<double>(steady_clock::now() - start).count();
      const double cpu = cpu_seconds() - cpu0;
      const auto n = static_cast<double>(counter.completions.size());
      std::printf("phase 2 (limiter off, fake-hubspot unlimited): %.1f s, concurrency %d\n", elapsed,
                  o.concurrency);
      std::printf("  requests                  %.0f (%lld leads), %.0f requests/s\n", n,
                  static_cast<long long>(leads), n / elapsed);
      std::printf("  client CPU                %.2f s user+sys = %.0f us per request (%.2f us per lead)\n",
                  cpu, cpu / n * 1e6, cpu / static_cast<double>(leads) * 1e6);
      admin(ioc, transport, "POST", "/_fake/config",
            "{\"rate_limit_per_10s\":" + std::to_string(fake_rate) + "}");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hubspot_bench: %s\n", e.what());
    status = 2;
  }
  try {
    [&] {
      std::exception_ptr ignored;
      net::co_spawn(ioc, transport.shutdown(), [&](std::exception_ptr e) { ignored = e; });
      ioc.restart();
      ioc.run();
    }();
  } catch (...) {
  }
  return status;
}
