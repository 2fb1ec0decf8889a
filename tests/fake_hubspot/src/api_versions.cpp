// What differs between HubSpot's API versions beyond their paths: batch status codes, archive
// responses, id types in association responses, and the 2026-09 write-validation rules.
#include "app.hpp"

namespace leadsync::fake_hubspot {

int App::batch_status(const Ctx& ctx, bool has_errors, int ok) const {
  if (!has_errors) return ok;
  // The pre-GA 2026-09 spec drops 207: errors travel in numErrors/errors of the normal response.
  if (ctx.version == ApiVersion::v2026_09 && !versions_.multi_status_2026_09) return ok;
  return 207;
}

HttpResponse App::association_archive_done(Ctx& ctx) {
  if (!is_dated(ctx.version) || versions_.archive_no_content_dated) {
    HttpResponse r;
    r.status = 204;
    return r;
  }
  // 2026-03 answers 200 with a BatchResponse (BatchResponseVoid in 2026-09): nothing in results.
  return json(200, batch_envelope(ctx.now, "[]", {}));
}

nlohmann::ordered_json App::association_id(const Ctx& ctx, std::uint64_t id) const {
  if (is_dated(ctx.version) && versions_.association_ids_as_strings) return std::to_string(id);
  return id;
}

std::optional<App::ItemError> App::check_write_rules(Ctx& ctx, const Lead* existing,
                                                     const PropWrites& writes) {
  // Admin-configured rules reach API writes only on the 2026-09 paths; v3 and 2026-03 keep the old behaviour.
  if (ctx.version != ApiVersion::v2026_09 || versions_.write_rules.empty()) return std::nullopt;
  auto value_after = [&](const std::string& name) -> std::optional<std::string> {
    auto p = store_.find_property(name);
    if (!p) return std::nullopt;
    for (const auto& [idx, value] : writes)
      if (idx == *p) return value;
    if (existing)
      if (const HistEntry* h = existing->current(*p)) return std::string(store_.value(h->value));
    return std::nullopt;
  };
  auto violations = fake_hubspot::check_write_rules(versions_.write_rules, existing == nullptr, value_after);
  if (violations.empty()) return std::nullopt;
  nlohmann::ordered_json errors = nlohmann::ordered_json::array();
  std::string message;
  for (const auto& v : violations) {
    nlohmann::ordered_json e;
    e["code"] = v.code;
    e["message"] = v.message;
    e["context"] = {{"propertyName", {v.property}}};
    errors.push_back(std::move(e));
    message += (message.empty() ? "" : "; ") + v.message;
  }
  auto body = standard_error("VALIDATION_ERROR", message);
  body["errors"] = std::move(errors);
  return ItemError{400, std::move(body)};
}

}  // namespace leadsync::fake_hubspot
