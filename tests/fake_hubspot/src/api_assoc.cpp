// Associations between leads and contacts/companies: the legacy v3 per-lead endpoints, v4 per pair,
// v4 batch, and the v4 labels (association type) listing.
#include <algorithm>

#include "app.hpp"

namespace leadsync::fake_hubspot {

namespace {

constexpr std::size_t kV4PageLimit = 500;
constexpr std::size_t kV4BatchReadLimit = 1000;
constexpr std::size_t kV4BatchWriteLimit = 2000;

std::string id_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned() || v.is_number_integer()) return v.dump();
  return {};
}

// One end of an association as addressed by a request.
struct Pair {
  ObjKind from = ObjKind::lead;
  ObjKind to = ObjKind::contact;
  Lead* lead = nullptr;  // the lead side (live or archived), nullptr when absent
  std::uint64_t lead_id = 0;
  ObjKind other = ObjKind::contact;  // the contact/company side
  std::uint64_t other_id = 0;
  bool other_exists = false;
  std::uint64_t from_id = 0, to_id = 0;
};

}  // namespace

// Shared by the v3 endpoints and the admin UI routes: ctx.params = {leadId, toType, toId, typeId}.
HttpResponse App::v3_association_change(Ctx& ctx, bool add, bool ui) {
  (void)ui;  // association changes carry no property source; UI and API behave the same
  const auto kind = parse_object_type(ctx.params[1]);
  if (!kind || *kind == ObjKind::lead)
    return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[1]);
  auto type_id = parse_int(ctx.params[3]);
  const AssocTypeInfo* info =
      type_id ? find_association_type(ObjKind::lead, *kind, static_cast<int>(*type_id)) : nullptr;
  if (!info)
    return error(ctx, 400, "VALIDATION_ERROR",
                 ctx.params[3] + " is not a valid association type id between lead and " +
                     std::string(object_singular(*kind)));
  HttpResponse fail;
  Lead* lead = lookup_lead(ctx, ctx.params[0], std::nullopt, false, fail);
  if (!lead) return fail;
  auto to = parse_uint(ctx.params[2]);
  if (!to || !store_.find_object(*kind, *to)) {
    nlohmann::ordered_json extra;
    extra["context"] = {{"id", {ctx.params[2]}}};
    return error(ctx, 404, "OBJECT_NOT_FOUND", object_not_found_message(ctx.params[2]), extra);
  }
  if (!add) {
    store_.dissociate(*lead, *kind, *to, info->bit, ctx.now);
    HttpResponse r;
    r.status = 204;
    return r;
  }
  store_.associate(*lead, *kind, *to, info->bit);
  ObjectView view = read_view({}, {}, {"contacts", "companies"});
  std::string out;
  JsonWriter w(out);
  write_lead(w, store_, *lead, view);
  return json(200, std::move(out));
}

HttpResponse App::h_v3_assoc_put(Ctx& ctx) {
  return v3_association_change(ctx, true, false);
}
HttpResponse App::h_v3_assoc_delete(Ctx& ctx) {
  return v3_association_change(ctx, false, false);
}

HttpResponse App::h_v3_assoc_list(Ctx& ctx) {
  const auto kind = parse_object_type(ctx.params[1]);
  if (!kind || *kind == ObjKind::lead)
    return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[1]);
  HttpResponse fail;
  Lead* lead = lookup_lead(ctx, ctx.params[0], std::nullopt, false, fail);
  if (!lead) return fail;
  std::size_t limit = kV4PageLimit;
  if (auto l = query_value(ctx.query, "limit"))
    if (auto n = parse_int(*l); n && *n > 0)
      limit = std::min<std::size_t>(static_cast<std::size_t>(*n), kV4PageLimit);
  std::uint64_t after = 0;
  if (auto a = query_value(ctx.query, "after"))
    if (auto n = parse_uint(*a)) after = *n;
  std::vector<LeadAssoc> assocs;
  for (const auto& a : lead->assocs)
    if (a.kind == *kind && a.to_id >= after) assocs.push_back(a);
  std::sort(assocs.begin(), assocs.end(), [](const auto& a, const auto& b) { return a.to_id < b.to_id; });
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  std::size_t i = 0;
  for (; i < assocs.size() && i < limit; ++i) {
    for (std::uint8_t bit : kAssocKinds) {
      if (!(assocs[i].bits & bit)) continue;
      results.push_back({{"id", std::to_string(assocs[i].to_id)},
                         {"type", association_type_for_bit(ObjKind::lead, *kind, bit)->v3_name}});
    }
  }
  nlohmann::ordered_json out;
  out["results"] = std::move(results);
  if (i < assocs.size()) out["paging"] = {{"next", {{"after", std::to_string(assocs[i].to_id)}}}};
  return json(200, out);
}

// ---- v4 -----------------------------------------------------------------------------------------------

namespace {

// Resolves {from type, from id, to type, to id}; exactly one side must be a lead.
std::optional<std::string> resolve_pair(Store& store, const std::string& from_type,
                                        const std::string& from_id, const std::string& to_type,
                                        const std::string& to_id, Pair& out) {
  auto from = parse_object_type(from_type);
  if (!from) return "Unable to infer object type from: " + from_type;
  auto to = parse_object_type(to_type);
  if (!to) return "Unable to infer object type from: " + to_type;
  if ((*from == ObjKind::lead) == (*to == ObjKind::lead))
    return "fake-hubspot only models associations between leads and contacts or companies";
  out.from = *from;
  out.to = *to;
  auto fid = parse_uint(from_id), tid = parse_uint(to_id);
  out.from_id = fid.value_or(0);
  out.to_id = tid.value_or(0);
  const bool lead_from = *from == ObjKind::lead;
  out.lead_id = lead_from ? out.from_id : out.to_id;
  out.other = lead_from ? *to : *from;
  out.other_id = lead_from ? out.to_id : out.from_id;
  out.lead = out.lead_id ? store.find_lead(out.lead_id) : nullptr;
  out.other_exists = out.other_id && store.find_object(out.other, out.other_id);
  return std::nullopt;
}

nlohmann::ordered_json association_types_json(ObjKind from, ObjKind to, std::uint8_t bits) {
  nlohmann::ordered_json types = nlohmann::ordered_json::array();
  for (std::uint8_t bit : kAssocKinds) {
    if (!(bits & bit)) continue;
    const auto* t = association_type_for_bit(from, to, bit);
    nlohmann::ordered_json x;
    x["category"] = t->category;
    x["typeId"] = t->type_id;
    x["label"] = t->label ? nlohmann::ordered_json(t->label) : nlohmann::ordered_json(nullptr);
    types.push_back(std::move(x));
  }
  return types;
}

nlohmann::ordered_json labels_between(const Pair& p, std::uint8_t bits, nlohmann::ordered_json from_id,
                                      nlohmann::ordered_json to_id) {
  nlohmann::ordered_json j;
  j["fromObjectTypeId"] = std::string(object_type_id(p.from));
  j["fromObjectId"] = std::move(from_id);
  j["toObjectTypeId"] = std::string(object_type_id(p.to));
  j["toObjectId"] = std::move(to_id);
  nlohmann::ordered_json labels = nlohmann::ordered_json::array();
  for (std::uint8_t bit : kAssocKinds) {
    const auto* t = association_type_for_bit(p.from, p.to, bit);
    if ((bits & bit) && t->label) labels.push_back(t->label);
  }
  j["labels"] = std::move(labels);
  return j;
}

// The association kinds named by a list of AssociationSpec; error text when one is not valid.
std::optional<std::string> spec_bits(const nlohmann::json& specs, ObjKind from, ObjKind to,
                                     std::uint8_t& bits) {
  bits = 0;
  if (!specs.is_array())
    return "Invalid input JSON: expected an array of {associationCategory, associationTypeId}";
  for (const auto& s : specs) {
    if (!s.is_object() || !s.contains("associationTypeId") || !s["associationTypeId"].is_number_integer())
      return "Invalid input JSON: each association spec needs an integer associationTypeId";
    const int id = s["associationTypeId"].get<int>();
    const std::string category = s.value("associationCategory", "");
    const auto* t = find_association_type(from, to, id);
    if (!t)
      return std::to_string(id) + " is not a valid association type id from " +
             std::string(object_singular(from)) + " to " + std::string(object_singular(to));
    if (category != t->category)
      return "association type " + std::to_string(id) + " has category " + t->category + ", not " + category;
    bits |= t->bit;
  }
  return std::nullopt;
}

// Associated records of `from_id` (a lead or contact/company) with their kinds of association, by id.
std::vector<std::pair<std::uint64_t, std::uint8_t>> associated(Store& store, ObjKind from,
                                                               std::uint64_t from_id, ObjKind to,
                                                               bool& exists) {
  std::vector<std::pair<std::uint64_t, std::uint8_t>> out;
  exists = false;
  if (from == ObjKind::lead) {
    const Lead* lead = store.find_lead(from_id);
    if (!lead || lead->archived()) return out;
    exists = true;
    for (const auto& a : lead->assocs)
      if (a.kind == to) out.emplace_back(a.to_id, a.bits);
  } else if (to == ObjKind::lead) {
    const CrmObject* o = store.find_object(from, from_id);
    if (!o) return out;
    exists = true;
    for (auto id : o->leads) {
      const Lead* lead = store.find_lead(id);
      if (!lead || lead->archived()) continue;
      if (auto bits = lead->assoc_bits(from, from_id)) out.emplace_back(id, bits);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

HttpResponse App::h_v4_put(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  Pair p;
  if (auto e = resolve_pair(store_, ctx.params[0], ctx.params[1], ctx.params[2], ctx.params[3], p))
    return error(ctx, 400, "VALIDATION_ERROR", *e);
  std::uint8_t bits = 0;
  if (auto e = spec_bits(*body, p.from, p.to, bits)) return error(ctx, 400, "VALIDATION_ERROR", *e);
  if (!p.lead || p.lead->archived() || !p.other_exists) {
    const std::string missing =
        !p.lead || p.lead->archived() ? std::to_string(p.lead_id) : std::to_string(p.other_id);
    return error(ctx, 404, "OBJECT_NOT_FOUND", object_not_found_message(missing));
  }
  // Creating labels replaces the labels of the pair (docs/hubspot-api.md#association-endpoints); the
  // unlabeled kind always stays.
  store_.set_labels(*p.lead, p.other, p.other_id, bits, ctx.now);
  return json(201, labels_between(p, p.lead->assoc_bits(p.other, p.other_id), association_id(ctx, p.from_id),
                                  association_id(ctx, p.to_id)));
}

HttpResponse App::h_v4_put_default(Ctx& ctx) {
  Pair p;
  if (auto e = resolve_pair(store_, ctx.params[0], ctx.params[1], ctx.params[2], ctx.params[3], p))
    return error(ctx, 400, "VALIDATION_ERROR", *e);
  if (!p.lead || p.lead->archived() || !p.other_exists) {
    const std::string missing =
        !p.lead || p.lead->archived() ? std::to_string(p.lead_id) : std::to_string(p.other_id);
    return error(ctx, 404, "OBJECT_NOT_FOUND", object_not_found_message(missing));
  }
  store_.associate(*p.lead, p.other, p.other_id, kAssocUnlabeled);
  nlohmann::ordered_json result;
  result["from"] = {{"id", std::to_string(p.from_id)}};
  result["to"] = {{"id", std::to_string(p.to_id)}};
  result["associationSpec"] = {
      {"associationCategory", "HUBSPOT_DEFINED"},
      {"associationTypeId", association_type_for_bit(p.from, p.to, kAssocUnlabeled)->type_id}};
  nlohmann::ordered_json out;
  out["status"] = "COMPLETE";
  out["results"] = nlohmann::ordered_json::array({result});
  out["startedAt"] = format_iso_ms(ctx.now);
  out["completedAt"] = format_iso_ms(now_ms());
  return json(200, out);
}

HttpResponse App::h_v4_delete(Ctx& ctx) {
  Pair p;
  if (auto e = resolve_pair(store_, ctx.params[0], ctx.params[1], ctx.params[2], ctx.params[3], p))
    return error(ctx, 400, "VALIDATION_ERROR", *e);
  // "deletes all associations between two records"
  if (p.lead && !p.lead->archived())
    store_.dissociate(*p.lead, p.other, p.other_id, kAssocUnlabeled, ctx.now);
  HttpResponse r;
  r.status = 204;
  return r;
}

HttpResponse App::h_v4_list(Ctx& ctx) {
  auto from = parse_object_type(ctx.params[0]);
  auto to = parse_object_type(ctx.params[2]);
  if (!from) return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[0]);
  if (!to) return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[2]);
  std::size_t limit = kV4PageLimit;
  if (auto l = query_value(ctx.query, "limit")) {
    auto n = parse_int(*l);
    if (!n || *n < 1) return error(ctx, 400, "VALIDATION_ERROR", "limit must be a positive integer");
    limit = std::min<std::size_t>(static_cast<std::size_t>(*n), kV4PageLimit);
  }
  std::uint64_t after = 0;
  if (auto a = query_value(ctx.query, "after"); a && !a->empty()) {
    auto n = parse_uint(*a);
    if (!n) return error(ctx, 400, "VALIDATION_ERROR", "Invalid after: " + *a);
    after = *n;
  }
  auto from_id = parse_uint(ctx.params[1]);
  bool exists = false;
  auto items = from_id ? associated(store_, *from, *from_id, *to, exists)
                       : decltype(associated(store_, *from, 0, *to, exists)){};
  if (!exists) return error(ctx, 404, "OBJECT_NOT_FOUND", object_not_found_message(ctx.params[1]));
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  std::size_t i = 0;
  while (i < items.size() && items[i].first < after) ++i;
  std::size_t n = 0;
  for (; i < items.size() && n < limit; ++i, ++n) {
    nlohmann::ordered_json x;
    x["toObjectId"] = association_id(ctx, items[i].first);
    x["associationTypes"] = association_types_json(*from, *to, items[i].second);
    results.push_back(std::move(x));
  }
  nlohmann::ordered_json out;
  out["results"] = std::move(results);
  if (i < items.size()) {
    const std::string next = std::to_string(items[i].first);
    out["paging"] = {{"next",
                      {{"after", next},
                       {"link", "http://" + ctx.req.host + ctx.req.path + "?limit=" + std::to_string(limit) +
                                    "&after=" + next}}}};
  }
  return json(200, out);
}

HttpResponse App::h_v4_batch_read(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  auto from = parse_object_type(ctx.params[0]);
  auto to = parse_object_type(ctx.params[1]);
  if (!from || !to)
    return error(ctx, 400, "VALIDATION_ERROR",
                 "Unable to infer object type from: " + ctx.params[from ? 1 : 0]);
  if (!body->is_object() || !body->contains("inputs") || !(*body)["inputs"].is_array())
    return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: \"inputs\" is required");
  const auto& inputs = (*body)["inputs"];
  if (inputs.size() > kV4BatchReadLimit)
    return error(ctx, 400, "VALIDATION_ERROR",
                 "The maximum number of inputs supported in a batch request is 1000. Please reduce the "
                 "number of items "
                 "and try again.");
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  std::vector<nlohmann::ordered_json> errors;
  for (const auto& in : inputs) {
    const std::string id = in.is_object() && in.contains("id") ? id_text(in["id"]) : std::string();
    std::uint64_t after = 0;
    if (in.is_object() && in.contains("after"))
      if (auto a = parse_uint(id_text(in["after"]))) after = *a;
    auto fid = parse_uint(id);
    bool exists = false;
    auto items = fid ? associated(store_, *from, *fid, *to, exists)
                     : decltype(associated(store_, *from, 0, *to, exists)){};
    std::size_t i = 0;
    while (i < items.size() && items[i].first < after) ++i;
    if (i >= items.size()) {
      errors.push_back(standard_error("VALIDATION_ERROR",
                                      "No " + std::string(object_singular(*to)) + " is associated with " +
                                          std::string(object_singular(*from)) + " " + id + ".",
                                      {{"fromObjectId", {id}}}));
      continue;
    }
    nlohmann::ordered_json r;
    r["from"] = {{"id", id}};
    nlohmann::ordered_json tos = nlohmann::ordered_json::array();
    std::size_t n = 0;
    for (; i < items.size() && n < kV4PageLimit; ++i, ++n) {
      nlohmann::ordered_json x;
      x["toObjectId"] = association_id(ctx, items[i].first);
      x["associationTypes"] = association_types_json(*from, *to, items[i].second);
      tos.push_back(std::move(x));
    }
    r["to"] = std::move(tos);
    if (i < items.size()) r["paging"] = {{"next", {{"after", std::to_string(items[i].first)}}}};
    results.push_back(std::move(r));
  }
  // Results are not in input order.
  std::reverse(results.begin(), results.end());
  return json(batch_status(ctx, !errors.empty(), 200), batch_envelope(ctx.now, results.dump(), errors));
}

HttpResponse App::h_v4_batch_create(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  if (!body->is_object() || !body->contains("inputs") || !(*body)["inputs"].is_array())
    return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: \"inputs\" is required");
  const auto& inputs = (*body)["inputs"];
  if (inputs.size() > kV4BatchWriteLimit)
    return error(ctx, 400, "VALIDATION_ERROR",
                 "The maximum number of inputs supported in a batch request is 2000.");
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  std::vector<nlohmann::ordered_json> errors;
  for (const auto& in : inputs) {
    if (!in.is_object() || !in.contains("from") || !in.contains("to") || !in.contains("types"))
      return error(ctx, 400, "VALIDATION_ERROR",
                   "Invalid input JSON: each input needs \"from\", \"to\" and \"types\"");
    const std::string fid = in["from"].is_object() ? id_text(in["from"].value("id", nlohmann::json())) : "";
    const std::string tid = in["to"].is_object() ? id_text(in["to"].value("id", nlohmann::json())) : "";
    Pair p;
    if (auto e = resolve_pair(store_, ctx.params[0], fid, ctx.params[1], tid, p))
      return error(ctx, 400, "VALIDATION_ERROR", *e);
    std::uint8_t bits = 0;
    if (auto e = spec_bits(in["types"], p.from, p.to, bits)) {
      errors.push_back(
          standard_error("VALIDATION_ERROR", *e, {{"fromObjectId", {fid}}, {"toObjectId", {tid}}}));
      continue;
    }
    if (!p.lead || p.lead->archived() || !p.other_exists) {
      errors.push_back(standard_error("OBJECT_NOT_FOUND",
                                      "Could not find the " + std::string(object_singular(p.from)) + " " +
                                          fid + " or the " + std::string(object_singular(p.to)) + " " + tid +
                                          ".",
                                      {{"fromObjectId", {fid}}, {"toObjectId", {tid}}}));
      continue;
    }
    store_.set_labels(*p.lead, p.other, p.other_id, bits, ctx.now);
    results.push_back(labels_between(p, p.lead->assoc_bits(p.other, p.other_id),
                                     association_id(ctx, p.from_id), association_id(ctx, p.to_id)));
  }
  std::reverse(results.begin(), results.end());
  // The pre-GA 2026-09 spec answers 200 here, not 201.
  const int ok = ctx.version == ApiVersion::v2026_09 ? 200 : 201;
  return json(batch_status(ctx, !errors.empty(), ok), batch_envelope(ctx.now, results.dump(), errors));
}

HttpResponse App::h_v4_batch_archive(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  if (!body->is_object() || !body->contains("inputs") || !(*body)["inputs"].is_array())
    return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: \"inputs\" is required");
  for (const auto& in : (*body)["inputs"]) {
    if (!in.is_object() || !in.contains("from") || !in.contains("to") || !in["to"].is_array())
      return error(ctx, 400, "VALIDATION_ERROR",
                   "Invalid input JSON: each input needs \"from\" and a \"to\" array");
    const std::string fid = in["from"].is_object() ? id_text(in["from"].value("id", nlohmann::json())) : "";
    for (const auto& t : in["to"]) {
      const std::string tid = t.is_object() ? id_text(t.value("id", nlohmann::json())) : "";
      Pair p;
      if (auto e = resolve_pair(store_, ctx.params[0], fid, ctx.params[1], tid, p))
        return error(ctx, 400, "VALIDATION_ERROR", *e);
      if (p.lead && !p.lead->archived())
        store_.dissociate(*p.lead, p.other, p.other_id, kAssocUnlabeled, ctx.now);
    }
  }
  return association_archive_done(ctx);
}

HttpResponse App::h_v4_batch_labels_archive(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  if (!body->is_object() || !body->contains("inputs") || !(*body)["inputs"].is_array())
    return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: \"inputs\" is required");
  for (const auto& in : (*body)["inputs"]) {
    if (!in.is_object() || !in.contains("from") || !in.contains("to") || !in.contains("types"))
      return error(ctx, 400, "VALIDATION_ERROR",
                   "Invalid input JSON: each input needs \"from\", \"to\" and \"types\"");
    const std::string fid = in["from"].is_object() ? id_text(in["from"].value("id", nlohmann::json())) : "";
    const std::string tid = in["to"].is_object() ? id_text(in["to"].value("id", nlohmann::json())) : "";
    Pair p;
    if (auto e = resolve_pair(store_, ctx.params[0], fid, ctx.params[1], tid, p))
      return error(ctx, 400, "VALIDATION_ERROR", *e);
    std::uint8_t bits = 0;
    if (auto e = spec_bits(in["types"], p.from, p.to, bits)) return error(ctx, 400, "VALIDATION_ERROR", *e);
    // Removing the unlabeled kind removes the labeled ones too.
    if (p.lead && !p.lead->archived()) store_.dissociate(*p.lead, p.other, p.other_id, bits, ctx.now);
  }
  return association_archive_done(ctx);
}

HttpResponse App::h_v4_batch_default(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  if (!body->is_object() || !body->contains("inputs") || !(*body)["inputs"].is_array())
    return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: \"inputs\" is required");
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  std::vector<nlohmann::ordered_json> errors;
  for (const auto& in : (*body)["inputs"]) {
    if (!in.is_object() || !in.contains("from") || !in.contains("to"))
      return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: each input needs \"from\" and \"to\"");
    const std::string fid = in["from"].is_object() ? id_text(in["from"].value("id", nlohmann::json())) : "";
    const std::string tid = in["to"].is_object() ? id_text(in["to"].value("id", nlohmann::json())) : "";
    Pair p;
    if (auto e = resolve_pair(store_, ctx.params[0], fid, ctx.params[1], tid, p))
      return error(ctx, 400, "VALIDATION_ERROR", *e);
    if (!p.lead || p.lead->archived() || !p.other_exists) {
      errors.push_back(standard_error("OBJECT_NOT_FOUND",
                                      "Could not find the " + std::string(object_singular(p.from)) + " " +
                                          fid + " or the " + std::string(object_singular(p.to)) + " " + tid +
                                          ".",
                                      {{"fromObjectId", {fid}}, {"toObjectId", {tid}}}));
      continue;
    }
    store_.associate(*p.lead, p.other, p.other_id, kAssocUnlabeled);
    nlohmann::ordered_json r;
    r["from"] = {{"id", fid}};
    r["to"] = {{"id", tid}};
    r["associationSpec"] = {
        {"associationCategory", "HUBSPOT_DEFINED"},
        {"associationTypeId", association_type_for_bit(p.from, p.to, kAssocUnlabeled)->type_id}};
    results.push_back(std::move(r));
  }
  std::reverse(results.begin(), results.end());
  return json(200, batch_envelope(ctx.now, results.dump(), errors));
}

HttpResponse App::h_v4_labels(Ctx& ctx) {
  auto from = parse_object_type(ctx.params[0]);
  auto to = parse_object_type(ctx.params[1]);
  if (!from) return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[0]);
  if (!to) return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[1]);
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const auto& t : association_types()) {
    if (t.from != *from || t.to != *to) continue;
    nlohmann::ordered_json x;
    x["category"] = t.category;
    x["typeId"] = t.type_id;
    x["label"] = t.label ? nlohmann::ordered_json(t.label) : nlohmann::ordered_json(nullptr);
    results.push_back(std::move(x));
  }
  nlohmann::ordered_json out;
  out["results"] = std::move(results);
  return json(200, out);
}

}  // namespace leadsync::fake_hubspot
