// Webhook subscriptions (/_fake/webhooks) and the object.* events made from the Store's changes.
#include <algorithm>
#include <array>

#include "app.hpp"

namespace leadsync::fake_hubspot {

namespace {

constexpr std::int64_t kDefaultUiUser = 9'000'001;
constexpr std::int64_t kFirstAppId = 1'234'001;

// The six generic subscription types; the position + 1 is the fake's subscriptionId of each.
constexpr std::array<const char*, 6> kSubscriptionTypes = {
    "object.creation", "object.deletion",       "object.merge",
    "object.restore",  "object.propertyChange", "object.associationChange"};

// Every key POST /_fake/webhooks takes.
constexpr std::array<std::string_view, 22> kSubscriptionKeys = {
    "target_url",      "ca_file",       "client_secret", "signed_url",          "app_id",
    "portal_id",       "subscriptions", "enabled",       "max_batch",           "batch_window_ms",
    "retry_base_ms",   "max_retries",   "timeout_ms",    "timestamp_offset_ms", "wrong_signature",
    "duplicate",       "reorder",       "drop_rate",     "duplicate_rate",      "delay_ms",
    "delay_jitter_ms", "fault_seed"};

int subscription_id(std::string_view type) {
  for (std::size_t i = 0; i < kSubscriptionTypes.size(); ++i)
    if (type == kSubscriptionTypes[i]) return static_cast<int>(i) + 1;
  return 0;
}

const char* subscription_type(ChangeKind k) {
  switch (k) {
    case ChangeKind::creation:
      return "object.creation";
    case ChangeKind::deletion:
      return "object.deletion";
    case ChangeKind::association:
      return "object.associationChange";
    case ChangeKind::property:
      break;
  }
  return "object.propertyChange";
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

SourceIndex App::ui_source(std::int64_t user) {
  if (user == 0) user = kDefaultUiUser;
  return store_.intern_source({"CRM_UI", "userId:" + std::to_string(user), user});
}

void App::emit_webhooks() {
  auto changes = store_.take_changes();
  if (changes.empty()) return;
  const auto settings = webhooks_.settings();
  if (!settings) return;
  std::vector<nlohmann::ordered_json> events;
  for (const auto& c : changes) {
    const char* type = subscription_type(c.kind);
    if (!settings->subscriptions.count(type)) continue;
    const Source& src = store_.source(c.source);
    nlohmann::ordered_json e;
    e["eventId"] = next_event_id_++;
    e["subscriptionId"] = subscription_id(type);
    e["portalId"] = settings->portal_id;
    e["appId"] = settings->app_id;
    e["occurredAt"] = c.at;
    e["subscriptionType"] = type;
    e["attemptNumber"] = 0;
    e["objectId"] = c.lead_id;
    e["objectTypeId"] = std::string(object_type_id(ObjKind::lead));
    e["changeSource"] = src.type;
    e["sourceId"] = src.id;
    switch (c.kind) {
      case ChangeKind::creation:
        e["changeFlag"] = "NEW";
        break;
      case ChangeKind::deletion:
        e["changeFlag"] = "DELETED";
        break;
      case ChangeKind::property:
        e["propertyName"] = store_.property(c.prop).name;
        e["propertyValue"] = std::string(store_.value(c.value));
        break;
      case ChangeKind::association: {
        const AssocTypeInfo* info = association_type_for_bit(ObjKind::lead, c.other, c.bit);
        e["associationType"] = upper(std::string(object_singular(ObjKind::lead)) + "_TO_" +
                                     std::string(object_singular(c.other)));
        e["associationTypeId"] = info ? info->type_id : 0;
        e["associationCategory"] = info ? info->category : "HUBSPOT_DEFINED";
        e["fromObjectTypeId"] = std::string(object_type_id(ObjKind::lead));
        e["fromObjectId"] = c.lead_id;
        e["toObjectTypeId"] = std::string(object_type_id(c.other));
        e["toObjectId"] = c.other_id;
        e["associationRemoved"] = c.removed;
        e["isPrimaryAssociation"] = c.bit == kAssocPrimary;
        break;
      }
    }
    events.push_back(std::move(e));
  }
  webhooks_.enqueue(std::move(events));
}

HttpResponse App::handle_admin_webhooks(Ctx& ctx) {
  const auto& m = ctx.req.method;
  if (ctx.segs.size() != 2)
    return error(ctx, 404, "OBJECT_NOT_FOUND", "no admin route " + m + " " + ctx.req.path);
  if (m == "DELETE") {
    webhooks_.configure(std::nullopt);
    store_.record_changes(false);
    HttpResponse r;
    r.status = 204;
    return r;
  }
  if (m == "GET") {
    const auto settings = webhooks_.settings();
    const auto st = webhooks_.stats();
    nlohmann::ordered_json j;
    j["subscriptions"] = nlohmann::ordered_json::array();
    if (settings)
      for (const auto& t : settings->subscriptions) j["subscriptions"].push_back(t);
    j["enabled"] = settings && settings->enabled;
    j["delivered"] = st.delivered;
    j["failed"] = st.failed;
    j["pending"] = st.pending;
    j["requests"] = st.requests;
    j["retries"] = st.retries;
    j["dropped"] = st.dropped;
    j["last_status"] = st.last_status;
    return json(200, j);
  }
  if (m != "POST" && m != "PATCH")
    return error(ctx, 405, "VALIDATION_ERROR", "HTTP " + m + " is not supported");
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  if (!body->is_object()) return error(ctx, 400, "VALIDATION_ERROR", "expected a JSON object");
  if (m == "PATCH") {
    // Pause/resume without losing what is pending.
    if (!body->contains("enabled") || !(*body)["enabled"].is_boolean())
      return error(ctx, 400, "VALIDATION_ERROR", "expected {\"enabled\": true|false}");
    if (!webhooks_.settings()) return error(ctx, 404, "OBJECT_NOT_FOUND", "no webhook subscription");
    webhooks_.set_enabled((*body)["enabled"].get<bool>());
    HttpResponse r;
    r.status = 204;
    return r;
  }
  const auto& b = *body;
  auto bad = [&](const std::string& msg) { return error(ctx, 400, "VALIDATION_ERROR", msg); };
  // A misspelt fault must not pass for a run with that fault.
  for (const auto& [key, value] : b.items())
    if (std::find(kSubscriptionKeys.begin(), kSubscriptionKeys.end(), key) == kSubscriptionKeys.end())
      return bad("unknown key \"" + key + "\"");
  WebhookSettings s;
  if (!b.contains("target_url") || !b["target_url"].is_string() ||
      (b["target_url"].get<std::string>().rfind("http://", 0) != 0 &&
       b["target_url"].get<std::string>().rfind("https://", 0) != 0))
    return bad("\"target_url\" must be an http:// or https:// URL");
  s.target_url = b["target_url"].get<std::string>();
  if (b.contains("ca_file")) {
    if (!b["ca_file"].is_string() || b["ca_file"].get<std::string>().empty())
      return bad("\"ca_file\" must be the path of a PEM file");
    s.ca_file = b["ca_file"].get<std::string>();
  }
  if (!b.contains("client_secret") || !b["client_secret"].is_string() ||
      b["client_secret"].get<std::string>().empty())
    return bad("\"client_secret\" must be a non-empty string");
  s.client_secret = b["client_secret"].get<std::string>();
  s.app_id = kFirstAppId;  // the first --token's app
  s.portal_id = config_.portal_id;
  auto integer = [&](const char* key, std::int64_t min, std::int64_t max, auto& out) -> bool {
    if (!b.contains(key)) return true;
    if (!b[key].is_number_integer()) return false;
    const auto v = b[key].get<std::int64_t>();
    if (v < min || v > max) return false;
    out = static_cast<std::remove_reference_t<decltype(out)>>(v);
    return true;
  };
  auto boolean = [&](const char* key, bool& out) -> bool {
    if (!b.contains(key)) return true;
    if (!b[key].is_boolean()) return false;
    out = b[key].get<bool>();
    return true;
  };
  constexpr std::int64_t kDay = 86'400'000;
  if (!integer("app_id", 1, INT64_MAX, s.app_id)) return bad("\"app_id\" must be a positive integer");
  if (!integer("portal_id", 1, INT64_MAX, s.portal_id))
    return bad("\"portal_id\" must be a positive integer");
  if (!integer("max_batch", 1, 1000, s.max_batch)) return bad("\"max_batch\" must be an integer 1..1000");
  if (!integer("batch_window_ms", 0, 60'000, s.batch_window_ms))
    return bad("\"batch_window_ms\" must be 0..60000");
  if (!integer("retry_base_ms", 1, kDay, s.retry_base_ms))
    return bad("\"retry_base_ms\" must be 1..86400000");
  if (!integer("max_retries", 0, 100, s.max_retries)) return bad("\"max_retries\" must be 0..100");
  if (!integer("timeout_ms", 1, 600'000, s.timeout_ms)) return bad("\"timeout_ms\" must be 1..600000");
  if (!integer("timestamp_offset_ms", -kDay, kDay, s.timestamp_offset_ms))
    return bad("\"timestamp_offset_ms\" must be an integer within a day");
  if (!boolean("enabled", s.enabled) || !boolean("duplicate", s.duplicate) ||
      !boolean("wrong_signature", s.wrong_signature) || !boolean("reorder", s.reorder))
    return bad("\"enabled\", \"duplicate\", \"wrong_signature\" and \"reorder\" must be booleans");
  auto rate = [&](const char* key, double& out) -> bool {
    if (!b.contains(key)) return true;
    if (!b[key].is_number()) return false;
    const auto v = b[key].get<double>();
    if (!(v >= 0 && v <= 1)) return false;
    out = v;
    return true;
  };
  if (!rate("drop_rate", s.drop_rate)) return bad("\"drop_rate\" must be a number 0..1");
  if (!rate("duplicate_rate", s.duplicate_rate)) return bad("\"duplicate_rate\" must be a number 0..1");
  if (!integer("delay_ms", 0, kDay, s.delay_ms)) return bad("\"delay_ms\" must be an integer 0..86400000");
  if (!integer("delay_jitter_ms", 0, kDay, s.delay_jitter_ms))
    return bad("\"delay_jitter_ms\" must be an integer 0..86400000");
  if (!integer("fault_seed", 0, INT64_MAX, s.fault_seed))
    return bad("\"fault_seed\" must be a non-negative integer");
  if (b.contains("signed_url")) {
    if (!b["signed_url"].is_string()) return bad("\"signed_url\" must be a string");
    s.signed_url = b["signed_url"].get<std::string>();
  }
  if (b.contains("subscriptions")) {
    if (!b["subscriptions"].is_array())
      return bad("\"subscriptions\" must be an array of subscription types");
    for (const auto& t : b["subscriptions"]) {
      if (!t.is_string() || !subscription_id(t.get<std::string>()))
        return bad("unknown subscription type " + t.dump());
      s.subscriptions.insert(t.get<std::string>());
    }
  } else {
    for (const char* t : kSubscriptionTypes) s.subscriptions.insert(t);
  }
  store_.take_changes();  // changes made before the subscription are not delivered
  store_.record_changes(true);
  webhooks_.configure(s);
  nlohmann::ordered_json out;
  out["target_url"] = s.target_url;
  out["app_id"] = s.app_id;
  out["portal_id"] = s.portal_id;
  out["subscriptions"] = s.subscriptions;
  return json(201, out);
}

}  // namespace leadsync::fake_hubspot
