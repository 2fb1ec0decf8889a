// CPU cost of the pure reconciler per lead: plan_pull for an unchanged lead (the common case of a sweep),
// a remote change, a conflict under newest_wins, and plan_push for a local change. 10 mapped properties,
// 4 associations.
#include <benchmark/benchmark.h>

#include "leadsync/core/reconcile.hpp"

namespace {

using namespace leadsync::core;

SyncMapping mapping() {
  SyncMapping m;
  for (int i = 0; i < 10; ++i)
    m.properties.push_back({"prop_" + std::to_string(i), "col_" + std::to_string(i),
                            i % 3 == 0 ? PropertyType::number : PropertyType::string, Direction::both});
  m.associations = {{"contacts", {578, 608}}, {"companies", {580, 610}}};
  return m;
}

struct Fixture {
  SyncMapping m = mapping();
  RemoteLead remote;
  PullContext ctx;
  Fixture() {
    remote.id = "123456";
    remote.updated_at = from_epoch_ms(1'767'225'600'000);
    LocalLead local{.row_id = 1, .hubspot_id = "123456", .sync_key = "k"};
    BaseState base{.hubspot_id = "123456"};
    for (const auto& p : m.properties) {
      std::string v = p.type == PropertyType::number ? "42.5" : "some value of " + p.property;
      remote.values[p.property] = v;
      local.values[p.property] = v;
      base.values[p.property] = v;
    }
    AssociationSet a{
        {"contacts", "1", 578}, {"contacts", "1", 608}, {"companies", "2", 580}, {"companies", "2", 610}};
    remote.associations = a;
    local.associations = a;
    base.associations = a;
    base.remote_updated_at = remote.updated_at;
    ctx.local = local;
    ctx.base = base;
  }
};

void BM_PullUnchanged(benchmark::State& state) {
  Fixture f;
  for (auto _ : state) benchmark::DoNotOptimize(plan_pull(f.m, {}, f.remote, f.ctx));
  state.SetItemsProcessed(state.iterations());
}

void BM_PullRemoteChange(benchmark::State& state) {
  Fixture f;
  f.remote.values["prop_1"] = "changed";
  for (auto _ : state) benchmark::DoNotOptimize(plan_pull(f.m, {}, f.remote, f.ctx));
  state.SetItemsProcessed(state.iterations());
}

void BM_PullConflictNewestWins(benchmark::State& state) {
  Fixture f;
  f.remote.values["prop_1"] = "remote";
  f.ctx.local->values["prop_1"] = "local";
  f.ctx.local->changed_at["prop_1"] = from_epoch_ms(1'767'225'000'000);
  for (auto _ : state) benchmark::DoNotOptimize(plan_pull(f.m, {}, f.remote, f.ctx));
  state.SetItemsProcessed(state.iterations());
}

void BM_PushLocalChange(benchmark::State& state) {
  Fixture f;
  PushContext ctx{.local = f.ctx.local, .base = f.ctx.base};
  ctx.local->values["prop_2"] = "edited";
  for (auto _ : state) benchmark::DoNotOptimize(plan_push(f.m, ctx));
  state.SetItemsProcessed(state.iterations());
}

void BM_NormalizeDatetime(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(
        normalize_value(PropertyType::datetime, std::string_view("2026-01-17T19:55:04.281Z")));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_PullUnchanged);
BENCHMARK(BM_PullRemoteChange);
BENCHMARK(BM_PullConflictNewestWins);
BENCHMARK(BM_PushLocalChange);
BENCHMARK(BM_NormalizeDatetime);

}  // namespace

BENCHMARK_MAIN();
