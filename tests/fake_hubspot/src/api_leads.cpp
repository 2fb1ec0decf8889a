// Leads v3: create, list, get, update, archive and the batch endpoints.
#include <algorithm>
#include <set>

#include "app.hpp"

namespace leadsync::fake_hubspot {

namespace {

constexpr std::size_t kBatchLimit = 100;
constexpr std::size_t kHistoryBatchLimit = 50;
constexpr std::size_t kListLimit = 100;
constexpr std::size_t kHistoryListLimit = 50;

bool query_bool(const QueryParams& q, std::string_view key) {
  auto v = query_value(q, key);
  return v && iequals(*v, "true");
}

std::string trace_id_of(const nlohmann::json& input) {
  if (input.is_object() && input.contains("objectWriteTraceId") && input["objectWriteTraceId"].is_string())
    return input["objectWriteTraceId"].get<std::string>();
  return {};
}

// Batch writes report per-input errors (207) only when every input carries an objectWriteTraceId
// (docs/hubspot-api.md#batch-responses); otherwise the first bad input fails the whole batch.
bool every_input_traced(const nlohmann::json& inputs) {
  if (inputs.empty()) return false;
  for (const auto& in : inputs)
    if (trace_id_of(in).empty()) return false;
  return true;
}

std::vector<std::string> string_list(const nlohmann::json& body, const char* key) {
  std::vector<std::string> out;
  if (!body.is_object() || !body.contains(key) || !body[key].is_array()) return out;
  for (const auto& v : body[key])
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

std::optional<App::ItemError> App::check_unique_id_property(Ctx&, const std::string& name, PropIndex& out) {
  auto p = store_.find_property(name);
  if (!p || !store_.property(*p).has_unique_value) {
    return ItemError{400, standard_error("VALIDATION_ERROR",
                                         "Unable to perform update/upsert by non-unique 0-136 property " +
                                             name + " in portal ID " + std::to_string(store_.portal_id()))};
  }
  out = *p;
  return std::nullopt;
}

Lead* App::lookup_lead(Ctx& ctx, const std::string& id, const std::optional<std::string>& id_property,
                       bool archived, HttpResponse& fail) {
  Lead* lead = nullptr;
  const bool by_property = id_property && *id_property != "hs_object_id";
  if (by_property) {
    PropIndex p = 0;
    if (auto e = check_unique_id_property(ctx, *id_property, p)) {
      fail = error(ctx, *e);
      return nullptr;
    }
    if (!archived) {
      lead = store_.find_by_unique(p, id);
    } else {
      // Archived leads are not in the unique index; the recycle bin is small, a scan will do.
      for (const auto& l : store_.leads()) {
        const HistEntry* h = l.archived() ? l.current(p) : nullptr;
        if (h && store_.value(h->value) == id) lead = store_.find_lead(l.id);
      }
    }
  } else if (auto n = parse_uint(id)) {
    lead = store_.find_lead(*n);
  }
  if (!lead || lead->archived() != archived) {
    nlohmann::ordered_json extra = nlohmann::ordered_json::object();
    if (!by_property && !parse_uint(id)) extra["context"] = {{"id", {id}}};
    fail = error(ctx, 404, "OBJECT_NOT_FOUND",
                 by_property ? "resource not found" : object_not_found_message(id), extra);
    return nullptr;
  }
  return lead;
}

std::optional<App::ItemError> App::parse_properties(Ctx&, const nlohmann::json& input, PropInput& out) {
  out.clear();
  if (!input.is_object())
    return ItemError{
        400, standard_error("VALIDATION_ERROR", "Invalid input JSON: \"properties\" must be an object")};
  for (auto it = input.begin(); it != input.end(); ++it) {
    const auto& v = it.value();
    if (v.is_string()) {
      out.emplace_back(it.key(), v.get<std::string>());
    } else if (v.is_null()) {
      out.emplace_back(it.key(), std::string());  // treated like "" (clears)
    } else if (v.is_boolean()) {
      out.emplace_back(it.key(), v.get<bool>() ? "true" : "false");
    } else if (v.is_number()) {
      out.emplace_back(it.key(), v.dump());
    } else {
      return ItemError{
          400, standard_error("VALIDATION_ERROR", "Invalid input JSON: the value of property \"" + it.key() +
                                                      "\" must be a string")};
    }
  }
  return std::nullopt;
}

App::ItemError App::missing_primary_error() {
  return ItemError{400,
                   standard_error("VALIDATION_ERROR",
                                  "A lead must be created with a primary association to an existing contact "
                                  "(associationTypeId 578) or company (associationTypeId 580).")};
}

std::optional<App::ItemError> App::parse_create_associations(Ctx&, const nlohmann::json& input,
                                                             std::vector<AssocRequest>& out) {
  out.clear();
  if (input.is_null()) return std::nullopt;
  auto bad = [&](std::string msg) {
    return ItemError{400, standard_error("VALIDATION_ERROR", std::move(msg))};
  };
  if (!input.is_array()) return bad("Invalid input JSON: \"associations\" must be an array");
  for (const auto& a : input) {
    if (!a.is_object() || !a.contains("to") || !a["to"].is_object() || !a.contains("types") ||
        !a["types"].is_array())
      return bad("Invalid input JSON: each association needs \"to\" and \"types\"");
    const auto& to = a["to"]["id"];
    std::string to_id = to.is_string() ? to.get<std::string>() : (to.is_number_unsigned() ? to.dump() : "");
    auto id = parse_uint(to_id);
    for (const auto& t : a["types"]) {
      if (!t.is_object() || !t.contains("associationTypeId") || !t["associationTypeId"].is_number_integer())
        return bad("Invalid input JSON: each association type needs an integer \"associationTypeId\"");
      const int type_id = t["associationTypeId"].get<int>();
      const std::string category = t.value("associationCategory", "");
      const AssocTypeInfo* info = find_association_type(ObjKind::lead, ObjKind::contact, type_id);
      if (!info) info = find_association_type(ObjKind::lead, ObjKind::company, type_id);
      if (!info)
        return bad("Association type " + std::to_string(type_id) + " (" + category +
                   ") is not a valid association type from leads");
      if (category != info->category)
        return bad("Association type " + std::to_string(type_id) + " has category " + info->category +
                   ", not " + category);
      if (!id || !store_.find_object(info->to, *id))
        return bad("Cannot associate lead with " + std::string(object_singular(info->to)) + " " + to_id +
                   ": the record does not exist");
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const AssocRequest& r) { return r.kind == info->to && r.to_id == *id; });
      if (it == out.end()) {
        out.push_back({info->to, *id, info->bit});
      } else {
        it->bits |= info->bit;
      }
    }
  }
  return std::nullopt;
}

std::optional<App::ItemError> App::prepare_create(Ctx& ctx, const nlohmann::json& input, PropWrites& writes,
                                                  std::vector<AssocRequest>& assocs, Store::Claims* claims) {
  if (!input.is_object() || !input.contains("properties"))
    return ItemError{400,
                     standard_error("VALIDATION_ERROR", "Invalid input JSON: \"properties\" is required")};
  PropInput props;
  if (auto e = parse_properties(ctx, input["properties"], props)) return e;
  auto errors = store_.validate(props, nullptr, writes, claims);
  if (!errors.empty())
    return ItemError{400, standard_error("VALIDATION_ERROR", property_errors_message(errors))};
  const auto name =
      std::find_if(props.begin(), props.end(), [](const auto& p) { return p.first == "hs_lead_name"; });
  if (name == props.end() || name->second.empty()) {
    return ItemError{400,
                     standard_error("VALIDATION_ERROR",
                                    property_errors_message({{"hs_lead_name", "REQUIRED_PROPERTY",
                                                              "Property \"hs_lead_name\" is required"}}))};
  }
  if (auto e = check_write_rules(ctx, nullptr, writes)) return e;
  if (auto e = parse_create_associations(
          ctx, input.contains("associations") ? input["associations"] : nlohmann::json(), assocs))
    return e;
  bool primary = false;
  for (const auto& a : assocs) primary |= (a.bits & kAssocPrimary) != 0;
  if (!primary) return missing_primary_error();
  return std::nullopt;
}

std::optional<App::ItemError> App::prepare_update(Ctx& ctx, const Lead& lead,
                                                  const nlohmann::json& properties, PropWrites& writes,
                                                  Store::Claims* claims) {
  PropInput props;
  if (auto e = parse_properties(ctx, properties, props)) return e;
  if (props.empty()) {
    return ItemError{
        400, standard_error("VALIDATION_ERROR", "No properties found to update, please provide at least one.",
                            {{"properties", {"{}"}}})};
  }
  auto errors = store_.validate(props, &lead, writes, claims);
  if (!errors.empty())
    return ItemError{400, standard_error("VALIDATION_ERROR", property_errors_message(errors))};
  return check_write_rules(ctx, &lead, writes);
}

std::string App::batch_envelope(std::int64_t started, const std::string& results_json,
                                const std::vector<nlohmann::ordered_json>& errors) {
  std::string out = R"({"status":"COMPLETE","results":)";
  out += results_json;
  if (!errors.empty()) {
    out += ",\"numErrors\":" + std::to_string(errors.size()) + ",\"errors\":";
    out += nlohmann::ordered_json(errors).dump();
  }
  out += ",\"startedAt\":\"" + format_iso_ms(started) + "\",\"completedAt\":\"" + format_iso_ms(now_ms()) +
         "\"}";
  return out;
}

// ---- single-object endpoints ---------------------------------------------------------------------

HttpResponse App::h_create(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  PropWrites writes;
  std::vector<AssocRequest> assocs;
  if (auto e = prepare_create(ctx, *body, writes, assocs, nullptr)) return error(ctx, *e);
  Lead& lead = store_.create_lead(writes, assocs, ctx.source, ctx.now);
  std::string out;
  JsonWriter w(out);
  ObjectView view;
  view.all_set = true;
  write_lead(w, store_, lead, view);
  return json(201, std::move(out));
}

HttpResponse App::h_list(Ctx& ctx) {
  std::size_t limit = 10;
  if (auto l = query_value(ctx.query, "limit")) {
    auto n = parse_int(*l);
    if (!n || *n < 1)
      return error(ctx, 400, "VALIDATION_ERROR", "limit must be a positive integer, got " + *l);
    limit = std::min<std::size_t>(static_cast<std::size_t>(*n), kListLimit);
  }
  std::uint64_t after = 0;
  if (auto a = query_value(ctx.query, "after"); a && !a->empty()) {
    auto n = parse_uint(*a);
    if (!n) return error(ctx, 400, "VALIDATION_ERROR", "Invalid after: " + *a);
    after = *n;
  }
  const bool archived = query_bool(ctx.query, "archived");
  ObjectView view =
      read_view(query_list(ctx.query, "properties"), query_list(ctx.query, "propertiesWithHistory"),
                query_list(ctx.query, "associations"));
  if (!view.history.empty() && limit > kHistoryListLimit)
    return error(ctx, 400, "VALIDATION_ERROR",
                 "The maximum limit when requesting properties with history is " +
                     std::to_string(kHistoryListLimit) + ". Please reduce the limit and try again.");
  const auto& leads = store_.leads();
  std::size_t i = store_.lower_bound(after);
  std::string out;
  out.reserve(limit * 700 + 256);
  out += R"({"results":)";
  JsonWriter w(out);
  w.begin_array();
  std::size_t n = 0;
  for (; i < leads.size() && n < limit; ++i) {
    if (leads[i].archived() != archived) continue;
    write_lead(w, store_, leads[i], view);
    ++n;
  }
  w.end_array();
  for (; i < leads.size(); ++i)
    if (leads[i].archived() == archived) break;
  if (i < leads.size()) {
    const std::string next = std::to_string(leads[i].id);
    // The link repeats the query with the new cursor, as HubSpot's does.
    std::string query;
    for (const auto& part : split(ctx.req.query, '&')) {
      if (part.empty() || part.substr(0, 6) == "after=") continue;
      query += std::string(part) + "&";
    }
    const std::string link = "http://" + (ctx.req.host.empty() ? std::string("127.0.0.1") : ctx.req.host) +
                             ctx.req.path + "?" + query + "after=" + next;
    out += R"(,"paging":{"next":{"after":")" + next + R"(","link":)";
    JsonWriter::append_string(out, link);
    out += "}}";
  }
  out += "}";
  return json(200, std::move(out));
}

HttpResponse App::h_get(Ctx& ctx) {
  HttpResponse fail;
  Lead* lead = lookup_lead(ctx, ctx.params[0], query_value(ctx.query, "idProperty"),
                           query_bool(ctx.query, "archived"), fail);
  if (!lead) return fail;
  ObjectView view =
      read_view(query_list(ctx.query, "properties"), query_list(ctx.query, "propertiesWithHistory"),
                query_list(ctx.query, "associations"));
  std::string out;
  JsonWriter w(out);
  write_lead(w, store_, *lead, view);
  return json(200, std::move(out));
}

HttpResponse App::h_update(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  Lead* lead = lookup_lead(ctx, ctx.params[0], query_value(ctx.query, "idProperty"), false, fail);
  if (!lead) return fail;
  if (!body->is_object() || !body->contains("properties"))
    return error(ctx, 400, "VALIDATION_ERROR", "No properties found to update, please provide at least one.",
                 {{"context", {{"properties", {"{}"}}}}});
  PropWrites writes;
  if (auto e = prepare_update(ctx, *lead, (*body)["properties"], writes, nullptr)) return error(ctx, *e);
  store_.update_lead(*lead, writes, ctx.source, ctx.now);
  std::string out;
  JsonWriter w(out);
  ObjectView view;
  view.all_set = true;
  write_lead(w, store_, *lead, view);
  return json(200, std::move(out));
}

HttpResponse App::h_archive(Ctx& ctx) {
  // Archiving is idempotent: unknown or already archived ids also get 204.
  if (auto id = parse_uint(ctx.params[0]))
    if (Lead* lead = store_.find_lead(*id)) store_.archive_lead(*lead, ctx.now);
  HttpResponse r;
  r.status = 204;
  return r;
}

// ---- batch endpoints -------------------------------------------------------------------------------

HttpResponse App::h_batch_read(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  if (!body->is_object() || !body->contains("inputs") || !(*body)["inputs"].is_array())
    return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: \"inputs\" is required");
  const auto& inputs = (*body)["inputs"];
  ObjectView view =
      read_view(string_list(*body, "properties"), string_list(*body, "propertiesWithHistory"), {});
  if (inputs.size() > kBatchLimit)
    return error(
        ctx, 400, "VALIDATION_ERROR",
        "The maximum number of inputs supported in a batch request is 100. Please reduce the number of items "
        "and try again.");
  if (!view.history.empty() && inputs.size() > kHistoryBatchLimit)
    return error(
        ctx, 400, "VALIDATION_ERROR",
        "The maximum number of inputs supported in a batch request for property histories is 50. Please "
        "reduce the number of items and try again");
  std::optional<std::string> id_property;
  if (body->contains("idProperty") && (*body)["idProperty"].is_string())
    id_property = (*body)["idProperty"].get<std::string>();
  const bool archived = query_bool(ctx.query, "archived");
  std::vector<Lead*> found;
  std::vector<std::uint64_t> found_ids;
  std::vector<std::string> missing;
  for (const auto& in : inputs) {
    std::string id;
    if (in.is_object() && in.contains("id"))
      id = in["id"].is_string() ? in["id"].get<std::string>() : in["id"].dump();
    HttpResponse ignored;
    Lead* lead = lookup_lead(ctx, id, id_property, archived, ignored);
    if (!lead && ignored.status == 400) return ignored;  // non-unique idProperty fails the whole batch
    if (!lead) {
      missing.push_back(id);
    } else if (std::find(found_ids.begin(), found_ids.end(), lead->id) == found_ids.end()) {
      found.push_back(lead);
      found_ids.push_back(lead->id);
    }
  }
  std::string results;
  JsonWriter w(results);
  w.begin_array();
  for (auto i : result_order(found_ids)) write_lead(w, store_, *found[i], view);
  w.end_array();
  std::vector<nlohmann::ordered_json> errors;
  if (!missing.empty()) {
    errors.push_back(standard_error(
        "OBJECT_NOT_FOUND",
        "Could not get some LEAD objects, they may be deleted or not exist. Check that ids are valid.",
        {{"ids", missing}}));
  }
  return json(batch_status(ctx, !errors.empty(), 200), batch_envelope(ctx.now, results, errors));
}

HttpResponse App::h_batch_create(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  if (!body->is_object() || !body->contains("inputs") || !(*body)["inputs"].is_array())
    return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: \"inputs\" is required");
  const auto& inputs = (*body)["inputs"];
  if (inputs.size() > kBatchLimit)
    return error(
        ctx, 400, "VALIDATION_ERROR",
        "The maximum number of inputs supported in a batch request is 100. Please reduce the number of items "
        "and try again.");
  const bool traced = every_input_traced(inputs);
  Store::Claims claims;
  struct Prepared {
    PropWrites writes;
    std::vector<AssocRequest> assocs;
    std::string trace;
  };
  std::vector<Prepared> ok;
  std::vector<nlohmann::ordered_json> errors;
  for (const auto& in : inputs) {
    Prepared p;
    p.trace = trace_id_of(in);
    if (auto e = prepare_create(ctx, in, p.writes, p.assocs, &claims)) {
      if (!traced) return error(ctx, *e);  // nothing has been written yet
      e->body["context"]["objectWriteTraceId"] = {p.trace};
      errors.push_back(std::move(e->body));
      continue;
    }
    ok.push_back(std::move(p));
  }
  std::vector<const Lead*> created;
  std::vector<std::uint64_t> ids;
  for (const auto& p : ok) {
    created.push_back(&store_.create_lead(p.writes, p.assocs, ctx.source, ctx.now));
    ids.push_back(created.back()->id);
  }
  std::string results;
  JsonWriter w(results);
  w.begin_array();
  for (auto i : result_order(ids)) {
    ObjectView view;
    view.all_set = true;
    view.trace_id = ok[i].trace;
    write_lead(w, store_, *created[i], view);
  }
  w.end_array();
  return json(batch_status(ctx, !errors.empty(), 201), batch_envelope(ctx.now, results, errors));
}

HttpResponse App::h_batch_update(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  if (!body->is_object() || !body->contains("inputs") || !(*body)["inputs"].is_array())
    return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: \"inputs\" is required");
  const auto& inputs = (*body)["inputs"];
  if (inputs.size() > kBatchLimit)
    return error(
        ctx, 400, "VALIDATION_ERROR",
        "The maximum number of inputs supported in a batch request is 100. Please reduce the number of items "
        "and try again.");
  const bool traced = every_input_traced(inputs);
  std::set<std::string> seen;
  std::vector<std::string> duplicates;
  for (const auto& in : inputs) {
    if (!in.is_object() || !in.contains("id")) continue;
    const std::string key = in.value("idProperty", std::string()) + ":" +
                            (in["id"].is_string() ? in["id"].get<std::string>() : in["id"].dump());
    if (!seen.insert(key).second)
      duplicates.push_back(in["id"].is_string() ? in["id"].get<std::string>() : in["id"].dump());
  }
  if (!duplicates.empty()) {
    std::string list;
    for (const auto& d : duplicates) list += (list.empty() ? "" : ", ") + d;
    return error(ctx, 400, "VALIDATION_ERROR",
                 "Duplicate IDs found in batch input: [" + list + "]. IDs must be unique");
  }
  Store::Claims claims;
  struct Prepared {
    Lead* lead;
    PropWrites writes;
    std::string trace;
  };
  std::vector<Prepared> ok;
  std::vector<nlohmann::ordered_json> errors;
  for (const auto& in : inputs) {
    Prepared p{nullptr, {}, trace_id_of(in)};
    std::optional<ItemError> err;
    std::string id;
    if (!in.is_object() || !in.contains("id") || !in.contains("properties")) {
      err = ItemError{400, standard_error("VALIDATION_ERROR",
                                          "Invalid input JSON: each input needs \"id\" and \"properties\"")};
    } else {
      id = in["id"].is_string() ? in["id"].get<std::string>() : in["id"].dump();
      std::optional<std::string> idp;
      if (in.contains("idProperty") && in["idProperty"].is_string())
        idp = in["idProperty"].get<std::string>();
      HttpResponse missing;
      p.lead = lookup_lead(ctx, id, idp, false, missing);
      if (!p.lead) {
        if (missing.status == 400) {
          auto parsed = nlohmann::ordered_json::parse(missing.body);
          err = ItemError{400, standard_error("VALIDATION_ERROR", parsed.value("message", ""))};
        } else {
          err = ItemError{404,
                          standard_error("OBJECT_NOT_FOUND", object_not_found_message(id), {{"ids", {id}}})};
        }
      } else {
        err = prepare_update(ctx, *p.lead, in["properties"], p.writes, &claims);
      }
    }
    if (err) {
      if (!traced) return error(ctx, *err);
      err->body["context"]["objectWriteTraceId"] = {p.trace};
      errors.push_back(std::move(err->body));
      continue;
    }
    ok.push_back(std::move(p));
  }
  std::vector<std::uint64_t> ids;
  for (auto& p : ok) {
    store_.update_lead(*p.lead, p.writes, ctx.source, ctx.now);
    ids.push_back(p.lead->id);
  }
  std::string results;
  JsonWriter w(results);
  w.begin_array();
  for (auto i : result_order(ids)) {
    ObjectView view;
    view.all_set = true;
    view.trace_id = ok[i].trace;
    write_lead(w, store_, *ok[i].lead, view);
  }
  w.end_array();
  return json(batch_status(ctx, !errors.empty(), 200), batch_envelope(ctx.now, results, errors));
}

HttpResponse App::h_batch_upsert(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  if (!body->is_object() || !body->contains("inputs") || !(*body)["inputs"].is_array())
    return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: \"inputs\" is required");
  const auto& inputs = (*body)["inputs"];
  if (inputs.size() > kBatchLimit)
    return error(
        ctx, 400, "VALIDATION_ERROR",
        "The maximum number of inputs supported in a batch request is 100. Please reduce the number of items "
        "and try again.");
  // Upsert addresses records by a unique property only; hs_object_id or a plain property fails the batch.
  for (const auto& in : inputs) {
    const std::string idp =
        in.is_object() ? in.value("idProperty", std::string("hs_object_id")) : "hs_object_id";
    PropIndex p = 0;
    if (auto e = check_unique_id_property(ctx, idp, p)) return error(ctx, *e);
  }
  const bool traced = every_input_traced(inputs);
  Store::Claims claims;
  struct Prepared {
    Lead* lead;
    PropWrites writes;
    std::string trace;
  };
  std::vector<Prepared> ok;
  std::vector<nlohmann::ordered_json> errors;
  for (const auto& in : inputs) {
    Prepared p{nullptr, {}, trace_id_of(in)};
    std::optional<ItemError> err;
    if (!in.contains("id") || !in.contains("properties")) {
      err = ItemError{400, standard_error("VALIDATION_ERROR",
                                          "Invalid input JSON: each input needs \"id\" and \"properties\"")};
    } else {
      const std::string id = in["id"].is_string() ? in["id"].get<std::string>() : in["id"].dump();
      const PropIndex prop = *store_.find_property(in["idProperty"].get<std::string>());
      p.lead = store_.find_by_unique(prop, id);
      if (p.lead) {
        err = prepare_update(ctx, *p.lead, in["properties"], p.writes, &claims);
      } else {
        // A new lead would need an inline primary association, which upsert inputs cannot carry.
        nlohmann::json create = {{"properties", in["properties"]}};
        if (create["properties"].is_object()) create["properties"][store_.property(prop).name] = id;
        PropWrites writes;
        std::vector<AssocRequest> assocs;
        err = prepare_create(ctx, create, writes, assocs, &claims);
        if (!err) err = missing_primary_error();
      }
    }
    if (err) {
      if (!traced) return error(ctx, *err);
      err->body["context"]["objectWriteTraceId"] = {p.trace};
      errors.push_back(std::move(err->body));
      continue;
    }
    ok.push_back(std::move(p));
  }
  std::vector<std::uint64_t> ids;
  for (auto& p : ok) {
    store_.update_lead(*p.lead, p.writes, ctx.source, ctx.now);
    ids.push_back(p.lead->id);
  }
  std::string results;
  JsonWriter w(results);
  w.begin_array();
  for (auto i : result_order(ids)) {
    ObjectView view;
    view.all_set = true;
    view.trace_id = ok[i].trace;
    view.is_new = 0;
    write_lead(w, store_, *ok[i].lead, view);
  }
  w.end_array();
  return json(batch_status(ctx, !errors.empty(), 200), batch_envelope(ctx.now, results, errors));
}

HttpResponse App::h_batch_archive(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  if (!body->is_object() || !body->contains("inputs") || !(*body)["inputs"].is_array())
    return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: \"inputs\" is required");
  const auto& inputs = (*body)["inputs"];
  if (inputs.size() > kBatchLimit)
    return error(
        ctx, 400, "VALIDATION_ERROR",
        "The maximum number of inputs supported in a batch request is 100. Please reduce the number of items "
        "and try again.");
  for (const auto& in : inputs)
    if (!in.is_object() || !in.contains("id"))
      return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: each input needs an \"id\"");
  for (const auto& in : inputs) {
    const std::string id = in["id"].is_string() ? in["id"].get<std::string>() : in["id"].dump();
    if (auto n = parse_uint(id))
      if (Lead* lead = store_.find_lead(*n)) store_.archive_lead(*lead, ctx.now);
  }
  HttpResponse r;
  r.status = 204;
  return r;
}

}  // namespace leadsync::fake_hubspot
