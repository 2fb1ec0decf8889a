#include "app.hpp"

#include "gzip.hpp"

#include <algorithm>
#include <iostream>
#include <numeric>

namespace leadsync::fake_hubspot {

namespace {

constexpr const char* kAuthMessage =
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more "
    "details at https://developers.hubspot.com/docs/methods/auth/oauth-overview";

std::vector<std::string> path_segments(const std::string& path) {
  std::vector<std::string> out;
  std::string_view p(path);
  if (!p.empty() && p.front() == '/') p.remove_prefix(1);
  if (!p.empty() && p.back() == '/') p.remove_suffix(1);
  if (p.empty()) return out;
  for (auto s : split(p, '/')) out.emplace_back(s);
  return out;
}

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

App::App(AppConfig config) : config_(std::move(config)), store_(now_ms()) {
  reset_state();
}

void App::reset_state() {
  const auto now = now_ms();
  store_.reset(now);
  store_.set_portal_id(config_.portal_id);
  limiter_.reset();
  limiter_.config = config_.rate;
  faults_.clear();
  deprecations_.clear();
  property_rules_.clear();
  webhooks_.configure(std::nullopt);
  store_.record_changes(false);
  requests_.clear();
  statuses_.clear();
  rate_limited_ = 0;
  faults_fired_ = 0;
  apps_.clear();
  versions_ = config_.versions;
  oauth_.clear();
  oauth_apps_.clear();
  for (const auto& c : config_.oauth_clients) oauth_.add_client(c.id, c.secret, c.refresh_token);
  for (std::size_t i = 0; i < config_.tokens.size(); ++i) {
    AppInfo a;
    a.app_id = std::to_string(1'234'001 + i);
    a.source = store_.intern_source({"INTEGRATION", a.app_id, 0});
    apps_.emplace(config_.tokens[i], a);
  }
  store_.seed(config_.seed_leads, now);
}

std::int64_t App::steady_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_)
             .count() +
         1'000'000;
}

const App::AppInfo* App::authenticate(const std::string& authorization, bool* expired) {
  constexpr std::string_view kBearer = "Bearer ";
  if (expired) *expired = false;
  if (authorization.size() <= kBearer.size() || !iequals(authorization.substr(0, kBearer.size()), kBearer))
    return nullptr;
  const std::string token = authorization.substr(kBearer.size());
  // Access tokens issued by the OAuth token endpoint are accepted until they expire, --token or not.
  if (const OAuthAccess* a = oauth_.access(token)) {
    if (a->expires_ms > now_ms()) return &oauth_app(a->client_id);
    if (expired) *expired = true;
    return nullptr;
  }
  if (auto it = apps_.find(token); it != apps_.end()) return &it->second;
  if (!config_.tokens.empty()) return nullptr;
  // No --token given: every distinct token is an app of its own.
  AppInfo a;
  a.app_id = std::to_string(1'234'001 + apps_.size());
  a.source = store_.intern_source({"INTEGRATION", a.app_id, 0});
  return &apps_.emplace(token, a).first->second;
}

HttpResponse App::handle(const HttpRequest& req) {
  std::lock_guard lock(mutex_);
  Ctx ctx{req, path_segments(req.path), parse_query(req.query), uuid_.next(), now_ms()};
  HttpResponse r;
  try {
    store_.set_change_source(ui_source(0));
    if (!ctx.segs.empty() && ctx.segs[0] == "_fake") {
      r = handle_admin(ctx);
      finish(ctx, r);
      return r;
    }
    bool mismatch = false;
    Handler h = route(ctx, mismatch);
    ctx.api_route = h != nullptr || mismatch;
    if (ctx.route.empty()) ctx.route = req.path;
    ++requests_[req.method + " " + ctx.route];
    if (auto fault = faults_.take(req.method, req.path)) {
      ++faults_fired_;
      if (fault->delay_ms > 0) {
        r.delay = std::chrono::milliseconds(fault->delay_ms);
        r.then = [this, copy = req, f = *fault]() {
          std::lock_guard relock(mutex_);
          Ctx later{copy, path_segments(copy.path), parse_query(copy.query), uuid_.next(), now_ms()};
          HttpResponse out;
          try {
            bool mm = false;
            Handler again = route(later, mm);
            later.api_route = again != nullptr || mm;
            out = apply_fault(later, f, again, mm);
          } catch (const std::exception& e) {
            out =
                error(later, 500, "INTERNAL_ERROR", std::string("fake-hubspot internal error: ") + e.what());
          }
          finish(later, out);
          return out;
        };
        return r;
      }
      r = apply_fault(ctx, *fault, h, mismatch);
    } else {
      r = process(ctx, h, mismatch);
    }
  } catch (const std::exception& e) {
    r = error(ctx, 500, "INTERNAL_ERROR", std::string("fake-hubspot internal error: ") + e.what());
  }
  finish(ctx, r);
  return r;
}

void App::finish(Ctx& ctx, HttpResponse& r) {
  emit_webhooks();
  r.headers.emplace_back("X-HubSpot-Correlation-Id", ctx.corr);
  if (ctx.api_route)
    for (auto& h : deprecations_.headers_for(ctx.version)) r.headers.push_back(std::move(h));
  ++statuses_[r.status];
  // The OAuth endpoints may receive secrets in the query string (v1); log their path only.
  if (config_.log_requests)
    std::cerr << ctx.req.method << ' '
              << (ctx.req.path.rfind("/oauth/", 0) == 0 ? ctx.req.path : ctx.req.target) << " -> " << r.status
              << std::endl;
}

HttpResponse App::process(Ctx& ctx, Handler h, bool mismatch) {
  if (ctx.no_auth && h) return (this->*h)(ctx);
  bool expired = false;
  const AppInfo* app = authenticate(ctx.req.authorization, &expired);
  if (expired) {
    return error(ctx, 401, "EXPIRED_AUTHENTICATION",
                 "The OAuth token used to make this call expired. Refresh the access token and retry.");
  }
  if (!app) return error(ctx, 401, "INVALID_AUTHENTICATION", kAuthMessage);
  ctx.token = app->app_id;
  ctx.source = app->source;
  store_.set_change_source(app->source);
  auto rl = limiter_.check(app->app_id, ctx.is_search, steady_ms(), ctx.now);
  HttpResponse r;
  if (rl.verdict != RateVerdict::ok) {
    ++rate_limited_;
    r = rate_limit_body(ctx, rl.verdict, app->app_id);
  } else if (!h) {
    r = mismatch ? error(ctx, 405, "VALIDATION_ERROR",
                         "HTTP " + ctx.req.method + " is not supported by this endpoint")
                 : error(ctx, 404, "OBJECT_NOT_FOUND", "resource not found");
  } else {
    r = (this->*h)(ctx);
  }
  for (auto& hdr : rl.headers) r.headers.push_back(std::move(hdr));
  return r;
}

HttpResponse App::rate_limit_body(Ctx& ctx, RateVerdict v, const std::string& app_id) {
  nlohmann::ordered_json j;
  j["status"] = "error";
  switch (v) {
    case RateVerdict::daily:
      j["message"] = "You have reached your daily limit.";
      j["errorType"] = "RATE_LIMIT";
      j["correlationId"] = ctx.corr;
      j["policyName"] = "DAILY";
      j["requestId"] = uuid_.next();
      break;
    case RateVerdict::secondly:
      // Verbatim the body the Node SDK's RetryDecorator recognises (docs/hubspot-api.md#429-bodies).
      j["message"] = "You have reached your secondly limit.";
      j["errorType"] = "RATE_LIMIT";
      break;
    default:
      j["message"] = "You have reached your ten_secondly_rolling limit.";
      j["errorType"] = "RATE_LIMIT";
      j["correlationId"] = ctx.corr;
      j["policyName"] = "TEN_SECONDLY_ROLLING";
      j["groupName"] =
          "publicapi:private_app-api-calls-ten-secondly:" + app_id + ":" + std::to_string(store_.portal_id());
      break;
  }
  return json(429, j);
}

HttpResponse App::fault_body(Ctx& ctx, int status) {
  auto cloudflare = [&](int code) {
    HttpResponse r;
    r.status = code;
    r.content_type = "text/html";
    const std::string title = std::to_string(code) + " " + std::string(reason_phrase(code));
    r.body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
             "</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";
    return r;
  };
  switch (status) {
    case 400:
      return error(ctx, 400, "VALIDATION_ERROR", "There was a problem with the request.");
    case 401:
      return error(ctx, 401, "INVALID_AUTHENTICATION", kAuthMessage);
    case 403: {
      nlohmann::ordered_json extra;
      extra["errors"] = nlohmann::ordered_json::array(
          {{{"message", "One or more of the following scopes are required."},
            {"context", {{"requiredGranularScopes", {"crm.objects.leads.read"}}}}}});
      extra["links"] = {{"scopes", "https://developers.hubspot.com/scopes"}};
      return error(
          ctx, 403, "MISSING_SCOPES",
          "This app hasn't been granted all required scopes to make this call. Read more about required "
          "scopes here: https://developers.hubspot.com/scopes.",
          extra);
    }
    case 404:
      return error(ctx, 404, "OBJECT_NOT_FOUND", "resource not found");
    case 409:
      return error(ctx, 409, "CONFLICT", "Conflict");
    case 423:
      return error(ctx, 423, "LOCKED",
                   "The object is locked by a concurrent request. Retry after 2 seconds.");
    case 477:
      return error(
          ctx, 477, "MIGRATION_IN_PROGRESS",
          "This account is being migrated between data centers. Retry after the number of seconds in the "
          "Retry-After header.");
    case 500:
      return error(ctx, 500, "INTERNAL_ERROR", "internal error");
    case 503:
      return error(ctx, 503, "SERVICE_UNAVAILABLE", "Service Unavailable");
    case 502:
    case 504:
    case 520:
    case 521:
    case 522:
    case 523:
    case 524:
      return cloudflare(status);
    default:
      break;
  }
  if (status < 300) {
    HttpResponse r;
    r.status = status;
    r.body = status == 204 ? "" : "{}";
    return r;
  }
  return error(ctx, status, "ERROR", std::string(reason_phrase(status)));
}

HttpResponse App::apply_fault(Ctx& ctx, const Fault& f, Handler h, bool mismatch) {
  HttpResponse r;
  switch (f.kind) {
    case FaultKind::delay:
      r = process(ctx, h, mismatch);
      break;
    case FaultKind::status:
      if (f.execute) (void)process(ctx, h, mismatch);
      r = fault_body(ctx, f.status);
      break;
    case FaultKind::rate_limit: {
      if (f.execute) (void)process(ctx, h, mismatch);
      ++rate_limited_;
      const auto v = f.policy == "DAILY"      ? RateVerdict::daily
                     : f.policy == "SECONDLY" ? RateVerdict::secondly
                                              : RateVerdict::ten_secondly;
      const AppInfo* app = authenticate(ctx.req.authorization);
      r = rate_limit_body(ctx, v, app ? app->app_id : std::string("0"));
      if (v == RateVerdict::ten_secondly) {
        r.headers.emplace_back("X-HubSpot-RateLimit-Interval-Milliseconds", "10000");
        r.headers.emplace_back("X-HubSpot-RateLimit-Max",
                               std::to_string(limiter_.config.per_10s > 0 ? limiter_.config.per_10s : 100));
        r.headers.emplace_back("X-HubSpot-RateLimit-Remaining", "0");
      } else if (v == RateVerdict::daily) {
        r.headers.emplace_back("X-HubSpot-RateLimit-Daily",
                               std::to_string(limiter_.config.daily > 0 ? limiter_.config.daily : 250000));
        r.headers.emplace_back("X-HubSpot-RateLimit-Daily-Remaining", "0");
      }
      break;
    }
    case FaultKind::drop_before_response:
      if (f.execute) (void)process(ctx, h, mismatch);
      r.delivery = Delivery::drop_before_response;
      break;
    case FaultKind::drop_after_headers:
    case FaultKind::drop_mid_body:
    case FaultKind::truncated_body:
      // These deliver (part of) the real response, so the request is always applied.
      r = process(ctx, h, mismatch);
      r.delivery = f.kind == FaultKind::drop_after_headers ? Delivery::drop_after_headers
                   : f.kind == FaultKind::drop_mid_body    ? Delivery::drop_mid_body
                                                           : Delivery::truncated_body;
      break;
    case FaultKind::invalid_json:
      if (f.execute) (void)process(ctx, h, mismatch);
      r.status = 200;
      r.body = R"({"results":[{"id":"1","properties":{"hs_lead_name":"Tru)";
      break;
    case FaultKind::redirect: {
      // As nginx answers a `return 302 URL;`: a short HTML page and the Location.
      if (f.execute) (void)process(ctx, h, mismatch);
      r.status = f.status;
      r.content_type = "text/html";
      const std::string title = std::to_string(f.status) + " " + std::string(reason_phrase(f.status));
      r.body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
               "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
      r.headers.emplace_back("Location", f.location);
      break;
    }
    case FaultKind::gzip_body:
      // The real answer, compressed as a proxy that ignores the missing Accept-Encoding would send it.
      r = f.execute ? process(ctx, h, mismatch) : fault_body(ctx, 200);
      r.body = gzip_stored(f.body ? *f.body : r.body);
      r.headers.emplace_back("Content-Encoding", "gzip");
      r.headers.emplace_back("Vary", "Accept-Encoding");
      break;
  }
  if (f.body && f.kind != FaultKind::delay && f.kind != FaultKind::drop_after_headers &&
      f.kind != FaultKind::drop_mid_body && f.kind != FaultKind::truncated_body &&
      f.kind != FaultKind::gzip_body)
    r.body = *f.body;
  if (f.content_type) r.content_type = *f.content_type;
  if (f.retry_after) r.headers.emplace_back("Retry-After", std::to_string(*f.retry_after));
  return r;
}

App::Handler App::route(Ctx& ctx, bool& mismatch) {
  const auto& s = ctx.segs;
  const auto& m = ctx.req.method;
  mismatch = false;
  auto match = [&](std::initializer_list<std::pair<const char*, Handler>> by_method,
                   std::string tmpl) -> Handler {
    ctx.route = std::move(tmpl);
    for (const auto& [meth, h] : by_method)
      if (m == meth) return h;
    mismatch = true;
    return nullptr;
  };
  if (s.size() < 3) return nullptr;

  // OAuth token endpoint: /oauth/v1/token and /oauth/2026-03/token (no bearer token; the client
  // authenticates with its id and secret).
  if (s[0] == "oauth" && s.size() == 3 && s[2] == "token") {
    if (s[1] != "v1") {
      auto v = parse_api_version(s[1]);
      if (!v) return nullptr;
      ctx.version = *v;
    }
    ctx.no_auth = true;
    return match({{"POST", &App::h_oauth_token}}, "/oauth/" + s[1] + "/token");
  }
  if (s[0] != "crm") return nullptr;

  // Objects: /crm/v3/objects/{leads|0-136}/... and the date-versioned /crm/objects/2026-03/{type}/...
  std::size_t base = 0;
  std::string prefix;
  if (s[1] == "v3" && s[2] == "objects" && s.size() >= 4) {
    base = 4;
    prefix = "/crm/v3/objects/" + s[3];
  } else if (s[1] == "objects" && s.size() >= 4) {
    auto v = parse_api_version(s[2]);
    if (!v) return nullptr;
    ctx.version = *v;
    base = 4;
    prefix = "/crm/objects/" + s[2] + "/" + s[3];
  }
  if (base) {
    const std::size_t rest = s.size() - base;
    const bool assoc = rest >= 3 && s[base + 1] == "associations";
    // In the date versions the per-record association routes are the v4 ones, from either side.
    if (is_dated(ctx.version) && assoc) {
      const std::string p = prefix + "/{id}/associations/";
      if (rest == 3) {
        ctx.params = {s[3], s[base], s[base + 2]};
        return match({{"GET", &App::h_v4_list}}, p + s[base + 2]);
      }
      if (rest == 4) {
        ctx.params = {s[3], s[base], s[base + 2], s[base + 3]};
        return match({{"PUT", &App::h_v4_put}, {"DELETE", &App::h_v4_delete}}, p + s[base + 2] + "/{id}");
      }
      if (rest == 5 && s[base + 2] == "default") {
        ctx.params = {s[3], s[base], s[base + 3], s[base + 4]};
        return match({{"PUT", &App::h_v4_put_default}}, p + "default/" + s[base + 3] + "/{id}");
      }
      // The v3 type-id spelling (.../{toId}/{typeId}) is declared by no date-versioned spec.
      return nullptr;
    }
    if (s[3] != "leads" && s[3] != "0-136") return nullptr;
    if (rest == 0) return match({{"GET", &App::h_list}, {"POST", &App::h_create}}, prefix);
    if (rest == 1 && s[base] == "search") {
      ctx.is_search = true;
      return match({{"POST", &App::h_search}}, prefix + "/search");
    }
    if (rest == 2 && s[base] == "batch") {
      const auto& op = s[base + 1];
      Handler h = op == "read"      ? &App::h_batch_read
                  : op == "create"  ? &App::h_batch_create
                  : op == "update"  ? &App::h_batch_update
                  : op == "upsert"  ? &App::h_batch_upsert
                  : op == "archive" ? &App::h_batch_archive
                                    : nullptr;
      if (!h) return nullptr;
      return match({{"POST", h}}, prefix + "/batch/" + op);
    }
    if (rest == 1) {
      ctx.params = {s[base]};
      return match({{"GET", &App::h_get}, {"PATCH", &App::h_update}, {"DELETE", &App::h_archive}},
                   prefix + "/{id}");
    }
    if (rest == 3 && assoc) {
      ctx.params = {s[base], s[base + 2]};
      return match({{"GET", &App::h_v3_assoc_list}}, prefix + "/{id}/associations/" + s[base + 2]);
    }
    if (rest == 5 && assoc) {
      ctx.params = {s[base], s[base + 2], s[base + 3], s[base + 4]};
      return match({{"PUT", &App::h_v3_assoc_put}, {"DELETE", &App::h_v3_assoc_delete}},
                   prefix + "/{id}/associations/" + s[base + 2] + "/{id}/{associationTypeId}");
    }
    return nullptr;
  }

  if (s[1] == "v4" && s[2] == "objects" && s.size() >= 7 && s[5] == "associations") {
    const std::string p = "/crm/v4/objects/" + s[3] + "/{id}/associations/";
    if (s.size() == 7) {
      ctx.params = {s[3], s[4], s[6]};
      return match({{"GET", &App::h_v4_list}}, p + s[6]);
    }
    if (s.size() == 8) {
      ctx.params = {s[3], s[4], s[6], s[7]};
      return match({{"PUT", &App::h_v4_put}, {"DELETE", &App::h_v4_delete}}, p + s[6] + "/{id}");
    }
    if (s.size() == 9 && s[6] == "default") {
      ctx.params = {s[3], s[4], s[7], s[8]};
      return match({{"PUT", &App::h_v4_put_default}}, p + "default/" + s[7] + "/{id}");
    }
    return nullptr;
  }
  // Association batches and labels: /crm/v4/associations/{from}/{to}/..., the date-versioned
  // /crm/associations/2026-03/{from}/{to}/..., and the labels route's /crm/associations/v4/... spelling.
  const bool v4_assoc = s[1] == "v4" && s[2] == "associations";
  const bool dated_assoc = s[1] == "associations" && parse_api_version(s[2]).has_value();
  if ((v4_assoc || dated_assoc) && s.size() >= 6) {
    if (dated_assoc) ctx.version = *parse_api_version(s[2]);
    const std::string p = "/crm/" + s[1] + "/" + s[2] + "/" + s[3] + "/" + s[4] + "/";
    ctx.params = {s[3], s[4]};
    if (s.size() == 6 && s[5] == "labels") return match({{"GET", &App::h_v4_labels}}, p + "labels");
    if (s.size() == 7 && s[5] == "batch") {
      const auto& op = s[6];
      Handler h = op == "read"      ? &App::h_v4_batch_read
                  : op == "create"  ? &App::h_v4_batch_create
                  : op == "archive" ? &App::h_v4_batch_archive
                                    : nullptr;
      if (!h) return nullptr;
      return match({{"POST", h}}, p + "batch/" + op);
    }
    if (s.size() == 8 && s[5] == "batch" && s[6] == "labels" && s[7] == "archive")
      return match({{"POST", &App::h_v4_batch_labels_archive}}, p + "batch/labels/archive");
    if (s.size() == 8 && s[5] == "batch" && s[6] == "associate" && s[7] == "default")
      return match({{"POST", &App::h_v4_batch_default}}, p + "batch/associate/default");
    return nullptr;
  }
  if (s[1] == "associations" && s[2] == "v4" && s.size() == 6 && s[5] == "labels") {
    ctx.params = {s[3], s[4]};
    return match({{"GET", &App::h_v4_labels}}, "/crm/associations/v4/" + s[3] + "/" + s[4] + "/labels");
  }

  if (s[1] == "property-validations" || s[2] == "property-validations")
    return route_property_validations(ctx, mismatch);

  // Properties and pipelines: /crm/v3/{properties|pipelines}/..., /crm/{properties|pipelines}/2026-03/...
  if ((s[1] == "properties" || s[1] == "pipelines") && s[2] != "v3") {
    auto v = parse_api_version(s[2]);
    if (!v) return nullptr;
    ctx.version = *v;
  }
  if ((s[1] == "v3" && s[2] == "properties") || (s[1] == "properties" && is_dated(ctx.version))) {
    const std::string p = "/crm/" + s[1] + "/" + s[2] + "/";
    if (s.size() == 4) {
      ctx.params = {s[3]};
      return match({{"GET", &App::h_props_list}, {"POST", &App::h_props_create}}, p + s[3]);
    }
    if (s.size() == 5) {
      ctx.params = {s[3], s[4]};
      return match({{"GET", &App::h_props_get}}, p + s[3] + "/{propertyName}");
    }
    return nullptr;
  }
  if ((s[1] == "v3" && s[2] == "pipelines") || (s[1] == "pipelines" && is_dated(ctx.version))) {
    const std::string p = "/crm/" + s[1] + "/" + s[2] + "/";
    if (s.size() == 4) {
      ctx.params = {s[3]};
      return match({{"GET", &App::h_pipelines_list}}, p + s[3]);
    }
    if (s.size() == 5) {
      ctx.params = {s[3], s[4]};
      return match({{"GET", &App::h_pipeline_get}}, p + s[3] + "/{pipelineId}");
    }
    if (s.size() == 6 && s[5] == "stages") {
      ctx.params = {s[3], s[4]};
      return match({{"GET", &App::h_pipeline_stages}}, p + s[3] + "/{pipelineId}/stages");
    }
    if (s.size() == 7 && s[5] == "stages") {
      ctx.params = {s[3], s[4], s[6]};
      return match({{"GET", &App::h_pipeline_stage}}, p + s[3] + "/{pipelineId}/stages/{stageId}");
    }
  }
  return nullptr;
}

// ---- helpers ------------------------------------------------------------------------------------

HttpResponse App::json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse App::json(int status, const nlohmann::ordered_json& body) {
  return json(status, body.dump());
}

HttpResponse App::error(Ctx& ctx, int status, std::string_view category, std::string message,
                        nlohmann::ordered_json extra) {
  nlohmann::ordered_json j;
  j["status"] = "error";
  j["message"] = std::move(message);
  j["correlationId"] = ctx.corr;
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
  j["category"] = std::string(category);
  return json(status, j);
}

HttpResponse App::error(Ctx& ctx, const ItemError& e) {
  nlohmann::ordered_json extra;
  if (e.body.contains("context") && !e.body["context"].empty()) extra["context"] = e.body["context"];
  if (e.body.contains("subCategory")) extra["subCategory"] = e.body["subCategory"];
  if (e.body.contains("errors") && !e.body["errors"].empty()) extra["errors"] = e.body["errors"];
  return error(ctx, e.status, e.body.value("category", "VALIDATION_ERROR"), e.body.value("message", ""),
               extra);
}

nlohmann::ordered_json App::standard_error(std::string_view category, std::string message,
                                           nlohmann::ordered_json context) {
  nlohmann::ordered_json j;
  j["status"] = "error";
  j["category"] = std::string(category);
  j["message"] = std::move(message);
  j["context"] = context.is_null() ? nlohmann::ordered_json::object() : std::move(context);
  // Required by the StandardError schema; HubSpot sends them empty.
  j["errors"] = nlohmann::ordered_json::array();
  j["links"] = nlohmann::ordered_json::object();
  return j;
}

std::string App::property_errors_message(const std::vector<PropError>& errors) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& e : errors) {
    nlohmann::ordered_json x;
    x["isValid"] = false;
    x["message"] = e.message;
    x["error"] = e.code;
    x["name"] = e.name;
    x["localizedErrorMessage"] = e.message;
    x["portalId"] = store_.portal_id();
    arr.push_back(std::move(x));
  }
  return "Property values were not valid: " + arr.dump();
}

std::optional<nlohmann::json> App::parse_body(Ctx& ctx, HttpResponse& fail) {
  if (ctx.req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    fail = error(ctx, 400, "VALIDATION_ERROR",
                 "Invalid JSON input: a request body was expected, but none found");
    return std::nullopt;
  }
  try {
    return nlohmann::json::parse(ctx.req.body);
  } catch (const nlohmann::json::exception& e) {
    fail = error(ctx, 400, "VALIDATION_ERROR", std::string("Invalid input JSON: ") + e.what());
    return std::nullopt;
  }
}

ObjectView App::read_view(const std::vector<std::string>& props, const std::vector<std::string>& history,
                          const std::vector<std::string>& assocs) {
  ObjectView v;
  static const char* kDefaults[] = {"hs_lead_name", "hs_lead_type", "hs_lead_label", "hs_pipeline",
                                    "hs_pipeline_stage"};
  if (props.empty()) {
    for (const char* name : kDefaults)
      if (auto i = store_.find_property(name)) v.props.push_back(*i);
  }
  for (const auto& name : props)
    if (auto i = store_.find_property(name)) v.props.push_back(*i);
  v.props.insert(v.props.end(), {kPropObjectId, kPropCreateDate, kPropLastModified});
  sort_by_name(store_, v.props);
  for (const auto& name : history)
    if (auto i = store_.find_property(name)) v.history.push_back(*i);
  sort_by_name(store_, v.history);
  for (const auto& a : assocs) {
    auto k = parse_object_type(a);
    if (k == ObjKind::contact) v.assoc_contacts = true;
    if (k == ObjKind::company) v.assoc_companies = true;
  }
  return v;
}

std::vector<std::size_t> App::result_order(const std::vector<std::uint64_t>& ids) {
  // Deterministic but not input order: clients must match results by id, never by position.
  std::vector<std::size_t> order(ids.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return mix(ids[a] + a) < mix(ids[b] + b); });
  bool identity = true;
  for (std::size_t i = 0; i < order.size(); ++i) identity &= order[i] == i;
  if (identity) std::reverse(order.begin(), order.end());
  return order;
}

std::string App::object_not_found_message(std::string_view id) {
  return parse_uint(id) ? "resource not found" : "Object not found.  objectId are usually numeric.";
}

}  // namespace leadsync::fake_hubspot
