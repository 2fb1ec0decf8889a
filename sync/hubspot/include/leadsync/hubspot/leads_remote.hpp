#pragma once
// HubSpotLeadsRemote: core::LeadsRemote over HubSpotClient. Translates between HubSpot's string
// properties and the core's normalised values (by mapping type), requests exactly the mapped properties
// (plus hs_lastmodifieddate and the unique key), resolves association types to numeric ids, and turns
// per-input batch errors into per-lead WriteResults.
// Association pushes use the batch association endpoints only, many pairs per call (a label write replaces
// a pair's labels and there is no per-type DELETE in HubSpot's date-versioned APIs): a pair's current types
// are read before a create, so labels leadsync does not map are resent, never dropped; single types go with
// labels/archive; a pair that keeps a label leadsync does not map is never archived whole.
// Throws what HubSpotClient throws. Thread-safety: as HubSpotClient (one executor).
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "leadsync/core/mapping.hpp"
#include "leadsync/core/ports.hpp"
#include "leadsync/hubspot/client.hpp"

namespace leadsync::hubspot {

class HubSpotLeadsRemote final : public core::LeadsRemote {
 public:
  // `api_calls` reports the HTTP calls made so far (e.g. from the daemon's ApiObserver).
  HubSpotLeadsRemote(HubSpotClient& client, core::SyncMapping mapping,
                     std::function<std::uint64_t()> api_calls);

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
  std::uint64_t api_calls() const override { return api_calls_ ? api_calls_() : 0; }
  std::uint64_t leads_skipped_bad_id() const override { return skipped_bad_id_; }
  void set_priority(core::CallPriority p) override;

  // Converts one HubSpot object (exposed for unit tests).
  core::RemoteLead to_remote(const LeadObject& object) const;

  // Makes sure hubspot.unique_key_property exists with hasUniqueValue (creating it when `create_missing`);
  // throws a fatal core::Error when it exists without unique values or is missing and may not be created.
  net::awaitable<void> ensure_unique_key_property(bool create_missing);

 private:
  std::vector<std::string> properties() const;
  std::map<std::string, std::string> to_hubspot(const core::PropertyValues& values) const;
  std::vector<std::string> association_types() const;
  net::awaitable<void> resolve_unresolved(std::vector<core::RemoteLead>& leads,
                                          const std::vector<LeadObject>& objects);

  HubSpotClient& client_;
  core::SyncMapping mapping_;
  std::function<std::uint64_t()> api_calls_;
  // Association type id -> category per target type (GET .../labels), needed in every label write.
  std::map<std::string, std::map<int, std::string>> association_categories_;
  std::uint64_t skipped_bad_id_ = 0;  // leads left out because their id is not a record id
};

// A core::Error for one failed input of a batch call (record for validation-like categories).
core::Error batch_error_to_core(const BatchError& e);

}  // namespace leadsync::hubspot
