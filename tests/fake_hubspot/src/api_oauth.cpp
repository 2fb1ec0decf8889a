// OAuth: the token endpoint (/oauth/v1/token and /oauth/2026-03/token, refresh_token grant) and the
// /_fake/oauth admin routes (register a client, revoke a refresh token, expire access tokens).
#include "app.hpp"

namespace leadsync::fake_hubspot {

namespace {

bool form_encoded(const std::string& content_type) {
  const std::string ct = to_lower(content_type);
  return ct.rfind("application/x-www-form-urlencoded", 0) == 0;
}

std::string param(const QueryParams& p, std::string_view key) {
  return query_value(p, key).value_or("");
}

HttpResponse no_store(HttpResponse r) {
  // RFC 6749 §5.1: token responses must not be cached.
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

}  // namespace

const App::AppInfo& App::oauth_app(const std::string& client_id) {
  auto it = oauth_apps_.find(client_id);
  if (it != oauth_apps_.end()) return it->second;
  // OAuth apps get ids of their own, apart from the --token apps (1234001, ...).
  AppInfo a;
  a.app_id = std::to_string(1'235'001 + oauth_.client_index(client_id));
  a.source = store_.intern_source({"INTEGRATION", a.app_id, 0});
  return oauth_apps_.emplace(client_id, a).first->second;
}

HttpResponse App::oauth_error(Ctx& ctx, std::string_view error, std::string_view old_status,
                              std::string description) {
  nlohmann::ordered_json j;
  // The old HubSpot body (status/message) stays; the date versions add RFC 6749's error fields.
  j["status"] = std::string(old_status);
  j["message"] = description;
  j["correlationId"] = ctx.corr;
  if (is_dated(ctx.version)) {
    j["error"] = std::string(error);
    j["error_description"] = std::move(description);
  }
  return no_store(json(400, j));
}

HttpResponse App::h_oauth_token(Ctx& ctx) {
  const bool dated = is_dated(ctx.version);
  QueryParams params;
  if (form_encoded(ctx.req.content_type)) {
    params = parse_query(ctx.req.body);
  } else if (dated || ctx.req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    return oauth_error(ctx, "invalid_request", "BAD_REQUEST",
                       "The request body must be application/x-www-form-urlencoded");
  }
  const QueryParams query = parse_query(ctx.req.query);
  if (dated) {
    // The date versions take credentials from the form body only.
    for (const auto& [k, v] : query)
      if (k == "client_secret" || k == "refresh_token" || k == "client_id" || k == "code" ||
          k == "grant_type")
        return oauth_error(
            ctx, "invalid_request", "BAD_REQUEST",
            "Parameter " + k + " must be sent in the form-encoded request body, not in the URL");
  } else {
    // v1 also took its parameters from the query string; the body wins.
    for (const auto& kv : query)
      if (!query_value(params, kv.first)) params.push_back(kv);
  }
  const std::string grant = param(params, "grant_type");
  if (grant.empty()) return oauth_error(ctx, "invalid_request", "BAD_GRANT_TYPE", "missing grant_type");
  if (grant != "refresh_token")
    return oauth_error(ctx, "unsupported_grant_type", "BAD_GRANT_TYPE",
                       "grant_type " + grant + " is not supported here; use refresh_token");
  const std::string client_id = param(params, "client_id");
  if (!oauth_.known_client(client_id))
    return oauth_error(ctx, "invalid_client", "BAD_CLIENT_ID", "missing or unknown client id");
  const std::string refresh_token = param(params, "refresh_token");
  if (refresh_token.empty())
    return oauth_error(ctx, "invalid_request", "BAD_REFRESH_TOKEN", "missing or unknown refresh token");
  OAuthGrant grant_out;
  auto failure = oauth_.refresh(client_id, param(params, "client_secret"), refresh_token,
                                versions_.oauth_rotate_refresh_tokens, versions_.oauth_access_token_ttl_s,
                                ctx.now, uuid_, grant_out);
  if (failure == OAuthFailure::invalid_client)
    return oauth_error(ctx, "invalid_client", "BAD_CLIENT_SECRET", "missing or invalid client secret");
  if (failure == OAuthFailure::invalid_grant)
    return oauth_error(ctx, "invalid_grant", "BAD_REFRESH_TOKEN", "missing or unknown refresh token");
  nlohmann::ordered_json j;
  j["token_type"] = "bearer";
  j["refresh_token"] = grant_out.refresh_token;
  j["access_token"] = grant_out.access_token;
  j["expires_in"] = grant_out.expires_in_s;
  j["token_use"] = "access_token";
  j["hub_id"] = store_.portal_id();
  return no_store(json(200, j));
}

// /_fake/oauth/... (ctx.segs[0..1] = "_fake", "oauth").
HttpResponse App::handle_admin_oauth(Ctx& ctx) {
  const auto& s = ctx.segs;
  const auto& m = ctx.req.method;
  auto no_content = [] {
    HttpResponse r;
    r.status = 204;
    return r;
  };
  if (s.size() == 2 && m == "GET") {
    nlohmann::ordered_json j;
    j["clients"] = oauth_.clients();
    j["refresh_tokens"] = oauth_.refresh_tokens();
    j["live_access_tokens"] = oauth_.live_access_tokens(ctx.now);
    j["issued"] = oauth_.issued();
    return json(200, j);
  }
  if (s.size() == 3 && s[2] == "clients" && m == "POST") {
    HttpResponse fail;
    auto body = parse_body(ctx, fail);
    if (!body) return fail;
    auto str = [&](const char* k) {
      return body->is_object() && body->contains(k) && (*body)[k].is_string() ? (*body)[k].get<std::string>()
                                                                              : std::string();
    };
    const std::string id = str("client_id"), secret = str("client_secret");
    if (id.empty() || secret.empty())
      return error(ctx, 400, "VALIDATION_ERROR", "\"client_id\" and \"client_secret\" are required strings");
    std::string refresh = str("refresh_token");
    if (refresh.empty()) refresh = "fake-oauth-rt-" + uuid_.next();
    oauth_.add_client(id, secret, refresh);
    return json(201, nlohmann::ordered_json{{"client_id", id}, {"refresh_token", refresh}});
  }
  if (s.size() == 3 && s[2] == "revoke" && m == "POST") {
    HttpResponse fail;
    auto body = parse_body(ctx, fail);
    if (!body) return fail;
    if (!body->is_object() || !body->contains("refresh_token") || !(*body)["refresh_token"].is_string())
      return error(ctx, 400, "VALIDATION_ERROR", "\"refresh_token\" is required");
    if (!oauth_.revoke((*body)["refresh_token"].get<std::string>()))
      return error(ctx, 404, "OBJECT_NOT_FOUND", "no such refresh token");
    return no_content();
  }
  if (s.size() == 3 && s[2] == "expire" && m == "POST") {
    oauth_.expire_access_tokens(ctx.now);
    return no_content();
  }
  return error(ctx, 404, "OBJECT_NOT_FOUND", "no admin route " + m + " " + ctx.req.path);
}

}  // namespace leadsync::fake_hubspot
