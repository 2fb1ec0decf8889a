// Fuzz target json_codec: the tree decoder (sync/hubspot/src/json_codec.hpp) on every kind of response the
// client decodes. Each body is parsed once and handed to the decoder of each response type, composed as the
// client composes it (client_leads.cpp, client_associations.cpp, client_schema.cpp, token_provider.cpp). The
// contract checked: a 2xx decoder ends normally or throws only what HubSpotClient::with_retry turns into a
// "malformed response" error (MalformedResponse, nlohmann's exceptions, std::logic_error); the OAuth decoder
// only std::exception (token_provider.cpp catches those); and the error-body decoder, which runs outside any
// try block, never throws. Anything else, and every crash or sanitizer report, is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "json_codec.hpp"

namespace {

using namespace leadsync::hubspot;
using namespace leadsync::hubspot::detail;
namespace http = leadsync::http;

// Runs one decoder the way with_retry does: its "malformed response" exceptions are an answer, not a finding.
template <typename Decode>
void as_2xx_decoder(Decode decode) {
  try {
    decode();
  } catch (const MalformedResponse&) {
  } catch (const nlohmann::json::exception&) {
  } catch (const std::logic_error&) {
  }
}

void decode_lead_responses(const Json& j, const http::Response& r) {
  static const std::vector<std::string> kRequested = {"contacts", "companies"};
  as_2xx_decoder([&] {  // list_leads (the tree path) and search
    (void)decode_leads(req_array(j, "results", "list response"), &kRequested);
    (void)decode_next_after(j);
    if (auto t = opt_string(j, "total")) (void)std::stoll(*t);
  });
  as_2xx_decoder([&] { (void)decode_lead(j, &kRequested); });  // get_lead
  as_2xx_decoder([&] { (void)decode_lead(j); });               // update_lead, a single create
  as_2xx_decoder([&] {                                         // batch_read, batch_create, batch_update
    (void)decode_leads(req_array(j, "results", "batch response"));
    (void)decode_batch_errors(j, r);
  });
  as_2xx_decoder([&] {  // batch_upsert
    for (const auto& item : req_array(j, "results", "batch upsert response")) {
      (void)decode_lead(item);
      (void)opt_bool(item, "new");
    }
    (void)decode_batch_errors(j, r);
  });
}

void decode_association_responses(const Json& j, const http::Response& r) {
  as_2xx_decoder([&] {  // batch_read_associations (v4)
    for (const auto& result : req_array(j, "results", "association batch read response")) {
      (void)req_string(req_object(result, "from", "association result"), "id", "association result \"from\"");
      if (auto to = result.find("to"); to != result.end() && to->is_array())
        for (const auto& t : *to) (void)decode_v4_association(t);
      (void)decode_next_after(result);
    }
    (void)decode_batch_errors(j, r);
  });
  as_2xx_decoder([&] {  // batch_create_associations
    for (const auto& item : req_array(j, "results", "association batch create response"))
      (void)decode_pair_labels(item);
    (void)decode_batch_errors(j, r);
  });
  as_2xx_decoder([&] { (void)decode_pair_labels(j); });  // put_association_labels
  as_2xx_decoder([&] {                                   // association_labels
    for (const auto& item : req_array(j, "results", "association labels response"))
      (void)decode_association_label(item);
  });
}

void decode_schema_responses(const Json& j) {
  as_2xx_decoder([&] {  // list_properties
    for (const auto& item : req_array(j, "results", "properties response")) (void)decode_property(item);
  });
  as_2xx_decoder([&] { (void)decode_property(j); });  // get_property, create_property
  as_2xx_decoder([&] {                                // list_pipelines
    for (const auto& item : req_array(j, "results", "pipelines response")) (void)decode_pipeline(item);
  });
}

void decode_token_response(const Json& j) {
  try {  // TokenProvider::refresh
    (void)req_string(j, "access_token", "OAuth token response");
    (void)std::stoll(req_string(j, "expires_in", "OAuth token response"));
    (void)opt_string(j, "refresh_token");
  } catch (const std::exception&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::Response response;
  response.headers.push_back({"X-HubSpot-Correlation-Id", "fuzz-correlation-id"});
  response.body.assign(reinterpret_cast<const char*>(data), size);

  // Error statuses: decoded outside any try block, so nothing may escape.
  for (int status : {400, 429}) {
    response.status = status;
    (void)decode_error_body(response);
    (void)opt_string(Json::parse(response.body, nullptr, false), "status");  // TokenProvider's error path
  }

  response.status = 207;
  Json j;
  try {
    j = parse_json(response.body);
  } catch (const MalformedResponse&) {
    return 0;  // every 2xx decoder starts with parse_json: this is their answer
  }
  decode_lead_responses(j, response);
  decode_association_responses(j, response);
  decode_schema_responses(j);
  decode_token_response(j);
  return 0;
}
