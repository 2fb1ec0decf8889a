#pragma once
// PushBatch: one batch of claimed outbox items on its way to HubSpot, phase by phase. Internal to the
// engine (push_batch.cpp); SyncEngine::push_batch runs the phases in order and hands the outcomes to the
// store.
//
// Each item gets exactly one outcome. A whole call failing (HubSpot unreachable, 5xx after the client's
// retries) says nothing about the records in it: those retries never count toward max_push_attempts, so an
// outage of any length leaves the changes pending, not FAILED. The first such failure is kept
// (call_failure) and ends the cycle once the outcomes are recorded; a fatal error is thrown at once.
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "leadsync/core/engine.hpp"

namespace leadsync::core {

class PushBatch {
 public:
  PushBatch(const EngineOptions& options, LeadsRemote& remote, Clock& clock, std::vector<PushItem> items);

  // Plans every item: failures of the plan and the items with nothing to send get their outcome here,
  // the others are sorted into the phases below.
  void classify();
  // Items whose earlier create may have reached HubSpot: read back by the unique key, then linked, created
  // again, or (deleted locally since) archived.
  net::awaitable<void> resolve_in_doubt_creates();
  net::awaitable<void> send_creates();
  // Properties first, then associations (adds before removes, inside the adapter).
  net::awaitable<void> send_updates();
  // DELETE / batch archive. A lead already gone counts as archived.
  net::awaitable<void> send_archives();
  // Completes the outcomes (an item HubSpot said nothing about is retried), counts and logs them.
  std::vector<PushOutcome> tally(RunCounts& n);

  const std::optional<Error>& call_failure() const { return call_failure_; }

 private:
  using Index = std::map<std::string, std::size_t>;  // WriteResult::ref -> item
  template <typename OnOk>
  net::awaitable<void> collect(net::awaitable<std::vector<WriteResult>> call, const Index& by_ref,
                               const std::vector<std::size_t>& sent, OnOk on_ok);
  void set_outcome(std::size_t i, PushStatus status, PushAction action);
  void fail(std::size_t i, PushStatus status, const std::string& message, ErrorDetails details = {},
            bool counts_as_attempt = true);
  void record_error(std::size_t i, const Error& e);
  void call_failed(std::size_t i, const Error& e);
  WallTime retry_time(int attempts) const;
  bool has_assoc_change(std::size_t i) const;
  void settle_updates(const std::set<std::size_t>& assoc_ok);

  const EngineOptions& options_;
  const SyncMapping& mapping_;
  LeadsRemote& remote_;
  Clock& clock_;
  std::vector<PushItem> items_;
  std::vector<PushPlan> plans_;
  std::vector<std::optional<PushOutcome>> outcomes_;
  std::optional<Error> call_failure_;
  // The phases' work lists (indexes into items_).
  std::vector<std::size_t> creates_, in_doubt_creates_, in_doubt_gone_, updates_, archives_;
  // Updates whose properties HubSpot accepted: the base they leave, kept even when the associations fail.
  std::map<std::size_t, BaseState> partial_base_;
};

}  // namespace leadsync::core
