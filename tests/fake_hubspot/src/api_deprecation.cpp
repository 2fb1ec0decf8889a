// /_fake/deprecation: the Deprecation / Sunset / Link headers API responses carry, per version.
#include "app.hpp"

namespace leadsync::fake_hubspot {

HttpResponse App::handle_admin_deprecation(Ctx& ctx) {
  const auto& m = ctx.req.method;
  if (ctx.segs.size() != 2)
    return error(ctx, 404, "OBJECT_NOT_FOUND", "no admin route " + m + " " + ctx.req.path);
  if (m == "GET") return json(200, deprecations_.to_json());
  if (m == "DELETE") {
    deprecations_.clear();
    HttpResponse r;
    r.status = 204;
    return r;
  }
  if (m != "POST") return error(ctx, 404, "OBJECT_NOT_FOUND", "no admin route " + m + " " + ctx.req.path);
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  DeprecationNotice notice;
  try {
    notice = parse_deprecation_notice(*body);
  } catch (const std::invalid_argument& e) {
    return error(ctx, 400, "VALIDATION_ERROR", std::string("invalid deprecation notice: ") + e.what());
  }
  auto out = deprecation_notice_json(notice);
  deprecations_.set(std::move(notice));
  return json(201, out);
}

}  // namespace leadsync::fake_hubspot
