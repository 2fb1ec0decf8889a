#pragma once
// App: everything fake-hubspot does with a request, independent of the HTTP library: routing,
// bearer auth, rate limits, fault injection, statistics, the HubSpot endpoints and the /_fake/ admin
// routes. handle() is thread-safe (one mutex around the portal state); it never throws (internal
// errors become 500 responses).
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "deprecation.hpp"
#include "faults.hpp"
#include "http_types.hpp"
#include "lead_json.hpp"
#include "oauth.hpp"
#include "rate_limit.hpp"
#include "store.hpp"
#include "util.hpp"
#include "versions.hpp"
#include "webhooks.hpp"

namespace leadsync::fake_hubspot {

struct AppConfig {
  std::vector<std::string> tokens;  // empty: any bearer token is accepted, each its own app
  RateConfig rate;
  std::size_t seed_leads = 0;
  std::int64_t portal_id = 12345678;
  bool log_requests = false;
  VersionConfig versions;
  struct OAuthClient {
    std::string id, secret, refresh_token;
  };
  std::vector<OAuthClient> oauth_clients;  // --oauth-client
};

class App {
 public:
  explicit App(AppConfig config);
  HttpResponse handle(const HttpRequest& req);

 private:
  struct AppInfo {
    std::string app_id;
    SourceIndex source = 0;
  };
  struct Ctx {
    const HttpRequest& req;
    std::vector<std::string> segs;  // decoded path segments
    QueryParams query;
    std::string corr;
    std::int64_t now = 0;
    std::string token;
    SourceIndex source = 0;
    bool is_search = false;
    std::string route;                // templated route for /_fake/stats
    std::vector<std::string> params;  // route parameters in path order
    ApiVersion version = ApiVersion::legacy;
    bool no_auth = false;    // the OAuth token endpoint authenticates the client itself
    bool api_route = false;  // a route of the API (not /_fake/, not an unknown path): gets notices
  };
  using Handler = HttpResponse (App::*)(Ctx&);
  struct ItemError {
    int status = 400;
    nlohmann::ordered_json body;  // StandardError-shaped
  };

  // ---- pipeline (app.cpp) -------------------------------------------------------------------
  Handler route(Ctx& ctx, bool& method_mismatch);
  HttpResponse process(Ctx& ctx, Handler h, bool method_mismatch);
  HttpResponse apply_fault(Ctx& ctx, const Fault& f, Handler h, bool method_mismatch);
  HttpResponse fault_body(Ctx& ctx, int status);
  HttpResponse rate_limit_body(Ctx& ctx, RateVerdict v, const std::string& policy_name);
  // nullptr when the token is unknown; `expired` tells an expired OAuth access token apart.
  const AppInfo* authenticate(const std::string& authorization, bool* expired = nullptr);
  void finish(Ctx& ctx, HttpResponse& r);
  std::int64_t steady_ms() const;

  // ---- helpers shared by the handlers (app.cpp) ----------------------------------------------
  HttpResponse json(int status, std::string body);
  HttpResponse json(int status, const nlohmann::ordered_json& body);
  HttpResponse error(Ctx& ctx, int status, std::string_view category, std::string message,
                     nlohmann::ordered_json extra = nlohmann::ordered_json::object());
  HttpResponse error(Ctx& ctx, const ItemError& e);
  nlohmann::ordered_json standard_error(std::string_view category, std::string message,
                                        nlohmann::ordered_json context = nlohmann::ordered_json::object());
  std::string property_errors_message(const std::vector<PropError>& errors);
  // Parses the request body as JSON; on failure fills `fail` with HubSpot's 400.
  std::optional<nlohmann::json> parse_body(Ctx& ctx, HttpResponse& fail);
  ObjectView read_view(const std::vector<std::string>& props, const std::vector<std::string>& history,
                       const std::vector<std::string>& assocs);
  std::vector<std::size_t> result_order(const std::vector<std::uint64_t>& ids);
  std::string object_not_found_message(std::string_view id);

  // ---- what differs between API versions (app.cpp) -------------------------------------------
  // Status of a batch response: 207 when some inputs failed (legacy, 2026-03), else `ok`; 2026-09
  // reports the errors inline with `ok`.
  int batch_status(const Ctx& ctx, bool has_errors, int ok) const;
  // Association batch archive / labels archive: 204 (v4) or 200 with a BatchResponse (date versions).
  HttpResponse association_archive_done(Ctx& ctx);
  // Record ids in association responses: numbers, or strings when configured for the date versions.
  nlohmann::ordered_json association_id(const Ctx& ctx, std::uint64_t id) const;
  // 2026-09: the portal's validation rules against the record as the write would leave it.
  std::optional<ItemError> check_write_rules(Ctx& ctx, const Lead* existing, const PropWrites& writes);

  // ---- leads (api_leads.cpp) -----------------------------------------------------------------
  HttpResponse h_create(Ctx& ctx);
  HttpResponse h_list(Ctx& ctx);
  HttpResponse h_get(Ctx& ctx);
  HttpResponse h_update(Ctx& ctx);
  HttpResponse h_archive(Ctx& ctx);
  HttpResponse h_batch_read(Ctx& ctx);
  HttpResponse h_batch_create(Ctx& ctx);
  HttpResponse h_batch_update(Ctx& ctx);
  HttpResponse h_batch_upsert(Ctx& ctx);
  HttpResponse h_batch_archive(Ctx& ctx);
  // Lead addressed by the path id and the idProperty query parameter; nullptr + `fail` when absent.
  Lead* lookup_lead(Ctx& ctx, const std::string& id, const std::optional<std::string>& id_property,
                    bool archived, HttpResponse& fail);
  std::optional<ItemError> parse_properties(Ctx& ctx, const nlohmann::json& input, PropInput& out);
  std::optional<ItemError> parse_create_associations(Ctx& ctx, const nlohmann::json& input,
                                                     std::vector<AssocRequest>& out);
  std::optional<ItemError> check_unique_id_property(Ctx& ctx, const std::string& name, PropIndex& out);
  std::optional<ItemError> prepare_create(Ctx& ctx, const nlohmann::json& input, PropWrites& writes,
                                          std::vector<AssocRequest>& assocs, Store::Claims* claims);
  std::optional<ItemError> prepare_update(Ctx& ctx, const Lead& lead, const nlohmann::json& properties,
                                          PropWrites& writes, Store::Claims* claims);
  ItemError missing_primary_error();
  std::string batch_envelope(std::int64_t started, const std::string& results_json,
                             const std::vector<nlohmann::ordered_json>& errors);

  // ---- search (api_search.cpp) ---------------------------------------------------------------
  HttpResponse h_search(Ctx& ctx);

  // ---- associations (api_assoc.cpp) -----------------------------------------------------------
  HttpResponse h_v3_assoc_list(Ctx& ctx);
  HttpResponse h_v3_assoc_put(Ctx& ctx);
  HttpResponse h_v3_assoc_delete(Ctx& ctx);
  HttpResponse h_v4_put(Ctx& ctx);
  HttpResponse h_v4_put_default(Ctx& ctx);
  HttpResponse h_v4_delete(Ctx& ctx);
  HttpResponse h_v4_list(Ctx& ctx);
  HttpResponse h_v4_batch_read(Ctx& ctx);
  HttpResponse h_v4_batch_create(Ctx& ctx);
  HttpResponse h_v4_batch_archive(Ctx& ctx);
  HttpResponse h_v4_batch_labels_archive(Ctx& ctx);
  HttpResponse h_v4_batch_default(Ctx& ctx);
  HttpResponse h_v4_labels(Ctx& ctx);
  HttpResponse v3_association_change(Ctx& ctx, bool add, bool ui);

  // ---- OAuth (api_oauth.cpp) ------------------------------------------------------------------
  HttpResponse h_oauth_token(Ctx& ctx);
  HttpResponse oauth_error(Ctx& ctx, std::string_view error, std::string_view old_status,
                           std::string description);
  HttpResponse handle_admin_oauth(Ctx& ctx);
  const AppInfo& oauth_app(const std::string& client_id);

  // ---- schema (api_schema.cpp) ----------------------------------------------------------------
  HttpResponse h_props_list(Ctx& ctx);
  HttpResponse h_props_get(Ctx& ctx);
  HttpResponse h_props_create(Ctx& ctx);
  HttpResponse h_pipelines_list(Ctx& ctx);
  HttpResponse h_pipeline_get(Ctx& ctx);
  HttpResponse h_pipeline_stages(Ctx& ctx);
  HttpResponse h_pipeline_stage(Ctx& ctx);

  // ---- property validation rules (api_property_validations.cpp) -------------------------------
  HttpResponse h_propval_list(Ctx& ctx);
  HttpResponse h_propval_get(Ctx& ctx);
  HttpResponse h_propval_rule(Ctx& ctx);
  Handler route_property_validations(Ctx& ctx, bool& mismatch);
  nlohmann::ordered_json property_json(const PropertyDef& p);
  nlohmann::ordered_json pipeline_json(const Pipeline& p);
  nlohmann::ordered_json stage_json(const PipelineStage& s);

  // ---- admin (api_admin.cpp) ------------------------------------------------------------------
  HttpResponse handle_admin(Ctx& ctx);
  HttpResponse admin_create_objects(Ctx& ctx, ObjKind kind);
  HttpResponse admin_lead_state(Ctx& ctx, Lead& lead);
  nlohmann::ordered_json object_json(const CrmObject& o);
  void reset_state();

  // ---- deprecation notices (api_deprecation.cpp) ---------------------------------------------
  HttpResponse handle_admin_deprecation(Ctx& ctx);

  // ---- webhooks (api_webhooks.cpp) ------------------------------------------------------------
  HttpResponse handle_admin_webhooks(Ctx& ctx);
  // Turns the changes the Store recorded during this request into events for the sender.
  void emit_webhooks();
  SourceIndex ui_source(std::int64_t user);

  AppConfig config_;
  std::mutex mutex_;
  Store store_;
  RateLimiter limiter_;
  FaultTable faults_;
  Uuid uuid_;
  std::map<std::string, AppInfo> apps_;  // by token
  VersionConfig versions_;
  OAuthState oauth_;
  DeprecationNotices deprecations_;
  // Property validation rules set through the property-validations API: property -> ruleType -> rule.
  std::map<std::string, std::map<std::string, PropertyRule>> property_rules_;
  std::map<std::string, AppInfo> oauth_apps_;  // by client id
  std::map<std::string, std::int64_t> requests_;
  std::map<int, std::int64_t> statuses_;
  std::int64_t rate_limited_ = 0;
  std::int64_t faults_fired_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::int64_t next_event_id_ = 1;
  WebhookSender webhooks_;  // last: its thread stops first
};

}  // namespace leadsync::fake_hubspot
