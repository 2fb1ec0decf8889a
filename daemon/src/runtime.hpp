#pragma once
// Runtime: every long-lived object of one leadsync process, wired from the configuration: the network
// io_context, the one-thread database executor, the HTTPS transport, rate limiter, token provider,
// HubSpot client and adapter, the PostgreSQL store and the sync engine.
// prepare() applies migrations and fits the table to the mapping (blocking). cycle() is the coroutine the
// scheduler and --sync-now run; run_cycle_blocking() drives it on the io_context for one-shot modes.
// Throws core::Error / config::ConfigError from construction and prepare(); see main.cpp for exit codes.
// Thread-safety: owned by the main thread; the engine runs on the io_context.
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
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

std::filesystem::path default_migrations_dir();

class Runtime {
 public:
  Runtime(config::AppConfig cfg, const config::Secrets& secrets, std::filesystem::path migrations_dir);
  ~Runtime();

  // Migrations, then the mapped table (created, extended, or refused when it does not fit).
  db::SchemaReport prepare();
  // Checks the unique key property once per process (creating it when configured), then one cycle.
  net::awaitable<core::CycleReport> cycle(core::CycleRequest request);
  core::CycleReport run_cycle_blocking(core::CycleRequest request);

  net::io_context& io() { return io_; }
  db::PgStore& store() { return *store_; }
  core::SyncEngine& engine() { return *engine_; }
  hubspot::HubSpotClient& client() { return *client_; }
  hubspot::RateLimiter& limiter() { return *limiter_; }
  const ApiStats& api_stats() const { return stats_; }
  const config::AppConfig& config() const { return cfg_; }
  net::any_io_executor db_executor() { return db_pool_.get_executor(); }

 private:
  config::AppConfig cfg_;
  std::filesystem::path migrations_dir_;
  std::string dsn_;
  net::io_context io_;
  net::thread_pool db_pool_{1};
  core::SystemClock clock_;
  core::StdRandom random_;
  ApiStats stats_;
  std::unique_ptr<http::BeastTransport> transport_;
  std::unique_ptr<hubspot::TokenProvider> tokens_;
  std::unique_ptr<hubspot::RateLimiter> limiter_;
  std::unique_ptr<hubspot::HubSpotClient> client_;
  std::unique_ptr<hubspot::HubSpotLeadsRemote> remote_;
  std::unique_ptr<db::PgStore> store_;
  std::unique_ptr<core::SyncEngine> engine_;
  bool unique_key_checked_ = false;
  std::vector<std::string> pending_backfill_;
};

}  // namespace leadsync::daemon
