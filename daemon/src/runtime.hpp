#pragma once
// Runtime: every long-lived object of one leadsync process. Process-wide: the network io_context (one
// thread: the caller of run()), the one-thread database executor the engine offloads libpqxx work to, a
// one-thread "control" executor for the daemon's own sessions (leader lock, LISTEN), clock, random source
// and the ApiStats observer (its counters survive reloads). Rebuilt on reload (Stack): HTTPS transport,
// token provider, rate limiter, HubSpot client and adapter, PostgreSQL store and sync engine.
//
// prepare() applies migrations and fits the table to the mapping (blocking). cycle() is the coroutine the
// scheduler and --sync-now run; after each cycle it persists the last rate-limit budget HubSpot reported
// (sync_state keys kStateBudget*) for --status, and the first cycle of a stack reads back a daily limit
// exhausted earlier (kStateDailyExhaustedUntil), so a restarted process makes no calls until the reset.
// reconfigure() swaps in a stack built from a new configuration; it must only be awaited while no cycle runs.
// Throws core::Error from construction, prepare(), cycle() and reconfigure() (see main.cpp for exit codes).
// Thread-safety: owned by the main thread; coroutines run on io(); nothing here is thread-safe.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <functional>
#include <memory>

#include "api_stats.hpp"
#include "leadsync/config/app_config.hpp"
#include "leadsync/config/secrets.hpp"
#include "leadsync/core/clock.hpp"
#include "leadsync/core/engine.hpp"
#include "leadsync/core/random.hpp"
#include "leadsync/db/pg_store.hpp"
#include "leadsync/db/schema_manager.hpp"
#include "leadsync/http/beast_transport.hpp"
#include "leadsync/hubspot/client.hpp"
#include "leadsync/hubspot/leads_remote.hpp"

namespace leadsync::daemon {

// Where the SQL migrations are: $LEADSYNC_MIGRATIONS_DIR, else <dir of the executable>/../share/leadsync/
// migrations (any install prefix, the .deb included), else the configured install dir, else the sources
// this binary was built from.
std::filesystem::path default_migrations_dir();

// sync_state keys holding the budget HubSpot reported last (X-HubSpot-RateLimit-* headers).
inline constexpr const char* kStateBudgetDailyRemaining = "hubspot.daily_remaining";
inline constexpr const char* kStateBudgetDailyMax = "hubspot.daily_max";
inline constexpr const char* kStateBudgetTenSecondlyMax = "hubspot.ten_secondly_max";
inline constexpr const char* kStateBudgetReportedAt = "hubspot.budget_reported_at";        // epoch ms
inline constexpr const char* kStateDailyExhaustedUntil = "hubspot.daily_exhausted_until";  // epoch ms or ""
// sync_state key of the deprecation notice HubSpot's response headers carried for one API version
// (hubspot::encode_deprecation_notice), for --status.
inline std::string state_key_deprecation(hubspot::ApiVersion v) {
  return "hubspot.deprecation_notice." + std::string(hubspot::to_string(v));
}

class Runtime {
 public:
  Runtime(config::AppConfig cfg, const config::Secrets& secrets, std::filesystem::path migrations_dir);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Migrations, then the mapped table (created, extended, or refused when it does not fit). Blocking.
  db::SchemaReport prepare();
  // Checks the unique key property once per stack (creating it when configured), then one cycle.
  net::awaitable<core::CycleReport> cycle(core::CycleRequest request);
  core::CycleReport run_cycle_blocking(core::CycleRequest request);
  // Runs any coroutine to completion on io() (one-shot modes).
  template <typename T>
  T run_blocking(net::awaitable<T> work);

  // Builds a stack for the new configuration (keeping the transport and the rate limiter when their
  // options did not change, so keep-alive connections and the rate window survive), fits the table to the
  // new mapping, then replaces the current stack. On any exception the current stack stays in place.
  net::awaitable<void> reconfigure(config::AppConfig cfg, config::Secrets secrets);
  // Closes HubSpot connections cleanly (end of the daemon).
  net::awaitable<void> shutdown();

  // The progress callback and the sweeps' yield check (SyncEngine::set_yield_check) are re-attached to every
  // new engine.
  void set_progress_callback(std::function<void(const core::Progress&)> cb);
  void set_yield_check(std::function<bool()> check);

  net::io_context& io() { return io_; }
  net::any_io_executor db_executor() { return db_pool_.get_executor(); }
  net::any_io_executor control_executor() { return control_pool_.get_executor(); }
  db::PgStore& store() { return *stack_->store; }
  core::SyncEngine& engine() { return *stack_->engine; }
  hubspot::HubSpotClient& client() { return *stack_->client; }
  hubspot::RateLimiter& limiter() { return *stack_->limiter; }
  const ApiStats& api_stats() const { return stats_; }
  const config::AppConfig& config() const { return stack_->cfg; }
  const std::string& dsn() const { return stack_->dsn; }
  std::string scope() const { return stack_->cfg.database.qualified_table(); }
  const std::filesystem::path& migrations_dir() const { return migrations_dir_; }
  core::Clock& clock() { return clock_; }
  core::Random& random() { return random_; }

 private:
  struct Stack {
    config::AppConfig cfg;
    std::string dsn;
    std::shared_ptr<http::BeastTransport> transport;
    std::unique_ptr<hubspot::TokenProvider> tokens;
    hubspot::OAuthTokenProvider* oauth = nullptr;  // `tokens`, when it is the OAuth flow
    std::string configured_refresh_token;          // the one the secrets held when `oauth` was built
    std::shared_ptr<hubspot::RateLimiter> limiter;
    std::unique_ptr<hubspot::HubSpotClient> client;
    std::unique_ptr<hubspot::HubSpotLeadsRemote> remote;
    std::unique_ptr<db::PgStore> store;
    std::unique_ptr<core::SyncEngine> engine;
    bool unique_key_checked = false;
    bool daily_state_restored = false;  // kStateDailyExhaustedUntil read into the limiter
    std::vector<std::string> pending_backfill;
  };
  std::unique_ptr<Stack> build_stack(config::AppConfig cfg, const config::Secrets& secrets,
                                     const Stack* reuse);
  net::awaitable<void> persist_budget();
  net::awaitable<void> restore_daily_exhausted();

  std::filesystem::path migrations_dir_;
  net::io_context io_;
  net::thread_pool db_pool_{1};
  net::thread_pool control_pool_{1};
  core::SystemClock clock_;
  core::StdRandom random_;
  ApiStats stats_;
  std::function<void(const core::Progress&)> progress_;
  std::function<bool()> yield_check_;
  std::unique_ptr<Stack> stack_;
};

template <typename T>
T Runtime::run_blocking(net::awaitable<T> work) {
  auto future = net::co_spawn(io_, std::move(work), net::use_future);
  io_.restart();
  io_.run();
  return future.get();
}

}  // namespace leadsync::daemon
