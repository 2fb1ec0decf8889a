#include "leadsync/core/lead.hpp"

#include <algorithm>

namespace leadsync::core {

std::string to_string(const AssociationKey& a) {
  return a.to_object_type + "/" + a.to_object_id + " (" + std::to_string(a.type_id) + ")";
}

AssociationSet filter_mapped(const SyncMapping& mapping, const AssociationSet& set) {
  AssociationSet out;
  for (const auto& a : set) {
    for (const auto& m : mapping.associations) {
      if (m.to_object_type == a.to_object_type &&
          std::find(m.type_ids.begin(), m.type_ids.end(), a.type_id) != m.type_ids.end()) {
        out.insert(a);
        break;
      }
    }
  }
  return out;
}

bool has_primary_association(const AssociationSet& set) {
  return std::any_of(set.begin(), set.end(),
                     [](const auto& a) { return is_primary_lead_association(a.type_id); });
}

}  // namespace leadsync::core
