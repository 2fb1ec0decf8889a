#include "routes.hpp"

#include "leadsync/core/error.hpp"
#include "query.hpp"

namespace leadsync::hubspot::detail {

namespace {

// The API families and where each version's paths start.
enum class Family { objects, associations, properties, property_validations, pipelines };

std::string family_prefix(Family f, ApiVersion v) {
  if (v == ApiVersion::legacy) {
    switch (f) {
      case Family::objects:
        return "/crm/v3/objects/";
      case Family::associations:
        return "/crm/v4/associations/";
      case Family::properties:
        return "/crm/v3/properties/";
      case Family::property_validations:
        return "/crm/v3/property-validations/";
      case Family::pipelines:
        return "/crm/v3/pipelines/";
    }
  }
  const std::string version(to_string(v));
  switch (f) {
    case Family::objects:
      return "/crm/objects/" + version + "/";
    case Family::associations:
      return "/crm/associations/" + version + "/";
    case Family::properties:
      return "/crm/properties/" + version + "/";
    case Family::property_validations:
      return "/crm/property-validations/" + version + "/";
    case Family::pipelines:
      return "/crm/pipelines/" + version + "/";
  }
  return "/";
}

// The property-validations API names object types by id only (0-136 for leads).
std::string_view object_type_id(std::string_view type) {
  return type == "leads" ? "0-136" : type;
}

// Legacy per-pair label writes are v4 object routes; the date versions serve them under /crm/objects.
std::string pair_prefix(ApiVersion v) {
  return v == ApiVersion::legacy ? "/crm/v4/objects/" : family_prefix(Family::objects, v);
}

// Builds target and template side by side: a literal goes into both, a parameter into the target encoded
// and into the template as its {name}.
class Builder {
 public:
  Builder(std::string method, const std::string& prefix) : method_(std::move(method)) {
    target_ = prefix;
    template_ = prefix;
  }
  Builder& lit(std::string_view s) {
    target_ += s;
    template_ += s;
    return *this;
  }
  // A value shown in the template as it is (the object type: the observer keeps one key per type).
  Builder& shown(std::string_view raw) {
    target_ += percent_encode(raw);
    template_ += raw;
    return *this;
  }
  Builder& param(std::string_view segment, std::string_view name) {
    target_ += segment;
    template_ += "{";
    template_ += name;
    template_ += "}";
    return *this;
  }
  Route done() { return Route{method_, std::move(target_), method_ + " " + template_}; }

 private:
  std::string method_;
  std::string target_;
  std::string template_;
};

}  // namespace

std::string_view to_string(Op op) noexcept {
  switch (op) {
    case Op::ListLeads:
      return "list leads";
    case Op::GetLead:
      return "get lead";
    case Op::BatchReadLeads:
      return "batch read leads";
    case Op::SearchLeads:
      return "search leads";
    case Op::CreateLead:
      return "create lead";
    case Op::BatchCreateLeads:
      return "batch create leads";
    case Op::UpdateLead:
      return "update lead";
    case Op::BatchUpdateLeads:
      return "batch update leads";
    case Op::BatchUpsertLeads:
      return "batch upsert leads";
    case Op::ArchiveLead:
      return "archive lead";
    case Op::BatchArchiveLeads:
      return "batch archive leads";
    case Op::AssociateType:
      return "associate one type (v3 path with type id)";
    case Op::UnassociateType:
      return "dissociate one type (v3 path with type id)";
    case Op::PutPairLabels:
      return "put pair labels";
    case Op::DeletePair:
      return "delete pair";
    case Op::BatchReadAssociations:
      return "batch read associations";
    case Op::BatchCreateAssociations:
      return "batch create associations";
    case Op::BatchArchiveAssociations:
      return "batch archive associations";
    case Op::BatchArchiveLabels:
      return "batch archive association labels";
    case Op::AssociationLabels:
      return "association labels";
    case Op::ListProperties:
      return "list properties";
    case Op::GetProperty:
      return "get property";
    case Op::CreateProperty:
      return "create property";
    case Op::ListPropertyValidations:
      return "list property validation rules";
    case Op::ListPipelines:
      return "list pipelines";
  }
  return "?";
}

bool available(Op op, ApiVersion version) noexcept {
  if (op == Op::AssociateType || op == Op::UnassociateType) return version == ApiVersion::legacy;
  return true;
}

Route route(Op op, ApiVersion v, std::string_view type, const RouteArgs& a) {
  if (!available(op, v))
    throw core::fatal_error("internal error: HubSpot API version " + std::string(to_string(v)) +
                            " has no endpoint for \"" + std::string(to_string(op)) +
                            "\" (only the legacy v3 paths carry the association type id in the path); "
                            "use the batch association endpoints, or set hubspot.api_version: legacy");
  const std::string objects = family_prefix(Family::objects, v);
  const std::string associations = family_prefix(Family::associations, v);
  // {associations}/{type}/{toType}{suffix}: every batch and label route of the associations family.
  const auto to_type_route = [&](const char* method, std::string_view suffix) {
    return Builder(method, associations)
        .shown(type)
        .lit("/")
        .param(percent_encode(a.to_type), "toType")
        .lit(suffix)
        .done();
  };
  switch (op) {
    case Op::ListLeads:
      return Builder("GET", objects).shown(type).done();
    case Op::GetLead:
      return Builder("GET", objects).shown(type).lit("/").param(a.id, "id").done();
    case Op::BatchReadLeads:
      return Builder("POST", objects).shown(type).lit("/batch/read").done();
    case Op::SearchLeads:
      return Builder("POST", objects).shown(type).lit("/search").done();
    case Op::CreateLead:
      return Builder("POST", objects).shown(type).done();
    case Op::BatchCreateLeads:
      return Builder("POST", objects).shown(type).lit("/batch/create").done();
    case Op::UpdateLead:
      return Builder("PATCH", objects).shown(type).lit("/").param(a.id, "id").done();
    case Op::BatchUpdateLeads:
      return Builder("POST", objects).shown(type).lit("/batch/update").done();
    case Op::BatchUpsertLeads:
      return Builder("POST", objects).shown(type).lit("/batch/upsert").done();
    case Op::ArchiveLead:
      return Builder("DELETE", objects).shown(type).lit("/").param(a.id, "id").done();
    case Op::BatchArchiveLeads:
      return Builder("POST", objects).shown(type).lit("/batch/archive").done();
    case Op::AssociateType:
    case Op::UnassociateType:
      return Builder(op == Op::AssociateType ? "PUT" : "DELETE", objects)
          .shown(type)
          .lit("/")
          .param(a.id, "id")
          .lit("/associations/")
          .param(percent_encode(a.to_type), "toType")
          .lit("/")
          .param(a.to_id, "toId")
          .lit("/")
          .param(std::to_string(a.type_id.value_or(0)), "typeId")
          .done();
    case Op::PutPairLabels:
    case Op::DeletePair:
      return Builder(op == Op::PutPairLabels ? "PUT" : "DELETE", pair_prefix(v))
          .shown(type)
          .lit("/")
          .param(a.id, "id")
          .lit("/associations/")
          .param(percent_encode(a.to_type), "toType")
          .lit("/")
          .param(a.to_id, "toId")
          .done();
    case Op::BatchReadAssociations:
      return to_type_route("POST", "/batch/read");
    case Op::BatchCreateAssociations:
      return to_type_route("POST", "/batch/create");
    case Op::BatchArchiveAssociations:
      return to_type_route("POST", "/batch/archive");
    case Op::BatchArchiveLabels:
      return to_type_route("POST", "/batch/labels/archive");
    case Op::AssociationLabels:
      return to_type_route("GET", "/labels");
    case Op::ListProperties:
      return Builder("GET", family_prefix(Family::properties, v)).shown(type).done();
    case Op::GetProperty:
      return Builder("GET", family_prefix(Family::properties, v))
          .shown(type)
          .lit("/")
          .param(percent_encode(a.name), "name")
          .done();
    case Op::CreateProperty:
      return Builder("POST", family_prefix(Family::properties, v)).shown(type).done();
    case Op::ListPropertyValidations:
      return Builder("GET", family_prefix(Family::property_validations, v))
          .shown(object_type_id(type))
          .done();
    case Op::ListPipelines:
      return Builder("GET", family_prefix(Family::pipelines, v)).shown(type).done();
  }
  throw core::fatal_error("internal error: unknown HubSpot operation");
}

std::string oauth_token_path(ApiVersion version) {
  if (version == ApiVersion::legacy) return "/oauth/v1/token";
  return "/oauth/" + std::string(to_string(version)) + "/token";
}

}  // namespace leadsync::hubspot::detail
