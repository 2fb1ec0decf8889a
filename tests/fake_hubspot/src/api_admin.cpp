// The /_fake/ admin routes (no auth): reset, records to associate with, UI edits, stats, faults, config.
#include <algorithm>

#include "app.hpp"

namespace leadsync::fake_hubspot {

namespace {

constexpr std::int64_t kDefaultUiUser = 9'000'001;

HttpResponse no_content() {
  HttpResponse r;
  r.status = 204;
  return r;
}

}  // namespace

nlohmann::ordered_json App::object_json(const CrmObject& o) {
  nlohmann::ordered_json props = nlohmann::ordered_json::object();
  for (const auto& [k, v] : o.properties) props[k] = v;
  props["createdate"] = format_iso_ms(o.created_ms);
  props[o.kind == ObjKind::contact ? "lastmodifieddate" : "hs_lastmodifieddate"] =
      format_iso_ms(o.updated_ms);
  props["hs_object_id"] = std::to_string(o.id);
  nlohmann::ordered_json j;
  j["id"] = std::to_string(o.id);
  j["properties"] = std::move(props);
  j["createdAt"] = format_iso_ms(o.created_ms);
  j["updatedAt"] = format_iso_ms(o.updated_ms);
  j["archived"] = false;
  nlohmann::ordered_json leads = nlohmann::ordered_json::array();
  for (auto id : o.leads) leads.push_back(std::to_string(id));
  j["leads"] = std::move(leads);
  return j;
}

HttpResponse App::admin_create_objects(Ctx& ctx, ObjKind kind) {
  nlohmann::json body = nlohmann::json::object();
  if (ctx.req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    HttpResponse fail;
    auto parsed = parse_body(ctx, fail);
    if (!parsed) return fail;
    body = std::move(*parsed);
  }
  if (!body.is_object())
    return error(ctx, 400, "VALIDATION_ERROR", "expected {\"properties\": {...}} or {\"count\": N}");
  std::vector<std::pair<std::string, std::string>> given;
  if (body.contains("properties")) {
    if (!body["properties"].is_object())
      return error(ctx, 400, "VALIDATION_ERROR", "\"properties\" must be an object");
    for (auto it = body["properties"].begin(); it != body["properties"].end(); ++it)
      given.emplace_back(it.key(),
                         it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  }
  auto make = [&](std::size_t n) {
    auto props = given;
    auto has = [&](const char* k) {
      return std::any_of(props.begin(), props.end(), [&](const auto& p) { return p.first == k; });
    };
    const std::string suffix = std::to_string(store_.object_count(kind) + 1);
    if (kind == ObjKind::contact) {
      if (!has("firstname")) props.emplace_back("firstname", "Contact");
      if (!has("lastname")) props.emplace_back("lastname", suffix);
      if (!has("email"))
        props.emplace_back("email", "contact" + suffix + "." + std::to_string(n) + "@example.com");
    } else {
      if (!has("name")) props.emplace_back("name", "Company " + suffix);
      if (!has("domain")) props.emplace_back("domain", "company" + suffix + ".example.com");
    }
    return object_json(store_.create_object(kind, std::move(props), ctx.now));
  };
  if (body.contains("count")) {
    if (!body["count"].is_number_unsigned() || body["count"].get<std::size_t>() > 1'000'000)
      return error(ctx, 400, "VALIDATION_ERROR", "\"count\" must be an integer between 0 and 1000000");
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    const auto count = body["count"].get<std::size_t>();
    for (std::size_t i = 0; i < count; ++i) results.push_back(make(i));
    nlohmann::ordered_json out;
    out["results"] = std::move(results);
    return json(201, out);
  }
  return json(201, make(0));
}

HttpResponse App::admin_lead_state(Ctx&, Lead& lead) {
  ObjectView view;
  view.all_set = true;
  view.history = {kPropObjectId, kPropCreateDate, kPropLastModified};
  for (const auto& h : lead.history) view.history.push_back(h.prop);
  sort_by_name(store_, view.history);
  std::string text;
  JsonWriter w(text);
  write_lead(w, store_, lead, view);
  auto j = nlohmann::ordered_json::parse(text);
  nlohmann::ordered_json assocs = nlohmann::ordered_json::object();
  for (ObjKind kind : {ObjKind::contact, ObjKind::company}) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& a : lead.assocs) {
      if (a.kind != kind) continue;
      nlohmann::ordered_json types = nlohmann::ordered_json::array();
      for (std::uint8_t bit : kAssocKinds)
        if (a.bits & bit) types.push_back(association_type_for_bit(ObjKind::lead, kind, bit)->type_id);
      list.push_back({{"id", std::to_string(a.to_id)}, {"types", std::move(types)}});
    }
    assocs[std::string(object_plural(kind))] = std::move(list);
  }
  j["associations"] = std::move(assocs);
  return json(200, j);
}

HttpResponse App::handle_admin(Ctx& ctx) {
  const auto& s = ctx.segs;
  const auto& m = ctx.req.method;
  auto not_found = [&]() {
    return error(ctx, 404, "OBJECT_NOT_FOUND", "no admin route " + m + " " + ctx.req.path);
  };
  if (s.size() < 2) return not_found();
  const std::string& what = s[1];

  if (what == "reset" && m == "POST" && s.size() == 2) {
    std::size_t seed = config_.seed_leads;
    if (ctx.req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
      HttpResponse fail;
      auto body = parse_body(ctx, fail);
      if (!body) return fail;
      if (body->is_object() && body->contains("seed_leads")) {
        if (!(*body)["seed_leads"].is_number_unsigned())
          return error(ctx, 400, "VALIDATION_ERROR", "\"seed_leads\" must be a non-negative integer");
        seed = (*body)["seed_leads"].get<std::size_t>();
      }
    }
    const auto flags_seed = config_.seed_leads;
    config_.seed_leads = seed;
    reset_state();
    config_.seed_leads = flags_seed;
    return json(200, nlohmann::ordered_json{{"reset", true}, {"leads", store_.leads().size()}});
  }

  if (what == "contacts" || what == "companies") {
    const ObjKind kind = what == "contacts" ? ObjKind::contact : ObjKind::company;
    if (s.size() == 2 && m == "POST") return admin_create_objects(ctx, kind);
    if (s.size() == 3) {
      auto id = parse_uint(s[2]);
      CrmObject* o = id ? store_.find_object(kind, *id) : nullptr;
      if (!o) return error(ctx, 404, "OBJECT_NOT_FOUND", object_not_found_message(s[2]));
      if (m == "GET") return json(200, object_json(*o));
      if (m == "DELETE") {
        // Deleting the record removes its associations; leads left without a primary are archived.
        store_.delete_object(kind, *id, ctx.now);
        return no_content();
      }
    }
    return not_found();
  }

  if (what == "leads" && s.size() >= 3) {
    auto id = parse_uint(s[2]);
    Lead* lead = id ? store_.find_lead(*id) : nullptr;
    if (!lead) return error(ctx, 404, "OBJECT_NOT_FOUND", object_not_found_message(s[2]));
    if (s.size() == 3 && m == "GET") return admin_lead_state(ctx, *lead);
    if (s.size() == 3 && m == "DELETE") {
      store_.archive_lead(*lead, ctx.now);
      return no_content();
    }
    if (s.size() == 3 && m == "PATCH") {
      if (lead->archived()) return error(ctx, 404, "OBJECT_NOT_FOUND", "resource not found");
      HttpResponse fail;
      auto body = parse_body(ctx, fail);
      if (!body) return fail;
      if (!body->is_object() || !body->contains("properties"))
        return error(ctx, 400, "VALIDATION_ERROR", "expected {\"properties\": {...}}");
      std::int64_t user = kDefaultUiUser;
      if (body->contains("userId")) {
        if (!(*body)["userId"].is_number_integer())
          return error(ctx, 400, "VALIDATION_ERROR", "\"userId\" must be an integer");
        user = (*body)["userId"].get<std::int64_t>();
      }
      PropWrites writes;
      if (auto e = prepare_update(ctx, *lead, (*body)["properties"], writes, nullptr)) return error(ctx, *e);
      const SourceIndex src = ui_source(user);
      store_.update_lead(*lead, writes, src, ctx.now);
      return admin_lead_state(ctx, *lead);
    }
    if (s.size() == 7 && s[3] == "associations" && (m == "PUT" || m == "DELETE")) {
      ctx.params = {s[2], s[4], s[5], s[6]};
      HttpResponse r = v3_association_change(ctx, m == "PUT", true);
      if (m == "PUT" && r.status == 200) return admin_lead_state(ctx, *lead);
      return r;
    }
    return not_found();
  }

  if (what == "stats" && s.size() == 2) {
    if (m == "DELETE") {
      requests_.clear();
      statuses_.clear();
      rate_limited_ = 0;
      faults_fired_ = 0;
      return no_content();
    }
    if (m != "GET") return not_found();
    nlohmann::ordered_json req = nlohmann::ordered_json::object();
    for (const auto& [k, v] : requests_) req[k] = v;
    nlohmann::ordered_json st = nlohmann::ordered_json::object();
    for (const auto& [k, v] : statuses_) st[std::to_string(k)] = v;
    nlohmann::ordered_json out;
    out["requests"] = std::move(req);
    out["rate_limited"] = rate_limited_;
    out["faults_fired"] = faults_fired_;
    out["responses"] = std::move(st);
    out["leads"] = store_.leads().size();
    return json(200, out);
  }

  if (what == "faults") {
    if (s.size() == 2 && m == "GET") {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const auto& f : faults_.faults()) arr.push_back(fault_to_json(f));
      return json(200, nlohmann::ordered_json{{"results", arr}});
    }
    if (s.size() == 2 && m == "DELETE") {
      faults_.clear();
      return no_content();
    }
    if (s.size() == 3 && m == "DELETE") {
      auto id = parse_int(s[2]);
      if (!id || !faults_.remove(static_cast<int>(*id))) return not_found();
      return no_content();
    }
    if (s.size() == 2 && m == "POST") {
      HttpResponse fail;
      auto body = parse_body(ctx, fail);
      if (!body) return fail;
      const bool many = body->is_array() || (body->is_object() && body->contains("faults"));
      const nlohmann::json list =
          body->is_array() ? *body : (many ? (*body)["faults"] : nlohmann::json::array({*body}));
      std::vector<Fault> parsed;
      try {
        for (const auto& f : list) parsed.push_back(parse_fault(f));
      } catch (const std::invalid_argument& e) {
        return error(ctx, 400, "VALIDATION_ERROR", std::string("invalid fault: ") + e.what());
      }
      nlohmann::ordered_json results = nlohmann::ordered_json::array();
      for (auto& f : parsed) {
        const int id = faults_.add(f);
        f.id = id;
        results.push_back(fault_to_json(f));
      }
      if (!many) return json(201, results[0]);
      return json(201, nlohmann::ordered_json{{"results", results}});
    }
    return not_found();
  }

  if (what == "oauth") return handle_admin_oauth(ctx);
  if (what == "webhooks") return handle_admin_webhooks(ctx);
  if (what == "deprecation") return handle_admin_deprecation(ctx);

  if (what == "config" && s.size() == 2) {
    if (m == "POST") {
      HttpResponse fail;
      auto body = parse_body(ctx, fail);
      if (!body) return fail;
      if (!body->is_object()) return error(ctx, 400, "VALIDATION_ERROR", "expected an object");
      // Nothing changes unless every key is valid.
      VersionConfig versions = versions_;
      nlohmann::json rate_keys;
      try {
        apply_version_config(*body, versions, rate_keys);
      } catch (const std::invalid_argument& e) {
        return error(ctx, 400, "VALIDATION_ERROR", e.what());
      }
      for (const auto& r : versions.write_rules)
        for (const auto& name : {r.property, r.if_property})
          if (!name.empty() && !store_.find_property(name))
            return error(ctx, 400, "VALIDATION_ERROR", "validation rule names unknown property " + name);
      RateConfig c = limiter_.config;
      for (auto it = rate_keys.begin(); it != rate_keys.end(); ++it) {
        if (!it.value().is_number_integer() || it.value().get<std::int64_t>() < 0)
          return error(ctx, 400, "VALIDATION_ERROR", "\"" + it.key() + "\" must be a non-negative integer");
        const auto v = it.value().get<std::int64_t>();
        if (it.key() == "rate_limit_per_10s") {
          c.per_10s = static_cast<int>(v);
        } else if (it.key() == "search_per_second") {
          c.search_per_second = static_cast<int>(v);
        } else if (it.key() == "daily_limit") {
          c.daily = v;
        } else if (it.key() == "search_lag_ms") {
          c.search_lag_ms = static_cast<int>(v);
        } else {
          return error(ctx, 400, "VALIDATION_ERROR", "unknown config key \"" + it.key() + "\"");
        }
      }
      limiter_.config = c;
      versions_ = std::move(versions);
    } else if (m != "GET") {
      return not_found();
    }
    const auto& c = limiter_.config;
    nlohmann::ordered_json out{{"rate_limit_per_10s", c.per_10s},
                               {"search_per_second", c.search_per_second},
                               {"daily_limit", c.daily},
                               {"search_lag_ms", c.search_lag_ms},
                               {"portal_id", store_.portal_id()}};
    version_config_json(versions_, out);
    return json(200, out);
  }
  return not_found();
}

}  // namespace leadsync::fake_hubspot
