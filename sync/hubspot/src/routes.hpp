#pragma once
// Internal: the one place that knows HubSpot's paths. route(op, version, ...) gives the method, the path
// (percent-encoded, without query) and the route template the ApiObserver and messages use; nothing else
// in the client spells a path. Legacy is /crm/v3 (objects, properties, pipelines) and /crm/v4
// (associations); the date versions put the version after the API family:
// /crm/objects/2026-03/leads, /crm/associations/2026-09/leads/contacts/batch/read, ...
#include <optional>
#include <string>
#include <string_view>

#include "leadsync/hubspot/api_version.hpp"

namespace leadsync::hubspot::detail {

enum class Op {
  ListLeads,
  GetLead,
  BatchReadLeads,
  SearchLeads,
  CreateLead,
  BatchCreateLeads,
  UpdateLead,
  BatchUpdateLeads,
  BatchUpsertLeads,
  ArchiveLead,
  BatchArchiveLeads,
  // v3 per-type association PUT/DELETE (type id in the path): legacy only, no date-versioned form.
  AssociateType,
  UnassociateType,
  PutPairLabels,  // per-pair PUT, labels in the body; replaces the pair's labels
  DeletePair,     // per-pair DELETE; removes every type of the pair
  BatchReadAssociations,
  BatchCreateAssociations,
  BatchArchiveAssociations,
  BatchArchiveLabels,
  AssociationLabels,
  ListProperties,
  GetProperty,
  CreateProperty,
  ListPropertyValidations,  // addressed by object type id (0-136), not by name
  ListPipelines,
};

std::string_view to_string(Op op) noexcept;

// The path parameters an operation needs. `id` and `to_id` are path segments already checked by the
// caller (record_id_segment, or path_segment for a unique-property value: only the caller knows which);
// `to_type` and `name` are raw and encoded here.
struct RouteArgs {
  std::string id;
  std::string to_type;
  std::string to_id;
  std::optional<int> type_id;
  std::string name;
};

struct Route {
  std::string method;  // GET, POST, PATCH, PUT, DELETE
  std::string target;  // path, percent-encoded; the caller appends the query
  std::string route;   // "PATCH /crm/objects/2026-03/leads/{id}": observer key and message text
};

// False for an operation the version has no form of (the v3 per-type association PUT/DELETE on the date
// versions).
bool available(Op op, ApiVersion version) noexcept;

// Throws core::Error (fatal, "internal error") for an operation `version` does not have: calling it is a
// bug of the caller, which must use the batch association endpoints instead.
Route route(Op op, ApiVersion version, std::string_view object_type, const RouteArgs& args = {});

// The OAuth token endpoint of each version: /oauth/v1/token (legacy), /oauth/2026-03/token, ...
std::string oauth_token_path(ApiVersion version);

}  // namespace leadsync::hubspot::detail
