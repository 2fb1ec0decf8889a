#pragma once
// Serialisation of leads (SimplePublicObject, ...WithAssociations, SimplePublicUpsertObject) straight
// into a string with JsonWriter: this is the hot path of the list endpoint.
// Not thread-safe (reads the Store, used under the App's mutex).
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "json_writer.hpp"
#include "store.hpp"

namespace leadsync::fake_hubspot {

struct ObjectView {
  // Properties written (sorted by name); requested-but-unset ones are written as null.
  std::vector<PropIndex> props;
  // Write responses: every property holding a value plus the system ones (ignores `props`).
  bool all_set = false;
  std::vector<PropIndex> history;  // propertiesWithHistory, sorted by name
  bool assoc_contacts = false;
  bool assoc_companies = false;
  // Search reads the index, which lags: values as they were at this wall-clock time.
  std::optional<std::int64_t> as_of;
  std::string_view trace_id;  // objectWriteTraceId echoed by batch writes
  int is_new = -1;            // upsert: 0 or 1
};

void write_lead(JsonWriter& w, const Store& store, const Lead& lead, const ObjectView& view);

// hs_lastmodifieddate as the index saw it at `cutoff`.
std::int64_t updated_as_of(const Lead& lead, std::int64_t cutoff);

// Sorts property indices by property name (HubSpot returns properties alphabetically).
void sort_by_name(const Store& store, std::vector<PropIndex>& props);

}  // namespace leadsync::fake_hubspot
