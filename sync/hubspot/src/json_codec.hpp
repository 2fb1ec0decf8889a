#pragma once
// Internal: HubSpot JSON <-> the value types of lead_types.hpp. nlohmann/json stays inside this library.
// Decoders throw MalformedResponse when a 2xx body is not JSON or lacks a field leadsync relies on.
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "leadsync/core/error.hpp"
#include "leadsync/http/transport.hpp"
#include "leadsync/hubspot/lead_types.hpp"

namespace leadsync::hubspot::detail {

using Json = nlohmann::json;

// A 2xx response the client cannot use (not JSON, truncated, required field missing).
class MalformedResponse : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How deep HubSpot JSON may nest. HubSpot's deepest shape is about seven levels (page, results, lead,
// associations, type, results, link); a tree nested much deeper is not HubSpot's, and decoding it recurses
// once per level (dump() of a property value or an error's context) until the stack overflows.
inline constexpr std::size_t kMaxJsonDepth = 64;

// False when `body` opens more than kMaxJsonDepth arrays/objects inside each other (strings are skipped; the
// body need not be valid JSON). One pass, no allocation: cheap next to parsing.
bool json_depth_within(std::string_view body, std::size_t max_depth = kMaxJsonDepth);

Json parse_json(const std::string& body);  // throws MalformedResponse (also when nested too deep)
// The body as JSON, or nullopt when it is not JSON or nests deeper than kMaxJsonDepth (error bodies).
std::optional<Json> try_parse_json(const std::string& body);

// Field helpers (lenient about numbers vs strings, strict about presence where required).
std::optional<std::string> opt_string(const Json& j, const char* key);
std::string req_string(const Json& j, const char* key, const char* what);
const Json& req_array(const Json& j, const char* key, const char* what);
const Json& req_object(const Json& j, const char* key, const char* what);
bool opt_bool(const Json& j, const char* key, bool fallback = false);

// Object decoders. `associations_requested`: the types asked for (list/get), each gets an entry.
LeadObject decode_lead(const Json& j, const std::vector<std::string>* associations_requested = nullptr);
std::vector<LeadObject> decode_leads(const Json& results,
                                     const std::vector<std::string>* associations_requested = nullptr);
std::optional<std::string> decode_next_after(const Json& body);
// Per-input errors of a 207/200 batch answer. An error without its own correlationId gets the response's
// X-HubSpot-Correlation-Id, so every failed record can be traced in HubSpot's support tools.
std::vector<BatchError> decode_batch_errors(const Json& body, const http::Response& response);
// Adds `type_id` (if known) to the entry of `to_id` in `list`, creating the entry: one per associated object.
void add_type_id(std::vector<AssociatedObject>& list, const std::string& to_id, std::optional<int> type_id);
AssociatedObject decode_v4_association(const Json& j);  // {toObjectId, associationTypes:[{typeId,...}]}
AssociationPairLabels decode_pair_labels(const Json& j);
AssociationLabel decode_association_label(const Json& j);
PropertyDefinition decode_property(const Json& j);
// One item of a property-validations list: propertyName and propertyValidationRules[].
PropertyValidation decode_property_validation(const Json& j);
Pipeline decode_pipeline(const Json& j);

// Encoders.
Json encode_properties(const std::map<std::string, std::string>& properties);
Json encode_specs(const std::vector<AssociationSpec>& specs);
Json encode_create_input(const LeadCreateInput& input);
Json encode_property_definition(const PropertyDefinition& def);

// What an error response said (best effort: every field is optional, the body may not even be JSON).
struct ErrorBody {
  std::string message;
  core::ErrorDetails details;  // http_status, category, sub_category, correlation_id, policy, context
  std::string error_type;      // "RATE_LIMIT" on 429s
  std::vector<std::string> required_scopes;  // MISSING_SCOPES: errors[].context.requiredGranularScopes
};
ErrorBody decode_error_body(const http::Response& response);

}  // namespace leadsync::hubspot::detail
