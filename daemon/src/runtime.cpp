#include "runtime.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include "leadsync/core/offload.hpp"
#include "leadsync/db/migrations.hpp"
#include "options.hpp"

namespace leadsync::daemon {

std::filesystem::path default_migrations_dir() {
  if (const char* env = std::getenv("LEADSYNC_MIGRATIONS_DIR"); env && *env) return env;
  // Installed layout first; a build tree falls back to the sources it was built from.
  if (std::filesystem::is_directory(LEADSYNC_MIGRATIONS_INSTALL_DIR)) return LEADSYNC_MIGRATIONS_INSTALL_DIR;
  return LEADSYNC_MIGRATIONS_SOURCE_DIR;
}

Runtime::Runtime(config::AppConfig cfg, const config::Secrets& secrets, std::filesystem::path migrations_dir)
    : cfg_(std::move(cfg)), migrations_dir_(std::move(migrations_dir)), dsn_(secrets.database_dsn.reveal()) {
  transport_ = std::make_unique<http::BeastTransport>(io_.get_executor(), to_transport_options(cfg_));
  if (secrets.oauth) {
    hubspot::OAuthOptions o;
    o.client_id = cfg_.hubspot.oauth->client_id;
    o.client_secret = secrets.oauth->client_secret.reveal();
    o.refresh_token = secrets.oauth->refresh_token.reveal();
    o.token_path = cfg_.hubspot.oauth->token_path;
    tokens_ = std::make_unique<hubspot::OAuthTokenProvider>(*transport_, clock_, std::move(o));
  } else {
    tokens_ = std::make_unique<hubspot::StaticTokenProvider>(secrets.access_token ? secrets.access_token->reveal() : "");
  }
  limiter_ = std::make_unique<hubspot::RateLimiter>(clock_, to_rate_limit_options(cfg_));
  client_ = std::make_unique<hubspot::HubSpotClient>(*transport_, clock_, random_, *tokens_, *limiter_, stats_,
                                                     to_client_options(cfg_));
  auto engine_options = to_engine_options(cfg_);
  remote_ = std::make_unique<hubspot::HubSpotLeadsRemote>(*client_, engine_options.mapping,
                                                          [this] { return stats_.calls(); });
  store_ = std::make_unique<db::PgStore>(dsn_, engine_options.mapping);
  engine_ = std::make_unique<core::SyncEngine>(*store_, *remote_, clock_, db_pool_.get_executor(),
                                               std::move(engine_options));
}

Runtime::~Runtime() {
  db_pool_.join();
}

db::SchemaReport Runtime::prepare() {
  db::MigrationRunner(dsn_, migrations_dir_).run();  // logs each migration it applies
  auto report = db::SchemaManager(dsn_).ensure_schema(engine_->options().mapping);
  pending_backfill_ = report.pending_backfill;
  if (!pending_backfill_.empty()) store_->save_state(core::kStateFullSweepRequired, "1");
  return report;
}

net::awaitable<core::CycleReport> Runtime::cycle(core::CycleRequest request) {
  if (!unique_key_checked_ && cfg_.hubspot.unique_key_property && !request.dry_run) {
    co_await remote_->ensure_unique_key_property(cfg_.hubspot.create_unique_key_property);
    unique_key_checked_ = true;
  }
  auto report = co_await engine_->run_cycle(request);
  if (report.full_sweep && !request.dry_run && report.record.status != "failed" &&
      report.record.status != "cancelled" && !pending_backfill_.empty()) {
    auto props = pending_backfill_;
    auto dsn = dsn_;
    auto mapping = engine_->options().mapping;
    co_await core::run_blocking(db_pool_.get_executor(), [&] { db::SchemaManager(dsn).mark_backfilled(mapping, props); });
    pending_backfill_.clear();
  }
  co_return report;
}

core::CycleReport Runtime::run_cycle_blocking(core::CycleRequest request) {
  auto future = net::co_spawn(io_, cycle(request), net::use_future);
  io_.restart();
  io_.run();
  return future.get();
}

}  // namespace leadsync::daemon
