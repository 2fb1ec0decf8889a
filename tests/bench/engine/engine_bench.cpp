// engine_bench: drives core::SyncEngine with the production adapters (BeastTransport, HubSpotClient,
// HubSpotLeadsRemote, PgStore) against a running fake-hubspot and PostgreSQL, and prints one line of
// figures per step as key=value pairs. Steps:
//   import        one full cycle (initial import): leads/s, wall time, API calls, peak RSS
//   incremental   one automatic cycle after the caller changed leads: API calls, what was pulled/pushed
// Usage: engine_bench --base-url URL --dsn DSN --step NAME [--limit-per-10s N] [--lookback-ms N] [--table T]
//        [--log debug]   (every run is one automatic cycle; the first one is the full import)
#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include <spdlog/spdlog.h>

#include "leadsync/core/engine.hpp"
#include "leadsync/db/migrations.hpp"
#include "leadsync/db/pg_store.hpp"
#include "leadsync/db/schema_manager.hpp"
#include "leadsync/http/beast_transport.hpp"
#include "leadsync/hubspot/client.hpp"
#include "leadsync/hubspot/leads_remote.hpp"

using namespace leadsync;

namespace {

class CountingObserver final : public hubspot::ApiObserver {
 public:
  void on_call(std::string_view, int status, std::chrono::milliseconds) override {
    ++calls;
    if (status == 429) ++rate_limited;
  }
  void on_rate_limited(std::string_view) override {}
  void on_budget(const hubspot::RateBudget&) override {}
  void on_wait(std::string_view, std::chrono::milliseconds) override {}
  std::uint64_t calls = 0, rate_limited = 0;
};

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  std::string base_url, dsn, step = "import", table = "bench_leads";
  int limit = 0;
  long lookback_ms = 60'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--base-url")
      base_url = v;
    else if (k == "--dsn")
      dsn = v;
    else if (k == "--step")
      step = v;
    else if (k == "--limit-per-10s")
      limit = std::stoi(v);
    else if (k == "--lookback-ms")
      lookback_ms = std::stol(v);
    else if (k == "--table")
      table = v;
    else if (k == "--log")
      spdlog::set_level(spdlog::level::from_str(v));
  }
  if (base_url.empty() || dsn.empty()) {
    std::fprintf(stderr, "usage: engine_bench --base-url URL --dsn DSN --step import|incremental\n");
    return 2;
  }

  core::SyncMapping mapping;
  mapping.table = table;
  mapping.properties = {
      {"hs_lead_name", "lead_name", core::PropertyType::string, core::Direction::both},
      {"hs_lead_label", "lead_label", core::PropertyType::enumeration, core::Direction::both},
      {"hs_lead_type", "lead_type", core::PropertyType::enumeration, core::Direction::both}};
  mapping.associations = {{"contacts", {578, 608}}, {"companies", {580, 610}}};
  mapping.unique_key_property = "leadsync_key";

  db::MigrationRunner(dsn, LEADSYNC_MIGRATIONS_DIR).run();
  db::SchemaManager(dsn).ensure_schema(mapping);

  net::io_context io;
  net::thread_pool db_pool(1);
  core::SystemClock clock;
  core::StdRandom random(42);
  CountingObserver observer;
  http::TransportOptions to;
  to.base_url = base_url;
  http::BeastTransport transport(io.get_executor(), to);
  hubspot::StaticTokenProvider tokens("bench-token");
  hubspot::RateLimitOptions lo;
  lo.enabled = limit > 0;
  lo.requests_per_10s = limit > 0 ? limit : 100;
  lo.search_per_second = 100;
  hubspot::RateLimiter limiter(clock, lo);
  hubspot::ClientOptions co;
  co.unique_key_property = mapping.unique_key_property;
  hubspot::HubSpotClient client(transport, clock, random, tokens, limiter, observer, co);
  hubspot::HubSpotLeadsRemote remote(client, mapping, [&] { return observer.calls; });
  db::PgStore store(dsn, mapping);
  core::EngineOptions eo;
  eo.mapping = mapping;
  eo.search_lookback = core::Millis(lookback_ms);
  core::SyncEngine engine(store, remote, clock, db_pool.get_executor(), eo);

  auto run = [&](core::CycleRequest req) {
    auto f = net::co_spawn(io, engine.run_cycle(req), net::use_future);
    io.restart();
    io.run();
    return f.get();
  };
  {
    // As the daemon does at startup: creates carry the unique key, and HubSpot refuses an unknown property.
    auto f0 = net::co_spawn(io, remote.ensure_unique_key_property(true), net::use_future);
    io.run();
    f0.get();
  }
  const auto calls0 = observer.calls;
  const double cpu0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  auto report = run({core::CycleKind::automatic, false});
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  const auto& n = report.record.counts;
  std::printf(
      "step=%s status=%s mode=%s seconds=%.2f pulled=%lld created_local=%lld updated_local=%lld "
      "pushed=%lld api_calls=%llu http_429=%llu leads_per_s=%.0f cpu_s=%.2f cpu_us_per_lead=%.1f "
      "peak_rss_mb=%.1f\n",
      step.c_str(), report.record.status.c_str(), report.record.mode.c_str(), secs,
      static_cast<long long>(n.pulled), static_cast<long long>(n.created_local),
      static_cast<long long>(n.updated_local), static_cast<long long>(n.pushed),
      static_cast<unsigned long long>(observer.calls - calls0),
      static_cast<unsigned long long>(observer.rate_limited),
      secs > 0 ? static_cast<double>(n.pulled) / secs : 0.0, cpu,
      n.pulled ? cpu * 1e6 / static_cast<double>(n.pulled) : 0.0,
      static_cast<double>(peak_rss_kb()) / 1024.0);
  db_pool.join();
  return report.record.status == "success" ? 0 : 1;
}
