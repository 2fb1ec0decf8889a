#pragma once
// ScriptedRemote: an in-memory LeadsRemote for the engine's unit tests. By default it behaves as a small,
// consistent HubSpot: `leads` is the portal (list pages of `page_size` in id order, search by updated_at,
// batch reads, unique-key lookups, writes that change `leads` and stamp `now()` as updatedAt). Each call can
// be scripted instead (the on_* hooks): a hook sees the request and returns the answer or throws a
// core::Error, which is how a test makes a whole call fail, a record fail, or HubSpot misbehave. Every call
// is recorded in `calls` ("create", "update", ...). Not thread-safe.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "leadsync/core/clock.hpp"
#include "leadsync/core/ports.hpp"

namespace leadsync::testing {

class ScriptedRemote final : public core::LeadsRemote {
 public:
  explicit ScriptedRemote(core::Clock& clock) : clock_(clock) {}

  // A lead as HubSpot would hold it, updated now (or at `updated_at`); returns its id.
  std::string add_lead(core::PropertyValues values, std::optional<core::WallTime> updated_at = std::nullopt,
                       std::optional<std::string> unique_key = std::nullopt);
  // A UI edit: the value and updatedAt move on.
  void edit_lead(const std::string& id, const std::string& property, core::Value value);

  std::map<std::string, core::RemoteLead> leads;  // by id; archived ones have archived = true
  std::size_t page_size = 2;
  std::vector<std::string> calls;
  // Leads "left out for a bad id" so far (LeadsRemote::leads_skipped_bad_id): a hook that plays such a
  // server bumps it.
  std::uint64_t skipped_bad_id = 0;

  std::function<core::RemotePage(const std::optional<std::string>&, bool)> on_list_page;
  std::function<std::vector<core::WriteResult>(const std::vector<core::CreateRequest>&)> on_create;
  std::function<std::vector<core::WriteResult>(const std::vector<core::UpdateRequest>&)> on_update;
  std::function<std::vector<core::WriteResult>(const std::vector<std::string>&)> on_archive;
  std::function<std::vector<core::WriteResult>(const std::vector<core::AssociationChange>&)>
      on_change_associations;
  std::function<std::vector<core::RemoteLead>(const std::vector<std::string>&)> on_find_by_unique_key;

  // ---- LeadsRemote ----
  net::awaitable<core::RemotePage> list_page(std::optional<std::string> cursor, bool archived) override;
  net::awaitable<std::optional<std::int64_t>> count_leads() override;
  net::awaitable<void> search_modified(
      core::WallTime from, core::WallTime to,
      std::function<net::awaitable<void>(std::vector<core::RemoteLead>)> on_page) override;
  net::awaitable<core::RemoteReadResult> read(std::vector<std::string> ids, bool with_history) override;
  net::awaitable<std::vector<core::RemoteLead>> find_by_unique_key(std::vector<std::string> keys) override;
  net::awaitable<std::map<std::string, core::AssociationSet>> read_associations(
      std::vector<std::string> ids) override;
  net::awaitable<std::vector<core::WriteResult>> create(std::vector<core::CreateRequest> requests) override;
  net::awaitable<std::vector<core::WriteResult>> update(std::vector<core::UpdateRequest> requests) override;
  net::awaitable<std::vector<core::WriteResult>> archive(std::vector<std::string> hubspot_ids) override;
  net::awaitable<std::vector<core::WriteResult>> change_associations(
      std::vector<core::AssociationChange> changes) override;
  std::uint64_t api_calls() const override { return calls.size(); }
  std::uint64_t leads_skipped_bad_id() const override { return skipped_bad_id; }

  // The default behaviour of each write, for hooks that script only part of a batch.
  std::vector<core::WriteResult> do_create(const std::vector<core::CreateRequest>& requests);
  std::vector<core::WriteResult> do_update(const std::vector<core::UpdateRequest>& requests);
  std::vector<core::WriteResult> do_archive(const std::vector<std::string>& ids);
  std::vector<core::WriteResult> do_change_associations(const std::vector<core::AssociationChange>& changes);

  int count(const std::string& call) const;

 private:
  core::RemoteLead bump(const std::string& id);  // updatedAt = now, strictly after the previous one
  core::Clock& clock_;
  long next_id_ = 1001;
};

}  // namespace leadsync::testing
