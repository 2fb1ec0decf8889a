#include "leadsync/hubspot/lead_types.hpp"

#include "leadsync/hubspot/errors.hpp"

namespace leadsync::hubspot {

std::optional<int> lead_association_type_id(const std::string& v3_type_name) {
  // docs/hubspot-api.md#association-type-ids; the v3 strings for leads are unconfirmed, hence the v4 fallback
  // the caller can use.
  if (v3_type_name == "lead_to_primary_contact") return 578;
  if (v3_type_name == "lead_to_contact") return 608;
  if (v3_type_name == "lead_to_primary_company") return 580;
  if (v3_type_name == "lead_to_company") return 610;
  return std::nullopt;
}

std::optional<std::string> LeadObject::property(const std::string& name) const {
  auto it = properties.find(name);
  if (it == properties.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> BatchError::ids() const {
  std::vector<std::string> out;
  for (const char* key : {"ids", "id"}) {
    auto it = context.find(key);
    if (it != context.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  return out;
}

std::vector<std::string> BatchError::trace_ids() const {
  auto it = context.find("objectWriteTraceId");
  return it == context.end() ? std::vector<std::string>{} : it->second;
}

InDoubtError::InDoubtError(const std::string& message, core::ErrorDetails details,
                           std::vector<std::string> trace_ids)
    : core::Error(core::ErrorKind::transient, message, std::move(details)),
      trace_ids_(std::move(trace_ids)) {}

bool is_in_doubt(const core::Error& e) noexcept {
  return dynamic_cast<const InDoubtError*>(&e) != nullptr;
}

}  // namespace leadsync::hubspot
