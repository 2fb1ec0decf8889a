// Schema endpoints: lead properties (list, get, create) and pipelines.
#include "client_internal.hpp"
#include "leadsync/hubspot/client.hpp"

namespace leadsync::hubspot {

using detail::Json;

net::awaitable<std::vector<PropertyDefinition>> HubSpotClient::list_properties() {
  Call call;
  call.method = "GET";
  call.target = "/crm/v3/properties/" + detail::percent_encode(options_.object_type);
  call.route = "GET /crm/v3/properties/" + options_.object_type;
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
  Call call;
  call.method = "GET";
  call.target = "/crm/v3/properties/" + detail::percent_encode(options_.object_type) + "/" +
                detail::percent_encode(name);
  call.route = "GET /crm/v3/properties/" + options_.object_type + "/{name}";
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
  Call call;
  call.method = "POST";
  call.target = "/crm/v3/properties/" + detail::percent_encode(options_.object_type);
  call.route = "POST /crm/v3/properties/" + options_.object_type;
  call.body = detail::dump(detail::encode_property_definition(definition));
  PropertyDefinition out;
  Decoder decode = [&](const http::Response& r) {
    out = detail::decode_property(detail::parse_json(r.body));
  };
  co_await with_retry(std::move(call), std::move(decode));
  co_return out;
}

net::awaitable<std::vector<Pipeline>> HubSpotClient::list_pipelines() {
  Call call;
  call.method = "GET";
  call.target = "/crm/v3/pipelines/" + detail::percent_encode(options_.object_type);
  call.route = "GET /crm/v3/pipelines/" + options_.object_type;
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

}  // namespace leadsync::hubspot
