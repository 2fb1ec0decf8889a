#pragma once
// The engine's unit-test fixture: SyncEngine over MemoryStore and ScriptedRemote, a manual clock, and the
// helpers the engine's test files share. Included by one translation unit each (anonymous namespace).
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "leadsync/core/engine.hpp"
#include "leadsync/testing/manual_clock.hpp"
#include "leadsync/testing/memory_store.hpp"
#include "leadsync/testing/scripted_remote.hpp"

namespace leadsync::core {
namespace {

using testing::ManualClock;
using testing::MemoryStore;
using testing::ScriptedRemote;
using namespace std::chrono_literals;

const AssociationKey kContact{"contacts", "501", kLeadToPrimaryContact};
const AssociationKey kOtherContact{"contacts", "502", 608};

inline EngineOptions engine_options() {
  EngineOptions o;
  o.mapping.properties = {
      {"hs_lead_name", "lead_name", PropertyType::string, Direction::both},
      {"hs_lead_label", "lead_label", PropertyType::enumeration, Direction::both},
  };
  o.mapping.associations = {{"contacts", {578, 608}}};
  o.mapping.unique_key_property = "leadsync_key";
  o.max_push_attempts = 3;
  return o;
}

inline PropertyValues named(const std::string& name, Value label = std::nullopt) {
  PropertyValues v{{"hs_lead_name", name}};
  if (label) v["hs_lead_label"] = label;
  return v;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(200);
    spdlog::default_logger()->sinks().push_back(log_);
  }
  void TearDown() override { spdlog::default_logger()->sinks().pop_back(); }

  CycleReport cycle(CycleKind kind = CycleKind::automatic, bool dry_run = false) {
    SyncEngine engine(store, remote, clock, io.get_executor(), options);
    if (on_progress) engine.set_progress_callback([&](const Progress& p) { on_progress(engine, p); });
    if (yield_check) engine.set_yield_check(yield_check);
    std::optional<CycleReport> report;
    std::exception_ptr error;
    net::co_spawn(io, engine.run_cycle({kind, dry_run}), [&](std::exception_ptr e, CycleReport r) {
      if (e)
        error = e;
      else
        report = std::move(r);
    });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
    return *report;
  }
  // The message of the error the cycle ends with ("" when it does not).
  std::string cycle_error(CycleKind kind = CycleKind::automatic) {
    try {
      cycle(kind);
    } catch (const Error& e) {
      last_error_kind = e.kind();
      return e.what();
    }
    return "";
  }
  // A local row pushed and confirmed: its HubSpot id.
  std::string synced_row(const std::string& name, std::int64_t* row_id = nullptr) {
    auto id = store.insert_row(named(name), {kContact});
    cycle(CycleKind::push_only);
    if (row_id) *row_id = id;
    return store.rows.at(id).hubspot_id.value();
  }
  std::string logged() const {
    std::string all;
    for (auto& line : log_->last_formatted()) all += line;
    return all;
  }
  // After a first full sweep, later automatic cycles are incremental.
  void first_sweep_done() {
    cycle(CycleKind::full);
    remote.calls.clear();
  }

  ManualClock clock;
  MemoryStore store{clock};
  ScriptedRemote remote{clock};
  net::io_context io;
  EngineOptions options = engine_options();
  std::function<void(SyncEngine&, const Progress&)> on_progress;
  std::function<bool()> yield_check;  // SyncEngine::set_yield_check, when set
  ErrorKind last_error_kind = ErrorKind::fatal;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> log_;
};

}  // namespace
}  // namespace leadsync::core
