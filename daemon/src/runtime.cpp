#include "runtime.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <charconv>

#include "leadsync/core/offload.hpp"
#include "leadsync/db/migrations.hpp"
#include "oauth_wiring.hpp"
#include "options.hpp"
#include "report.hpp"

namespace leadsync::daemon {

namespace {

std::optional<std::filesystem::path> executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  return exe.parent_path();
}

bool same_transport(const http::TransportOptions& a, const http::TransportOptions& b) {
  return a.base_url == b.base_url && a.ca_file == b.ca_file && a.connect_timeout == b.connect_timeout &&
         a.tls_handshake_timeout == b.tls_handshake_timeout && a.io_timeout == b.io_timeout &&
         a.request_timeout == b.request_timeout && a.max_response_bytes == b.max_response_bytes &&
         a.max_connections == b.max_connections && a.user_agent == b.user_agent;
}

bool same_rate_limits(const config::AppConfig& a, const config::AppConfig& b) {
  return a.hubspot.rate_limit == b.hubspot.rate_limit;
}

}  // namespace

std::filesystem::path default_migrations_dir() {
  if (const char* env = std::getenv("LEADSYNC_MIGRATIONS_DIR"); env && *env) return env;
  if (auto dir = executable_dir()) {
    auto installed = *dir / ".." / "share" / "leadsync" / "migrations";
    if (std::filesystem::is_directory(installed)) return installed.lexically_normal();
  }
  if (std::filesystem::is_directory(LEADSYNC_MIGRATIONS_INSTALL_DIR)) return LEADSYNC_MIGRATIONS_INSTALL_DIR;
  return LEADSYNC_MIGRATIONS_SOURCE_DIR;
}

Runtime::Runtime(config::AppConfig cfg, const config::Secrets& secrets, std::filesystem::path migrations_dir)
    : migrations_dir_(std::move(migrations_dir)) {
  stack_ = build_stack(std::move(cfg), secrets, nullptr);
}

Runtime::~Runtime() {
  // The engine and the store must not be destroyed while the database thread still runs their work.
  db_pool_.join();
  control_pool_.join();
}

std::unique_ptr<Runtime::Stack> Runtime::build_stack(config::AppConfig cfg, const config::Secrets& secrets,
                                                     const Stack* reuse) {
  auto s = std::make_unique<Stack>();
  s->dsn = secrets.database_dsn.reveal();
  const auto transport_options = to_transport_options(cfg);
  if (reuse && same_transport(to_transport_options(reuse->cfg), transport_options))
    s->transport = reuse->transport;
  else
    s->transport = std::make_shared<http::BeastTransport>(io_.get_executor(), transport_options);
  if (secrets.oauth) {
    hubspot::OAuthOptions o = oauth_options(*cfg.hubspot.oauth, *secrets.oauth);
    s->configured_refresh_token = o.refresh_token;
    // HubSpot may have rotated the configured refresh token away since it was read: unless the operator
    // supplied another one, the new provider goes on with the token in use.
    if (reuse && reuse->oauth && reuse->configured_refresh_token == s->configured_refresh_token)
      o.refresh_token = reuse->oauth->refresh_token_in_use();
    auto oauth = std::make_unique<hubspot::OAuthTokenProvider>(*s->transport, clock_, std::move(o));
    s->oauth = oauth.get();
    s->tokens = std::move(oauth);
  } else {
    s->tokens = std::make_unique<hubspot::StaticTokenProvider>(
        secrets.access_token ? secrets.access_token->reveal() : "");
  }
  if (reuse && same_rate_limits(reuse->cfg, cfg))
    s->limiter = reuse->limiter;
  else
    s->limiter = std::make_shared<hubspot::RateLimiter>(clock_, to_rate_limit_options(cfg));
  s->client = std::make_unique<hubspot::HubSpotClient>(*s->transport, clock_, random_, *s->tokens,
                                                       *s->limiter, stats_, to_client_options(cfg));
  auto engine_options = to_engine_options(cfg);
  s->remote = std::make_unique<hubspot::HubSpotLeadsRemote>(*s->client, engine_options.mapping,
                                                            [this] { return stats_.calls(); });
  s->store = std::make_unique<db::PgStore>(s->dsn, engine_options.mapping);
  s->engine = std::make_unique<core::SyncEngine>(*s->store, *s->remote, clock_, db_pool_.get_executor(),
                                                 std::move(engine_options));
  if (progress_) s->engine->set_progress_callback(progress_);
  if (yield_check_) s->engine->set_yield_check(yield_check_);
  if (reuse && reuse->cfg.hubspot.unique_key_property == cfg.hubspot.unique_key_property &&
      reuse->cfg.hubspot.base_url == cfg.hubspot.base_url)
    s->unique_key_checked = reuse->unique_key_checked;
  s->cfg = std::move(cfg);
  return s;
}

void Runtime::set_progress_callback(std::function<void(const core::Progress&)> cb) {
  progress_ = std::move(cb);
  stack_->engine->set_progress_callback(progress_);
}

void Runtime::set_yield_check(std::function<bool()> check) {
  yield_check_ = std::move(check);
  stack_->engine->set_yield_check(yield_check_);
}

db::SchemaReport Runtime::prepare() {
  db::MigrationRunner(stack_->dsn, migrations_dir_).run();  // logs each migration it applies
  auto report = db::SchemaManager(stack_->dsn).ensure_schema(stack_->engine->options().mapping);
  stack_->pending_backfill = report.pending_backfill;
  if (!stack_->pending_backfill.empty()) stack_->store->save_state(core::kStateFullSweepRequired, "1");
  return report;
}

net::awaitable<core::CycleReport> Runtime::cycle(core::CycleRequest request) {
  Stack& s = *stack_;
  std::exception_ptr failure;
  core::CycleReport report;
  try {
    if (!s.daily_state_restored) {
      co_await restore_daily_exhausted();
      s.daily_state_restored = true;
    }
    // Inside the try: a 429 DAILY on this first call must be recorded for --status like any other.
    if (!s.unique_key_checked && s.cfg.hubspot.unique_key_property && !request.dry_run) {
      co_await s.remote->ensure_unique_key_property(s.cfg.hubspot.create_unique_key_property);
      s.unique_key_checked = true;
    }
    report = co_await s.engine->run_cycle(request);
  } catch (...) {
    failure = std::current_exception();
  }
  if (!request.dry_run) co_await persist_budget();
  if (failure) std::rethrow_exception(failure);

  if (report.full_sweep && !request.dry_run && report.record.status != "failed" &&
      report.record.status != "cancelled" && !s.pending_backfill.empty()) {
    co_await core::run_blocking(db_pool_.get_executor(), [&] {
      db::SchemaManager(s.dsn).mark_backfilled(s.engine->options().mapping, s.pending_backfill);
    });
    s.pending_backfill.clear();
  }
  co_return report;
}

net::awaitable<void> Runtime::restore_daily_exhausted() {
  // A 429 DAILY that an earlier process saw holds until HubSpot's daily reset: stop at once (no call spent,
  // no restart loop against HubSpot) and say until when. Best effort, like persist_budget.
  Stack& s = *stack_;
  std::optional<std::string> value;
  try {
    value = co_await core::run_blocking(db_pool_.get_executor(),
                                        [&] { return s.store->load_state(kStateDailyExhaustedUntil); });
  } catch (const std::exception& e) {
    spdlog::debug("could not read the recorded HubSpot daily budget state: {}", e.what());
    co_return;
  }
  if (!value || value->empty()) co_return;
  std::int64_t ms = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), ms);
  if (ec != std::errc{} || end != value->data() + value->size()) co_return;
  const auto until = core::from_epoch_ms(ms);
  const auto now = clock_.now();
  // Only the current day's window: a reset already passed, or a reset time computed with another
  // hubspot.rate_limit offset, says nothing about today.
  if (until <= now || until != s.limiter->next_daily_reset(now)) co_return;
  s.limiter->mark_daily_exhausted();
  spdlog::warn(
      "HubSpot's daily API limit was reached earlier today: no HubSpot calls until the daily reset at {}",
      format_epoch_ms(*value));
}

net::awaitable<void> Runtime::persist_budget() {
  // Best effort: --status shows what HubSpot said last; a failure here must not fail the cycle.
  const auto snap = stats_.snapshot();
  std::vector<std::pair<std::string, std::string>> values;
  if (snap.budget.daily_remaining)
    values.emplace_back(kStateBudgetDailyRemaining, std::to_string(*snap.budget.daily_remaining));
  if (snap.budget.daily_max)
    values.emplace_back(kStateBudgetDailyMax, std::to_string(*snap.budget.daily_max));
  if (snap.budget.ten_secondly_max)
    values.emplace_back(kStateBudgetTenSecondlyMax, std::to_string(*snap.budget.ten_secondly_max));
  if (snap.budget_reported_at)
    values.emplace_back(kStateBudgetReportedAt, std::to_string(core::to_epoch_ms(*snap.budget_reported_at)));
  const auto exhausted = stack_->limiter->daily_exhausted_until();
  values.emplace_back(kStateDailyExhaustedUntil,
                      exhausted ? std::to_string(core::to_epoch_ms(*exhausted)) : "");
  for (const auto& [version, notice] : snap.deprecations)
    values.emplace_back(state_key_deprecation(version), hubspot::encode_deprecation_notice(notice));
  db::PgStore& store = *stack_->store;
  try {
    co_await core::run_blocking(db_pool_.get_executor(), [&] {
      for (const auto& [k, v] : values) store.save_state(k, v);
    });
  } catch (const std::exception& e) {
    spdlog::debug("could not record the HubSpot budget: {}", e.what());
  }
}

net::awaitable<void> Runtime::reconfigure(config::AppConfig cfg, config::Secrets secrets) {
  auto next = build_stack(std::move(cfg), secrets, stack_.get());
  Stack& n = *next;
  // The new mapping may need new columns (or be refused): fit the table before switching.
  auto report = co_await core::run_blocking(db_pool_.get_executor(), [&] {
    auto r = db::SchemaManager(n.dsn).ensure_schema(n.engine->options().mapping);
    if (!r.pending_backfill.empty()) n.store->save_state(core::kStateFullSweepRequired, "1");
    return r;
  });
  n.pending_backfill = report.pending_backfill;
  std::shared_ptr<http::BeastTransport> old_transport = stack_->transport;
  // The old store's connection and engine are only used on the database thread; drop them there.
  auto old = std::move(stack_);
  stack_ = std::move(next);
  co_await core::run_blocking(db_pool_.get_executor(), [&] { old.reset(); });
  if (old_transport != stack_->transport) co_await old_transport->shutdown();
}

net::awaitable<void> Runtime::shutdown() {
  co_await stack_->transport->shutdown();
}

core::CycleReport Runtime::run_cycle_blocking(core::CycleRequest request) {
  return run_blocking(cycle(request));
}

}  // namespace leadsync::daemon
