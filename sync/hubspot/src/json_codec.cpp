#include "json_codec.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <stdexcept>

#include "response_form.hpp"

namespace leadsync::hubspot::detail {

namespace {

std::optional<std::string> scalar_to_string(const Json& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer())
    return v.is_number_unsigned() ? std::to_string(v.get<std::uint64_t>())
                                  : std::to_string(v.get<std::int64_t>());
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  return v.dump();
}

// An int field (typeId, displayOrder). A value outside int's range is refused, never truncated: typeId
// 4294967297 read as 1 would name another association type.
std::optional<int> opt_int(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  const auto out_of_range = [&](const std::string& text) {
    return MalformedResponse(std::string("\"") + key + "\" is out of range: " + text.substr(0, 40));
  };
  if (it->is_number_unsigned()) {
    if (it->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
      throw out_of_range(it->dump());
    return static_cast<int>(it->get<std::uint64_t>());
  }
  if (it->is_number_integer()) {
    const auto v = it->get<std::int64_t>();
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
      throw out_of_range(it->dump());
    return static_cast<int>(v);
  }
  if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    try {
      return std::stoi(text);
    } catch (const std::out_of_range&) {
      throw out_of_range(text);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// Builds the tree as Json::parse does, except that every number nlohmann would hold as a double (a fraction,
// an exponent, an integer beyond 64 bits) is kept as the text HubSpot wrote: a double would round it
// (18446744073709551617 became 1.8446744073709552e+19), and values must reach the table as sent.
class TextNumberDom : public nlohmann::detail::json_sax_dom_parser<Json> {
 public:
  using Base = nlohmann::detail::json_sax_dom_parser<Json>;
  using Base::Base;
  bool number_float(number_float_t, const string_t& raw) {
    string_t text = raw;
    return Base::string(text);
  }
};

std::optional<Json> parse_tree(std::string_view body) {
  if (!json_depth_within(body)) return std::nullopt;
  Json result;
  TextNumberDom dom(result, /*allow_exceptions=*/false);
  if (!Json::sax_parse(body.begin(), body.end(), &dom) || result.is_discarded()) return std::nullopt;
  return result;
}

std::map<std::string, std::vector<std::string>> decode_context(const Json& j) {
  std::map<std::string, std::vector<std::string>> out;
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items()) {
    auto& dst = out[k];
    if (v.is_array()) {
      for (const auto& e : v)
        if (auto s = scalar_to_string(e)) dst.push_back(*s);
    } else if (auto s = scalar_to_string(v)) {
      dst.push_back(*s);
    }
  }
  return out;
}

// What a validation refusal's errors[] says, for the message an operator reads in sync_error:
// "missing lead_notes (MISSING_CONDITIONAL_REQUIRED_PROPERTY)". HubSpot's 2026-09 write validation puts the
// rule in errors[].code and the property in errors[].context.propertyName; the top-level message is prose
// whose wording nobody promised, so the names are taken from the fields. Empty when errors[] names nothing.
std::string nested_error_summary(const Json& item) {
  auto errs = item.find("errors");
  if (errs == item.end() || !errs->is_array()) return "";
  std::string out;
  for (const auto& e : *errs) {
    if (!e.is_object()) continue;
    const std::string code = opt_string(e, "code").value_or("");
    std::vector<std::string> names;
    if (auto c = e.find("context"); c != e.end() && c->is_object())
      if (auto p = c->find("propertyName"); p != c->end()) {
        if (p->is_array()) {
          for (const auto& n : *p)
            if (auto s = scalar_to_string(n)) names.push_back(*s);
        } else if (auto s = scalar_to_string(*p)) {
          names.push_back(*s);
        }
      }
    if (names.empty()) continue;
    std::string part;
    for (const auto& n : names) part += (part.empty() ? "" : ", ") + n;
    if (!code.empty()) part += " (" + code + ")";
    out += (out.empty() ? "" : "; ") + part;
  }
  return out.empty() ? "" : "missing or invalid property " + out;
}

// Appends the summary to a message, unless the message is empty (then the summary is the message).
void append_summary(std::string& message, const std::string& summary) {
  if (summary.empty()) return;
  message = message.empty() ? summary : message + " [" + summary + "]";
}

bool has_next_page(const Json& j) {
  auto p = j.find("paging");
  if (p == j.end() || !p->is_object()) return false;
  auto n = p->find("next");
  return n != p->end() && n->is_object() && n->contains("after");
}

}  // namespace

void add_type_id(std::vector<AssociatedObject>& list, const std::string& to_id, std::optional<int> type_id) {
  auto it =
      std::find_if(list.begin(), list.end(), [&](const AssociatedObject& a) { return a.to_id == to_id; });
  if (it == list.end()) {
    list.push_back(AssociatedObject{to_id, {}});
    it = std::prev(list.end());
  }
  if (type_id && std::find(it->type_ids.begin(), it->type_ids.end(), *type_id) == it->type_ids.end())
    it->type_ids.push_back(*type_id);
}

bool json_depth_within(std::string_view body, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character cannot end the string
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

Json parse_json(const std::string& body) {
  // nlohmann's parser stops at a NUL byte as if the body ended there; JSON never contains one raw.
  if (body.find('\0') != std::string::npos)
    throw MalformedResponse("body contains a NUL byte (" + std::to_string(body.size()) +
                            " bytes): not valid JSON, not read");
  if (!json_depth_within(body))
    throw MalformedResponse("body nests arrays/objects deeper than " + std::to_string(kMaxJsonDepth) +
                            " levels (" + std::to_string(body.size()) +
                            " bytes): not HubSpot's JSON, not read");
  auto j = parse_tree(body);
  if (!j) {
    throw MalformedResponse(body.empty() ? "empty body where JSON was expected"
                                         : "body is not valid JSON (" + std::to_string(body.size()) +
                                               " bytes, possibly truncated)");
  }
  return std::move(*j);
}

std::optional<Json> try_parse_json(const std::string& body) {
  return parse_tree(body);
}

std::optional<std::string> opt_string(const Json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_object() || it->is_array()) return std::nullopt;
  return scalar_to_string(*it);
}

std::string req_string(const Json& j, const char* key, const char* what) {
  auto v = opt_string(j, key);
  if (!v) throw MalformedResponse(std::string(what) + " lacks \"" + key + "\"");
  return *v;
}

const Json& req_array(const Json& j, const char* key, const char* what) {
  if (!j.is_object()) throw MalformedResponse(std::string(what) + " is not a JSON object");
  auto it = j.find(key);
  if (it == j.end() || !it->is_array())
    throw MalformedResponse(std::string(what) + " lacks the array \"" + key + "\"");
  return *it;
}

const Json& req_object(const Json& j, const char* key, const char* what) {
  if (!j.is_object()) throw MalformedResponse(std::string(what) + " is not a JSON object");
  auto it = j.find(key);
  if (it == j.end() || !it->is_object())
    throw MalformedResponse(std::string(what) + " lacks the object \"" + key + "\"");
  return *it;
}

bool opt_bool(const Json& j, const char* key, bool fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) return it->get<std::string>() == "true";
  return fallback;
}

LeadObject decode_lead(const Json& j, const std::vector<std::string>* associations_requested) {
  if (!j.is_object()) throw MalformedResponse("a lead is not a JSON object");
  LeadObject o;
  o.id = req_string(j, "id", "lead");
  for (const auto& [k, v] : req_object(j, "properties", "lead").items())
    o.properties[k] = scalar_to_string(v);
  o.created_at = opt_string(j, "createdAt").value_or("");
  o.updated_at = opt_string(j, "updatedAt").value_or("");
  o.archived = opt_bool(j, "archived");
  o.archived_at = opt_string(j, "archivedAt");
  o.object_write_trace_id = opt_string(j, "objectWriteTraceId");

  if (auto h = j.find("propertiesWithHistory"); h != j.end() && h->is_object()) {
    for (const auto& [name, versions] : h->items()) {
      auto& dst = o.history[name];
      if (!versions.is_array()) continue;
      for (const auto& v : versions) {
        if (!v.is_object()) continue;
        PropertyVersion pv;
        if (auto it = v.find("value"); it != v.end()) pv.value = scalar_to_string(*it);
        pv.timestamp = opt_string(v, "timestamp").value_or("");
        pv.source_type = opt_string(v, "sourceType").value_or("");
        pv.source_id = opt_string(v, "sourceId");
        dst.push_back(std::move(pv));
      }
    }
  }

  if (associations_requested) {
    o.associations.emplace();
    for (const auto& t : *associations_requested) (*o.associations)[t];
  }
  if (auto a = j.find("associations"); a != j.end() && a->is_object()) {
    if (!o.associations) o.associations.emplace();
    for (const auto& [to_type, collection] : a->items()) {
      auto& list = (*o.associations)[to_type];
      if (!collection.is_object()) continue;
      if (has_next_page(collection)) o.associations_unresolved = true;
      auto results = collection.find("results");
      if (results == collection.end() || !results->is_array()) continue;
      for (const auto& r : *results) {
        auto to_id = opt_string(r, "id");
        if (!to_id) throw MalformedResponse("an association of lead " + o.id + " lacks \"id\"");
        std::optional<int> type_id;
        if (auto type = opt_string(r, "type")) {
          type_id = lead_association_type_id(*type);
          if (!type_id) o.associations_unresolved = true;
        } else {
          o.associations_unresolved = true;
        }
        add_type_id(list, *to_id, type_id);
      }
    }
  }
  return o;
}

std::vector<LeadObject> decode_leads(const Json& results,
                                     const std::vector<std::string>* associations_requested) {
  std::vector<LeadObject> out;
  out.reserve(results.size());
  for (const auto& r : results) out.push_back(decode_lead(r, associations_requested));
  return out;
}

std::optional<std::string> decode_next_after(const Json& body) {
  auto p = body.find("paging");
  if (p == body.end() || !p->is_object()) return std::nullopt;
  auto n = p->find("next");
  if (n == p->end() || !n->is_object()) return std::nullopt;
  return opt_string(*n, "after");
}

std::vector<BatchError> decode_batch_errors(const Json& body, const http::Response& response) {
  std::vector<BatchError> out;
  const int http_status = response.status;
  const std::string response_correlation(response.header("X-HubSpot-Correlation-Id").value_or(""));
  auto e = body.find("errors");
  if (e == body.end() || !e->is_array()) return out;
  for (const auto& item : *e) {
    if (!item.is_object()) continue;
    BatchError be;
    be.http_status = http_status;
    be.status = opt_string(item, "status").value_or("");
    be.category = opt_string(item, "category").value_or("");
    be.sub_category = opt_string(item, "subCategory").value_or("");
    be.message = opt_string(item, "message").value_or("");
    be.correlation_id = opt_string(item, "correlationId").value_or(response_correlation);
    if (auto c = item.find("context"); c != item.end()) be.context = decode_context(*c);
    // A 2026-09 validation failure nests the rule's own errors[] (code, context.propertyName) in the item.
    if (auto nested = item.find("errors"); nested != item.end() && nested->is_array())
      for (const auto& n : *nested)
        if (n.is_object())
          if (auto c = n.find("context"); c != n.end())
            for (auto& [k, v] : decode_context(*c))
              if (k == "propertyName") {
                auto& dst = be.context[k];
                dst.insert(dst.end(), v.begin(), v.end());
              }
    append_summary(be.message, nested_error_summary(item));
    out.push_back(std::move(be));
  }
  return out;
}

AssociatedObject decode_v4_association(const Json& j) {
  AssociatedObject a;
  auto id = opt_string(j, "toObjectId");
  if (!id) throw MalformedResponse("an association lacks \"toObjectId\"");
  a.to_id = *id;
  if (auto t = j.find("associationTypes"); t != j.end() && t->is_array()) {
    for (const auto& type : *t) {
      auto type_id = opt_int(type, "typeId");
      if (type_id && std::find(a.type_ids.begin(), a.type_ids.end(), *type_id) == a.type_ids.end())
        a.type_ids.push_back(*type_id);
    }
  }
  return a;
}

AssociationPairLabels decode_pair_labels(const Json& j) {
  if (!j.is_object()) throw MalformedResponse("association labels result is not a JSON object");
  AssociationPairLabels p;
  p.from_id = opt_string(j, "fromObjectId").value_or("");
  p.to_id = opt_string(j, "toObjectId").value_or("");
  if (auto l = j.find("labels"); l != j.end() && l->is_array())
    for (const auto& label : *l)
      if (auto s = scalar_to_string(label)) p.labels.push_back(*s);
  return p;
}

AssociationLabel decode_association_label(const Json& j) {
  AssociationLabel l;
  l.category = opt_string(j, "category").value_or("");
  auto type_id = opt_int(j, "typeId");
  if (!type_id) throw MalformedResponse("association label lacks \"typeId\"");
  l.type_id = *type_id;
  l.label = opt_string(j, "label");
  return l;
}

PropertyDefinition decode_property(const Json& j) {
  PropertyDefinition p;
  p.name = req_string(j, "name", "property");
  p.label = opt_string(j, "label").value_or("");
  p.type = opt_string(j, "type").value_or("");
  p.field_type = opt_string(j, "fieldType").value_or("");
  p.group_name = opt_string(j, "groupName").value_or("");
  p.description = opt_string(j, "description").value_or("");
  p.has_unique_value = opt_bool(j, "hasUniqueValue");
  p.hidden = opt_bool(j, "hidden");
  p.form_field = opt_bool(j, "formField");
  p.calculated = opt_bool(j, "calculated");
  p.external_options = opt_bool(j, "externalOptions");
  p.hubspot_defined = opt_bool(j, "hubspotDefined");
  p.archived = opt_bool(j, "archived");
  if (auto m = j.find("modificationMetadata"); m != j.end() && m->is_object()) {
    p.read_only_value = opt_bool(*m, "readOnlyValue");
    p.read_only_definition = opt_bool(*m, "readOnlyDefinition");
  }
  if (auto o = j.find("options"); o != j.end() && o->is_array()) {
    for (const auto& opt : *o) {
      PropertyOption po;
      po.label = opt_string(opt, "label").value_or("");
      po.value = opt_string(opt, "value").value_or("");
      po.hidden = opt_bool(opt, "hidden");
      po.description = opt_string(opt, "description");
      po.display_order = opt_int(opt, "displayOrder");
      p.options.push_back(std::move(po));
    }
  }
  return p;
}

PropertyValidation decode_property_validation(const Json& j) {
  PropertyValidation v;
  v.property = req_string(j, "propertyName", "property validation");
  auto rules = j.find("propertyValidationRules");
  if (rules == j.end() || !rules->is_array()) return v;
  for (const auto& r : *rules) {
    PropertyValidationRule rule;
    rule.rule_type = req_string(r, "ruleType", "property validation rule");
    if (auto args = r.find("ruleArguments"); args != r.end() && args->is_array())
      for (const auto& a : *args)
        if (auto text = scalar_to_string(a)) rule.arguments.push_back(std::move(*text));
    v.rules.push_back(std::move(rule));
  }
  return v;
}

Pipeline decode_pipeline(const Json& j) {
  Pipeline p;
  p.id = req_string(j, "id", "pipeline");
  p.label = opt_string(j, "label").value_or("");
  p.display_order = opt_int(j, "displayOrder").value_or(0);
  p.archived = opt_bool(j, "archived");
  if (auto s = j.find("stages"); s != j.end() && s->is_array()) {
    for (const auto& st : *s) {
      PipelineStage stage;
      stage.id = req_string(st, "id", "pipeline stage");
      stage.label = opt_string(st, "label").value_or("");
      stage.display_order = opt_int(st, "displayOrder").value_or(0);
      stage.archived = opt_bool(st, "archived");
      p.stages.push_back(std::move(stage));
    }
  }
  return p;
}

Json encode_properties(const std::map<std::string, std::string>& properties) {
  Json j = Json::object();
  for (const auto& [k, v] : properties) j[k] = v;
  return j;
}

Json encode_specs(const std::vector<AssociationSpec>& specs) {
  Json a = Json::array();
  for (const auto& s : specs)
    a.push_back({{"associationCategory", s.category}, {"associationTypeId", s.type_id}});
  return a;
}

Json encode_create_input(const LeadCreateInput& input) {
  Json j;
  j["properties"] = encode_properties(input.properties);
  Json assoc = Json::array();
  for (const auto& a : input.associations)
    assoc.push_back({{"to", {{"id", a.to_id}}}, {"types", encode_specs(a.types)}});
  j["associations"] = std::move(assoc);
  if (input.object_write_trace_id) j["objectWriteTraceId"] = *input.object_write_trace_id;
  return j;
}

Json encode_property_definition(const PropertyDefinition& def) {
  Json j;
  j["name"] = def.name;
  j["label"] = def.label;
  j["type"] = def.type;
  j["fieldType"] = def.field_type;
  j["groupName"] = def.group_name;
  if (!def.description.empty()) j["description"] = def.description;
  j["hasUniqueValue"] = def.has_unique_value;
  j["hidden"] = def.hidden;
  j["formField"] = def.form_field;
  if (!def.options.empty()) {
    Json opts = Json::array();
    for (const auto& o : def.options) {
      Json oj{{"label", o.label}, {"value", o.value}, {"hidden", o.hidden}};
      if (o.description) oj["description"] = *o.description;
      if (o.display_order) oj["displayOrder"] = *o.display_order;
      opts.push_back(std::move(oj));
    }
    j["options"] = std::move(opts);
  }
  return j;
}

ErrorBody decode_error_body(const http::Response& response) {
  ErrorBody e;
  e.details.http_status = response.status;
  if (auto cid = response.header("X-HubSpot-Correlation-Id")) e.details.correlation_id = std::string(*cid);
  if (auto unreadable = unreadable_body(response)) {
    e.message = std::move(*unreadable);
    return e;
  }
  if (!json_depth_within(response.body)) {
    e.message = "error body nests arrays/objects deeper than " + std::to_string(kMaxJsonDepth) + " levels (" +
                std::to_string(response.body.size()) + " bytes): not HubSpot's JSON, not read";
    return e;
  }
  const std::optional<Json> parsed = parse_tree(response.body);
  if (!parsed || !parsed->is_object()) {
    // Not HubSpot's JSON (a proxy page, a truncated body): keep a short, printable excerpt.
    std::string excerpt;
    for (char c : response.body.substr(0, 200))
      excerpt.push_back(std::isprint(static_cast<unsigned char>(c)) ? c : ' ');
    e.message = excerpt;
    return e;
  }
  const Json& j = *parsed;
  e.message = opt_string(j, "message").value_or("");
  e.details.category = opt_string(j, "category").value_or("");
  e.details.sub_category = opt_string(j, "subCategory").value_or("");
  if (auto cid = opt_string(j, "correlationId")) e.details.correlation_id = *cid;
  e.details.policy = opt_string(j, "policyName").value_or("");
  e.error_type = opt_string(j, "errorType").value_or("");
  if (auto c = j.find("context"); c != j.end()) e.details.context = decode_context(*c);
  if (auto errs = j.find("errors"); errs != j.end() && errs->is_array()) {
    for (const auto& item : *errs) {
      if (!item.is_object()) continue;
      if (auto c = item.find("context"); c != item.end()) {
        for (auto& [k, v] : decode_context(*c)) {
          if (k == "requiredGranularScopes" || k == "requiredScopes")
            e.required_scopes.insert(e.required_scopes.end(), v.begin(), v.end());
          auto& dst = e.details.context[k];
          dst.insert(dst.end(), v.begin(), v.end());
        }
      }
      if (e.details.sub_category.empty())
        e.details.sub_category = opt_string(item, "subCategory").value_or("");
    }
  }
  append_summary(e.message, nested_error_summary(j));
  return e;
}

}  // namespace leadsync::hubspot::detail
