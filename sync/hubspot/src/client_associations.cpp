// Association endpoints: per-type PUT/DELETE (legacy v3 only), pair labels PUT/DELETE, batch
// read/create/archive/labels-archive, association labels (schema). Paths from routes.cpp.
#include <map>
#include <set>

#include "client_internal.hpp"
#include "leadsync/hubspot/client.hpp"
#include "routes.hpp"

namespace leadsync::hubspot {

namespace {

using detail::Json;

// What a per-input error of a v4 association batch read means for leadsync.
enum class AssociationReadError {
  no_associations,  // the lead has none of that type: an empty list, the expected outcome
  failure,          // anything else: the read failed
};

// v4 batch read reports "this lead has no associations of that type" as a per-input error, and HubSpot gives
// it no code of its own in every answer: subCategory crm.associations.NO_ASSOCIATIONS_FOUND when present,
// otherwise only the message ("No company is associated with deal 42.", category VALIDATION_ERROR or
// OBJECT_NOT_FOUND). This edge is the one place the server's text is read; everything after it uses the enum.
AssociationReadError classify_association_read_error(const BatchError& e) {
  if (e.sub_category.find("NO_ASSOCIATIONS_FOUND") != std::string::npos)
    return AssociationReadError::no_associations;
  if (e.message.rfind("No ", 0) == 0 && e.message.find(" is associated with ") != std::string::npos)
    return AssociationReadError::no_associations;
  return AssociationReadError::failure;
}

std::vector<std::string> error_ids(const BatchError& e) {
  std::vector<std::string> out = e.ids();
  for (const char* key : {"fromObjectId", "fromObjectIds"}) {
    auto it = e.context.find(key);
    if (it != e.context.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  return out;
}

void merge_into(std::vector<AssociatedObject>& list, const AssociatedObject& a) {
  auto it =
      std::find_if(list.begin(), list.end(), [&](const AssociatedObject& x) { return x.to_id == a.to_id; });
  if (it == list.end()) {
    list.push_back(a);
    return;
  }
  for (int t : a.type_ids)
    if (std::find(it->type_ids.begin(), it->type_ids.end(), t) == it->type_ids.end())
      it->type_ids.push_back(t);
}

}  // namespace

net::awaitable<void> HubSpotClient::associate(std::string lead_id, std::string to_type, std::string to_id,
                                              int type_id) {
  Call call =
      call_for(detail::Op::AssociateType, {.id = detail::record_id_segment(lead_id, "lead id"),
                                           .to_type = to_type,
                                           .to_id = detail::record_id_segment(to_id, "associated record id"),
                                           .type_id = type_id});
  // The answer (the lead with its associations) is not needed: the pair is what we asked for.
  co_await with_retry(std::move(call), detail::require_empty_or_json);
}

net::awaitable<bool> HubSpotClient::unassociate(std::string lead_id, std::string to_type, std::string to_id,
                                                int type_id) {
  Call call = call_for(detail::Op::UnassociateType,
                       {.id = detail::record_id_segment(lead_id, "lead id"),
                        .to_type = to_type,
                        .to_id = detail::record_id_segment(to_id, "associated record id"),
                        .type_id = type_id});
  call.accept_statuses = {404};
  const http::Response r = co_await with_retry(std::move(call), detail::require_empty_or_json);
  co_return r.status != 404;
}

net::awaitable<AssociationPairLabels> HubSpotClient::put_association_labels(
    std::string lead_id, std::string to_type, std::string to_id, std::vector<AssociationSpec> specs) {
  Call call = call_for(detail::Op::PutPairLabels,
                       {.id = detail::record_id_segment(lead_id, "lead id"),
                        .to_type = to_type,
                        .to_id = detail::record_id_segment(to_id, "associated record id")});
  call.body = detail::dump(detail::encode_specs(specs));
  AssociationPairLabels result;
  Decoder decode = [&](const http::Response& r) {
    if (r.body.empty()) return;  // some answers carry no body; the pair is what we asked for
    result = detail::decode_pair_labels(detail::parse_json(r.body));
  };
  co_await with_retry(std::move(call), std::move(decode));
  if (result.from_id.empty()) result.from_id = lead_id;
  if (result.to_id.empty()) result.to_id = to_id;
  co_return result;
}

net::awaitable<bool> HubSpotClient::remove_association(std::string lead_id, std::string to_type,
                                                       std::string to_id) {
  Call call =
      call_for(detail::Op::DeletePair, {.id = detail::record_id_segment(lead_id, "lead id"),
                                        .to_type = to_type,
                                        .to_id = detail::record_id_segment(to_id, "associated record id")});
  call.accept_statuses = {404};
  const http::Response r = co_await with_retry(std::move(call), detail::require_empty_or_json);
  co_return r.status != 404;
}

net::awaitable<AssociationsByLead> HubSpotClient::batch_read_associations(std::string to_type,
                                                                          std::vector<std::string> lead_ids) {
  AssociationsByLead out;
  const Call read_call = call_for(detail::Op::BatchReadAssociations, {.to_type = to_type});
  const std::string& route = read_call.route;
  std::set<std::string> failed;

  for (auto& part : detail::chunked(std::move(lead_ids), kAssociationBatchReadLimit)) {
    for (const auto& id : part) out.by_lead[id];
    // Inputs of the next request: ids whose association list HubSpot paged, with the cursor to continue.
    std::vector<std::pair<std::string, std::optional<std::string>>> pending;
    for (const auto& id : part) pending.emplace_back(id, std::nullopt);
    std::map<std::string, std::string> last_cursor;
    while (!pending.empty()) {
      Json arr = Json::array();
      for (const auto& [id, after] : pending) {
        Json item{{"id", id}};
        if (after) item["after"] = *after;
        arr.push_back(std::move(item));
      }
      Json body;
      body["inputs"] = std::move(arr);
      Call call = read_call;
      call.body = detail::dump(body);

      std::vector<std::pair<std::string, std::optional<std::string>>> next;
      std::vector<std::pair<std::string, AssociatedObject>> found;
      std::vector<BatchError> errors;
      Decoder decode = [&](const http::Response& r) {
        next.clear();
        found.clear();
        const Json j = detail::parse_json(r.body);
        for (const auto& result : detail::req_array(j, "results", "association batch read response")) {
          const std::string from = detail::req_string(
              detail::req_object(result, "from", "association result"), "id", "association result \"from\"");
          if (auto to = result.find("to"); to != result.end() && to->is_array())
            for (const auto& t : *to) found.emplace_back(from, detail::decode_v4_association(t));
          if (auto after = detail::decode_next_after(result)) next.emplace_back(from, *after);
        }
        errors = detail::decode_batch_errors(j, r);
      };
      co_await with_retry(std::move(call), std::move(decode));

      for (auto& [from, a] : found) merge_into(out.by_lead[from], a);
      for (auto& e : errors) {
        if (classify_association_read_error(e) == AssociationReadError::no_associations) continue;
        for (const auto& id : error_ids(e)) failed.insert(id);
        out.errors.push_back(std::move(e));
      }
      for (const auto& [id, after] : next) {
        auto [it, inserted] = last_cursor.try_emplace(id, *after);
        if (!inserted && it->second == *after)
          throw core::transient_error("malformed response from HubSpot for " + route +
                                      ": the same paging cursor came back twice for one lead");
        it->second = *after;
      }
      pending = std::move(next);
    }
  }
  for (const auto& id : failed) out.by_lead.erase(id);
  co_return out;
}

net::awaitable<BatchResult<AssociationPairLabels>> HubSpotClient::batch_create_associations(
    std::string to_type, std::vector<AssociationPairInput> inputs) {
  BatchResult<AssociationPairLabels> out;
  for (auto& part : detail::chunked(std::move(inputs), kAssociationBatchWriteLimit)) {
    Json arr = Json::array();
    for (const auto& in : part)
      arr.push_back({{"from", {{"id", in.from_id}}},
                     {"to", {{"id", in.to_id}}},
                     {"types", detail::encode_specs(in.types)}});
    Json body;
    body["inputs"] = std::move(arr);
    Call call = call_for(detail::Op::BatchCreateAssociations, {.to_type = to_type});
    // Associations are sets: creating one that exists changes nothing, so retries are safe.
    call.body = detail::dump(body);
    BatchResult<AssociationPairLabels> r;
    Decoder decode = [&](const http::Response& resp) {
      const Json j = detail::parse_json(resp.body);
      r.results.clear();
      for (const auto& item : detail::req_array(j, "results", "association batch create response"))
        r.results.push_back(detail::decode_pair_labels(item));
      r.errors = detail::decode_batch_errors(j, resp);
    };
    co_await with_retry(std::move(call), std::move(decode));
    std::move(r.results.begin(), r.results.end(), std::back_inserter(out.results));
    std::move(r.errors.begin(), r.errors.end(), std::back_inserter(out.errors));
  }
  co_return out;
}

net::awaitable<std::vector<BatchError>> HubSpotClient::batch_archive_associations(
    std::string to_type, std::vector<AssociationPairInput> inputs) {
  std::vector<BatchError> errors;
  for (auto& part : detail::chunked(std::move(inputs), kAssociationBatchWriteLimit)) {
    // One input per lead, listing every target to detach from it.
    std::map<std::string, std::vector<std::string>> by_from;
    for (const auto& in : part) by_from[in.from_id].push_back(in.to_id);
    Json arr = Json::array();
    for (const auto& [from, tos] : by_from) {
      Json to = Json::array();
      for (const auto& t : tos) to.push_back({{"id", t}});
      arr.push_back({{"from", {{"id", from}}}, {"to", std::move(to)}});
    }
    Json body;
    body["inputs"] = std::move(arr);
    Call call = call_for(detail::Op::BatchArchiveAssociations, {.to_type = to_type});
    call.body = detail::dump(body);
    std::vector<BatchError> part_errors;
    Decoder decode = [&](const http::Response& r) { part_errors = detail::decode_archive_errors(r); };
    co_await with_retry(std::move(call), std::move(decode));
    std::move(part_errors.begin(), part_errors.end(), std::back_inserter(errors));
  }
  co_return errors;
}

net::awaitable<std::vector<BatchError>> HubSpotClient::batch_archive_labels(
    std::string to_type, std::vector<AssociationPairInput> inputs) {
  std::vector<BatchError> errors;
  for (auto& part : detail::chunked(std::move(inputs), kAssociationBatchWriteLimit)) {
    Json arr = Json::array();
    for (const auto& in : part)
      arr.push_back({{"from", {{"id", in.from_id}}},
                     {"to", {{"id", in.to_id}}},
                     {"types", detail::encode_specs(in.types)}});
    Json body;
    body["inputs"] = std::move(arr);
    Call call = call_for(detail::Op::BatchArchiveLabels, {.to_type = to_type});
    call.body = detail::dump(body);
    std::vector<BatchError> part_errors;
    Decoder decode = [&](const http::Response& r) { part_errors = detail::decode_archive_errors(r); };
    co_await with_retry(std::move(call), std::move(decode));
    std::move(part_errors.begin(), part_errors.end(), std::back_inserter(errors));
  }
  co_return errors;
}

net::awaitable<std::vector<AssociationLabel>> HubSpotClient::association_labels(std::string to_type) {
  Call call = call_for(detail::Op::AssociationLabels, {.to_type = to_type});
  std::vector<AssociationLabel> labels;
  Decoder decode = [&](const http::Response& r) {
    const Json j = detail::parse_json(r.body);
    labels.clear();
    for (const auto& item : detail::req_array(j, "results", "association labels response"))
      labels.push_back(detail::decode_association_label(item));
  };
  co_await with_retry(std::move(call), std::move(decode));
  co_return labels;
}

}  // namespace leadsync::hubspot
