// Schema endpoints: lead properties (list, get, create) and pipelines.
#include <algorithm>

#include "client_internal.hpp"
#include "leadsync/hubspot/client.hpp"
#include "routes.hpp"

namespace leadsync::hubspot {

using detail::Json;

net::awaitable<std::vector<PropertyDefinition>> HubSpotClient::list_properties() {
  Call call = call_for(detail::Op::ListProperties);
  std::vector<PropertyDefinition> out;
  Decoder decode = [&](const http::Response& r) {
    const Json j = detail::parse_json(r.body);
    out.clear();
    for (const auto& item : detail::req_array(j, "results", "properties response"))
      out.push_back(detail::decode_property(item));
  };
  co_await with_retry(std::move(call), std::move(decode));
  co_return out;
}

net::awaitable<std::optional<PropertyDefinition>> HubSpotClient::get_property(std::string name) {
  Call call = call_for(detail::Op::GetProperty, {.name = name});
  call.accept_statuses = {404};
  std::optional<PropertyDefinition> out;
  Decoder decode = [&](const http::Response& r) {
    out = detail::decode_property(detail::parse_json(r.body));
  };
  const http::Response r = co_await with_retry(std::move(call), std::move(decode));
  if (r.status == 404) co_return std::nullopt;
  co_return out;
}

net::awaitable<PropertyDefinition> HubSpotClient::create_property(PropertyDefinition definition) {
  // The date versions refuse an option without displayOrder (optional in v3): number the unnumbered ones
  // after the highest given, in the order listed.
  if (is_dated(options_.api_version)) {
    int next = 0;
    for (const auto& o : definition.options)
      if (o.display_order) next = std::max(next, *o.display_order + 1);
    for (auto& o : definition.options)
      if (!o.display_order) o.display_order = next++;
  }
  Call call = call_for(detail::Op::CreateProperty);
  call.body = detail::dump(detail::encode_property_definition(definition));
  PropertyDefinition out;
  Decoder decode = [&](const http::Response& r) {
    out = detail::decode_property(detail::parse_json(r.body));
  };
  co_await with_retry(std::move(call), std::move(decode));
  co_return out;
}

net::awaitable<std::vector<Pipeline>> HubSpotClient::list_pipelines() {
  Call call = call_for(detail::Op::ListPipelines);
  std::vector<Pipeline> out;
  Decoder decode = [&](const http::Response& r) {
    const Json j = detail::parse_json(r.body);
    out.clear();
    for (const auto& item : detail::req_array(j, "results", "pipelines response"))
      out.push_back(detail::decode_pipeline(item));
  };
  co_await with_retry(std::move(call), std::move(decode));
  co_return out;
}

net::awaitable<std::vector<PropertyValidation>> HubSpotClient::list_property_validations() {
  Call call = call_for(detail::Op::ListPropertyValidations);
  std::vector<PropertyValidation> out;
  Decoder decode = [&](const http::Response& r) {
    const Json j = detail::parse_json(r.body);
    out.clear();
    for (const auto& item : detail::req_array(j, "results", "property validations response"))
      out.push_back(detail::decode_property_validation(item));
  };
  co_await with_retry(std::move(call), std::move(decode));
  co_return out;
}

}  // namespace leadsync::hubspot
