#pragma once
// Read-only lookup of the mapped values of some rows by hubspot_id, as text (what --dry-run shows in its
// OLD column for changes coming from HubSpot). One READ ONLY transaction; no locks beyond a plain SELECT.
// Errors: core::Error (transient when PostgreSQL cannot be reached, fatal for SQL errors).
// Thread-safety: a free function holding no state.
#include <map>
#include <string>
#include <vector>

#include "leadsync/core/mapping.hpp"
#include "leadsync/core/values.hpp"

namespace leadsync::db {

// hubspot_id -> property -> value (nullopt for NULL). Ids without a row are absent.
std::map<std::string, core::PropertyValues> read_local_values(const std::string& dsn,
                                                              const core::SyncMapping& mapping,
                                                              const std::vector<std::string>& hubspot_ids);

}  // namespace leadsync::db
