// Lead endpoints (paths from routes.cpp): list, get, batch read, search (+ windowing past the 10,000 cap),
// create, batch create/update/upsert/archive, PATCH, DELETE.
#include <set>
#include <unordered_map>

#include "client_internal.hpp"
#include "lead_page_reader.hpp"
#include "leadsync/hubspot/client.hpp"
#include "routes.hpp"

namespace leadsync::hubspot {

namespace {

using detail::Json;

Json string_array(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

Json encode_search(const SearchRequest& r) {
  Json body;
  Json groups = Json::array();
  for (const auto& g : r.filter_groups) {
    Json filters = Json::array();
    for (const auto& f : g.filters) {
      Json fj{{"propertyName", f.property}, {"operator", f.op}};
      if (f.value) fj["value"] = *f.value;
      if (!f.values.empty()) fj["values"] = string_array(f.values);
      if (f.high_value) fj["highValue"] = *f.high_value;
      filters.push_back(std::move(fj));
    }
    groups.push_back({{"filters", std::move(filters)}});
  }
  body["filterGroups"] = std::move(groups);
  Json sorts = Json::array();
  if (r.sort)
    sorts.push_back(
        {{"propertyName", r.sort->property}, {"direction", r.sort->ascending ? "ASCENDING" : "DESCENDING"}});
  body["sorts"] = std::move(sorts);
  body["properties"] = string_array(r.properties);
  body["limit"] = std::clamp(r.limit, 1, kSearchLimit);
  body["after"] = r.after.value_or("0");
  return body;
}

// Sets each result's trace id from its input: HubSpot's objectWriteTraceId when present, else the unique key
// value, else (one result and one input left after removing the failed inputs) the only possible pairing.
void match_trace_ids(std::vector<LeadObject>& results, const std::vector<LeadCreateInput>& inputs,
                     const std::vector<BatchError>& errors, const std::optional<std::string>& unique_key) {
  std::set<std::string> unmatched_inputs;
  for (const auto& in : inputs) unmatched_inputs.insert(*in.object_write_trace_id);
  for (const auto& e : errors)
    for (const auto& t : e.trace_ids()) unmatched_inputs.erase(t);
  std::vector<LeadObject*> unmatched_results;
  for (auto& r : results) {
    if (r.object_write_trace_id && unmatched_inputs.erase(*r.object_write_trace_id)) continue;
    r.object_write_trace_id.reset();
    if (unique_key) {
      auto value = r.property(*unique_key);
      auto it = std::find_if(inputs.begin(), inputs.end(), [&](const LeadCreateInput& in) {
        auto p = in.properties.find(*unique_key);
        return value && p != in.properties.end() && p->second == *value &&
               unmatched_inputs.count(*in.object_write_trace_id);
      });
      if (it != inputs.end()) {
        r.object_write_trace_id = it->object_write_trace_id;
        unmatched_inputs.erase(*it->object_write_trace_id);
        continue;
      }
    }
    unmatched_results.push_back(&r);
  }
  if (unmatched_results.size() == 1 && unmatched_inputs.size() == 1)
    unmatched_results.front()->object_write_trace_id = *unmatched_inputs.begin();
}

}  // namespace

// ---- read -------------------------------------------------------------------------------------

net::awaitable<ListPage> HubSpotClient::list_page(ListRequest request) {
  detail::Query q;
  // With propertiesWithHistory HubSpot refuses pages of 100 (docs/hubspot-api.md#batch-limits): 50 then.
  const int max_limit =
      request.properties_with_history.empty() ? kListLimit : static_cast<int>(kBatchHistoryLimit);
  q.add("limit", std::to_string(std::clamp(request.limit, 1, max_limit)));
  if (request.after) q.add("after", *request.after);
  q.add("properties", request.properties);
  q.add("propertiesWithHistory", request.properties_with_history);
  q.add("associations", request.associations);
  q.add("archived", request.archived ? "true" : "false");
  Call call = call_for(detail::Op::ListLeads);
  call.target += q.str();

  ListPage page;
  const std::vector<std::string> assoc = request.associations;
  Decoder decode = [&](const http::Response& r) {
    if (auto fast = detail::read_lead_page(r.body, assoc.empty() ? nullptr : &assoc)) {
      page.results = std::move(fast->results);
      page.next_after = std::move(fast->next_after);
      return;
    }
    const Json j = detail::parse_json(r.body);
    page.results = detail::decode_leads(detail::req_array(j, "results", "list response"),
                                        assoc.empty() ? nullptr : &assoc);
    page.next_after = detail::decode_next_after(j);
  };
  co_await with_retry(std::move(call), std::move(decode));
  co_return page;
}

net::awaitable<std::int64_t> HubSpotClient::list_all(ListRequest request, LeadPageCallback on_page) {
  std::int64_t total = 0;
  for (;;) {
    ListPage page = co_await list_page(request);
    total += static_cast<std::int64_t>(page.results.size());
    const auto next = page.next_after;
    if (!page.results.empty()) co_await on_page(std::move(page.results));
    if (!next) co_return total;
    if (request.after && *next == *request.after)
      throw core::transient_error("HubSpot returned the same paging cursor twice for " +
                                  call_for(detail::Op::ListLeads).route);
    request.after = next;
  }
}

net::awaitable<std::optional<LeadObject>> HubSpotClient::get_lead(std::string id, GetOptions options) {
  detail::Query q;
  q.add("properties", options.properties);
  q.add("propertiesWithHistory", options.properties_with_history);
  q.add("associations", options.associations);
  if (options.id_property) q.add("idProperty", *options.id_property);
  q.add("archived", options.archived ? "true" : "false");
  Call call = call_for(
      detail::Op::GetLead,
      {.id = options.id_property ? detail::path_segment(id) : detail::record_id_segment(id, "lead id")});
  call.target += q.str();
  call.accept_statuses = {404};

  std::optional<LeadObject> lead;
  const std::vector<std::string> assoc = options.associations;
  Decoder decode = [&](const http::Response& r) {
    lead = detail::decode_lead(detail::parse_json(r.body), assoc.empty() ? nullptr : &assoc);
  };
  const http::Response response = co_await with_retry(std::move(call), std::move(decode));
  if (response.status == 404) co_return std::nullopt;
  co_return lead;
}

net::awaitable<BatchResult<LeadObject>> HubSpotClient::batch_read(std::vector<std::string> ids,
                                                                  BatchReadOptions options) {
  BatchResult<LeadObject> out;
  const std::size_t chunk = options.properties_with_history.empty() ? kBatchLimit : kBatchHistoryLimit;
  for (auto& part : detail::chunked(std::move(ids), chunk)) {
    Json body;
    Json inputs = Json::array();
    for (const auto& id : part) inputs.push_back({{"id", id}});
    body["inputs"] = std::move(inputs);
    body["properties"] = string_array(options.properties);
    body["propertiesWithHistory"] = string_array(options.properties_with_history);
    if (options.id_property) body["idProperty"] = *options.id_property;
    Call call = call_for(detail::Op::BatchReadLeads);
    call.target += options.archived ? "?archived=true" : "?archived=false";
    call.body = detail::dump(body);

    BatchResult<LeadObject> part_result;
    Decoder decode = [&](const http::Response& r) {
      const Json j = detail::parse_json(r.body);
      part_result.results = detail::decode_leads(detail::req_array(j, "results", "batch read response"));
      part_result.errors = detail::decode_batch_errors(j, r);
    };
    co_await with_retry(std::move(call), std::move(decode));
    std::move(part_result.results.begin(), part_result.results.end(), std::back_inserter(out.results));
    std::move(part_result.errors.begin(), part_result.errors.end(), std::back_inserter(out.errors));
  }
  co_return out;
}

net::awaitable<SearchPage> HubSpotClient::search(SearchRequest request) {
  Call call = call_for(detail::Op::SearchLeads);
  call.body = detail::dump(encode_search(request));
  call.policy = RatePolicy::search;

  SearchPage page;
  Decoder decode = [&](const http::Response& r) {
    const Json j = detail::parse_json(r.body);
    page.results = detail::decode_leads(detail::req_array(j, "results", "search response"));
    page.total = 0;
    if (auto t = detail::opt_string(j, "total")) page.total = std::stoll(*t);
    page.next_after = detail::decode_next_after(j);
  };
  co_await with_retry(std::move(call), std::move(decode));
  co_return page;
}

net::awaitable<SearchWindowStats> HubSpotClient::search_modified_window(std::int64_t from_ms,
                                                                        std::int64_t to_ms,
                                                                        std::vector<std::string> properties,
                                                                        LeadPageCallback on_page) {
  SearchWindowStats stats;
  const std::string search_route = call_for(detail::Op::SearchLeads).route;
  std::optional<std::string> last_id;          // highest hs_object_id seen: where a restarted query picks up
  std::optional<std::string> restarted_above;  // last_id when the query last restarted
  for (;;) {
    SearchRequest request;
    SearchFilterGroup group;
    group.filters.push_back({"hs_lastmodifieddate", "GTE", std::to_string(from_ms), {}, std::nullopt});
    group.filters.push_back({"hs_lastmodifieddate", "LTE", std::to_string(to_ms), {}, std::nullopt});
    if (last_id) group.filters.push_back({"hs_object_id", "GT", *last_id, {}, std::nullopt});
    request.filter_groups.push_back(std::move(group));
    request.sort = SearchSort{"hs_object_id", true};
    request.properties = properties;
    request.limit = kSearchLimit;

    std::int64_t seen_in_query = 0;
    for (;;) {
      SearchPage page = co_await search(request);
      ++stats.pages;
      const auto count = static_cast<std::int64_t>(page.results.size());
      stats.results += count;
      seen_in_query += count;
      for (const auto& lead : page.results)
        if (!last_id || detail::id_less(*last_id, lead.id)) last_id = lead.id;
      const bool empty = page.results.empty();
      if (!empty) co_await on_page(std::move(page.results));
      if (empty) co_return stats;
      if (!page.next_after) {
        // Some answers stop paging at the cap although `total` says more match: restart above the last id.
        if (seen_in_query >= kSearchResultCap && page.total > seen_in_query) break;
        co_return stats;
      }
      std::int64_t offset = 0;
      try {
        offset = std::stoll(*page.next_after);
      } catch (const std::exception&) {
        throw core::transient_error("malformed response from HubSpot for " + search_route +
                                    ": paging.next.after is not an offset");
      }
      // A cursor that does not move forward would read the same results until the daily budget is gone.
      if (request.after && offset <= std::stoll(*request.after))
        throw core::transient_error("malformed response from HubSpot for " + search_route +
                                    ": paging.next.after " + *page.next_after + " does not advance past " +
                                    *request.after + "; search stopped");
      // HubSpot answers 400 past 10,000 results for one query: restart above the last id instead.
      if (offset + request.limit > kSearchResultCap) break;
      request.after = *page.next_after;
    }
    ++stats.restarts;
    // A restart must start above a higher id than the last one, or the same results come back forever.
    if (last_id == restarted_above)
      throw core::transient_error("malformed response from HubSpot for " + search_route +
                                  ": a query for ids above " + last_id.value_or("0") +
                                  " returned none above it; search stopped");
    restarted_above = last_id;
  }
}

// ---- create -----------------------------------------------------------------------------------

net::awaitable<BatchResult<LeadObject>> HubSpotClient::create_chunk(std::vector<LeadCreateInput> inputs,
                                                                    bool single) {
  BatchResult<LeadObject> out;
  const auto& key = options_.unique_key_property;
  const bool provable = key && std::all_of(inputs.begin(), inputs.end(), [&](const LeadCreateInput& in) {
                          auto it = in.properties.find(*key);
                          return it != in.properties.end() && !it->second.empty();
                        });
  const int max_attempts = std::max(1, options_.retry.max_attempts);
  int ambiguous = 0;

  for (;;) {
    Call call = call_for(single ? detail::Op::CreateLead : detail::Op::BatchCreateLeads);
    call.create = true;
    Json body;
    if (single) {
      body = detail::encode_create_input(inputs.front());
    } else {
      Json arr = Json::array();
      for (const auto& in : inputs) arr.push_back(detail::encode_create_input(in));
      body["inputs"] = std::move(arr);
    }
    call.body = detail::dump(body);

    BatchResult<LeadObject> part;
    Decoder decode = [&](const http::Response& r) {
      const Json j = detail::parse_json(r.body);
      if (single) {
        part.results.push_back(detail::decode_lead(j));
      } else {
        part.results = detail::decode_leads(detail::req_array(j, "results", "batch create response"));
        part.errors = detail::decode_batch_errors(j, r);
      }
    };

    std::optional<core::Error> doubt;
    try {
      co_await with_retry(std::move(call), std::move(decode));
    } catch (detail::AmbiguousFailure& a) {
      doubt = std::move(a.error);
    }
    if (!doubt) {
      match_trace_ids(part.results, inputs, part.errors, key);
      std::move(part.results.begin(), part.results.end(), std::back_inserter(out.results));
      std::move(part.errors.begin(), part.errors.end(), std::back_inserter(out.errors));
      co_return out;
    }

    ++ambiguous;
    std::vector<std::string> trace_ids;
    for (const auto& in : inputs) trace_ids.push_back(*in.object_write_trace_id);
    if (!provable) {
      throw InDoubtError(std::string(doubt->what()) +
                             "; the create may or may not have happened and cannot be retried safely (no "
                             "unique key property on every input)",
                         doubt->details(), std::move(trace_ids));
    }
    if (ambiguous >= max_attempts) {
      throw InDoubtError(std::string(doubt->what()) + " (gave up after " + std::to_string(ambiguous) +
                             " attempts; some of these leads may exist in HubSpot)",
                         doubt->details(), std::move(trace_ids));
    }
    const auto wait = backoff(ambiguous - 1);
    observer_.on_wait("backoff:create_read_back", wait);
    if (!co_await waits_.sleep(clock_, wait))
      throw InDoubtError(
          std::string(doubt->what()) +
              "; not read back because leadsync is stopping: the create may or may not have happened",
          doubt->details(), std::move(trace_ids));

    // Read back by the unique key: whatever exists was created by the ambiguous attempt (or earlier).
    std::vector<std::string> keys;
    std::set<std::string> wanted_properties{*key};
    for (const auto& in : inputs) {
      keys.push_back(in.properties.at(*key));
      for (const auto& [name, value] : in.properties) wanted_properties.insert(name);
    }
    BatchReadOptions read_options;
    read_options.properties.assign(wanted_properties.begin(), wanted_properties.end());
    read_options.id_property = *key;
    BatchResult<LeadObject> found;
    std::optional<core::Error> read_error;
    try {
      found = co_await batch_read(std::move(keys), std::move(read_options));
    } catch (const core::Error& e) {
      read_error = e;
    }
    if (read_error) {
      throw InDoubtError(std::string(doubt->what()) + "; reading the leads back by " + *key +
                             " failed too: " + read_error->what(),
                         doubt->details(), std::move(trace_ids));
    }

    std::vector<LeadCreateInput> remaining;
    for (auto& in : inputs) {
      const std::string& value = in.properties.at(*key);
      auto it = std::find_if(found.results.begin(), found.results.end(),
                             [&](const LeadObject& o) { return o.property(*key) == value; });
      if (it == found.results.end()) {
        remaining.push_back(std::move(in));
        continue;
      }
      it->object_write_trace_id = in.object_write_trace_id;
      out.results.push_back(std::move(*it));
      found.results.erase(it);
    }
    if (remaining.empty()) co_return out;
    inputs = std::move(remaining);
  }
}

net::awaitable<LeadObject> HubSpotClient::create(LeadCreateInput input) {
  if (!input.object_write_trace_id) input.object_write_trace_id = next_trace_id();
  std::vector<LeadCreateInput> one;
  one.push_back(std::move(input));
  BatchResult<LeadObject> r = co_await create_chunk(std::move(one), /*single=*/true);
  if (r.results.empty())
    throw core::transient_error("malformed response from HubSpot for " +
                                call_for(detail::Op::CreateLead).route + ": no lead returned");
  co_return std::move(r.results.front());
}

net::awaitable<BatchResult<LeadObject>> HubSpotClient::batch_create(std::vector<LeadCreateInput> inputs) {
  for (auto& in : inputs)
    if (!in.object_write_trace_id) in.object_write_trace_id = next_trace_id();
  BatchResult<LeadObject> out;
  auto send = [this](std::vector<LeadCreateInput> part) { return create_chunk(std::move(part), false); };
  auto refused = [](const LeadCreateInput& in, const core::Error& e) {
    return detail::refused_input_error(e, *in.object_write_trace_id);
  };
  for (auto& part : detail::chunked(std::move(inputs), kBatchLimit)) {
    BatchResult<LeadObject> r =
        co_await detail::isolate_refused_inputs<LeadCreateInput, LeadObject>(std::move(part), send, refused);
    std::move(r.results.begin(), r.results.end(), std::back_inserter(out.results));
    std::move(r.errors.begin(), r.errors.end(), std::back_inserter(out.errors));
  }
  co_return out;
}

// ---- update / upsert / archive ------------------------------------------------------------------

net::awaitable<LeadObject> HubSpotClient::update(std::string id,
                                                 std::map<std::string, std::string> properties,
                                                 std::optional<std::string> id_property,
                                                 bool* unconfirmed_attempt) {
  detail::Query q;
  if (id_property) q.add("idProperty", *id_property);
  Call call =
      call_for(detail::Op::UpdateLead,
               {.id = id_property ? detail::path_segment(id) : detail::record_id_segment(id, "lead id")});
  call.target += q.str();
  call.unconfirmed_attempt = unconfirmed_attempt;
  Json body;
  body["properties"] = detail::encode_properties(properties);
  call.body = detail::dump(body);
  LeadObject lead;
  Decoder decode = [&](const http::Response& r) { lead = detail::decode_lead(detail::parse_json(r.body)); };
  co_await with_retry(std::move(call), std::move(decode));
  co_return lead;
}

net::awaitable<BatchResult<LeadObject>> HubSpotClient::batch_update(std::vector<LeadUpdateInput> inputs,
                                                                    std::optional<std::string> id_property) {
  for (auto& in : inputs)
    if (!in.object_write_trace_id) in.object_write_trace_id = next_trace_id();
  BatchResult<LeadObject> out;
  auto send = [this, &id_property](std::vector<LeadUpdateInput> part) {
    return update_chunk(std::move(part), id_property);
  };
  auto refused = [](const LeadUpdateInput& in, const core::Error& e) {
    return detail::refused_input_error(e, *in.object_write_trace_id, in.id);
  };
  for (auto& part : detail::chunked(std::move(inputs), kBatchLimit)) {
    BatchResult<LeadObject> r =
        co_await detail::isolate_refused_inputs<LeadUpdateInput, LeadObject>(std::move(part), send, refused);
    out.unconfirmed_attempt = out.unconfirmed_attempt || r.unconfirmed_attempt;
    std::move(r.results.begin(), r.results.end(), std::back_inserter(out.results));
    std::move(r.errors.begin(), r.errors.end(), std::back_inserter(out.errors));
  }
  co_return out;
}

net::awaitable<BatchResult<LeadObject>> HubSpotClient::update_chunk(std::vector<LeadUpdateInput> part,
                                                                    std::optional<std::string> id_property) {
  BatchResult<LeadObject> out;
  Json arr = Json::array();
  for (const auto& in : part) {
    Json item{{"id", in.id},
              {"properties", detail::encode_properties(in.properties)},
              {"objectWriteTraceId", *in.object_write_trace_id}};
    if (id_property) item["idProperty"] = *id_property;
    arr.push_back(std::move(item));
  }
  Json body;
  body["inputs"] = std::move(arr);
  Call call = call_for(detail::Op::BatchUpdateLeads);
  call.body = detail::dump(body);
  call.unconfirmed_attempt = &out.unconfirmed_attempt;
  Decoder decode = [&](const http::Response& resp) {
    const Json j = detail::parse_json(resp.body);
    out.results = detail::decode_leads(detail::req_array(j, "results", "batch update response"));
    out.errors = detail::decode_batch_errors(j, resp);
  };
  co_await with_retry(std::move(call), std::move(decode));
  // Results are matched to inputs by id (or the id_property value), never by position.
  for (auto& lead : out.results) {
    if (lead.object_write_trace_id) continue;
    const std::optional<std::string> key = id_property ? lead.property(*id_property) : std::optional(lead.id);
    auto it = std::find_if(part.begin(), part.end(),
                           [&](const LeadUpdateInput& in) { return key && in.id == *key; });
    if (it != part.end()) lead.object_write_trace_id = it->object_write_trace_id;
  }
  co_return out;
}

net::awaitable<BatchResult<UpsertResult>> HubSpotClient::batch_upsert(std::vector<LeadUpsertInput> inputs,
                                                                      std::string id_property) {
  for (auto& in : inputs)
    if (!in.object_write_trace_id) in.object_write_trace_id = next_trace_id();
  BatchResult<UpsertResult> out;
  auto send = [this, &id_property](std::vector<LeadUpsertInput> part) {
    return upsert_chunk(std::move(part), id_property);
  };
  auto refused = [](const LeadUpsertInput& in, const core::Error& e) {
    return detail::refused_input_error(e, *in.object_write_trace_id, in.id);
  };
  for (auto& part : detail::chunked(std::move(inputs), kBatchLimit)) {
    BatchResult<UpsertResult> r = co_await detail::isolate_refused_inputs<LeadUpsertInput, UpsertResult>(
        std::move(part), send, refused);
    std::move(r.results.begin(), r.results.end(), std::back_inserter(out.results));
    std::move(r.errors.begin(), r.errors.end(), std::back_inserter(out.errors));
  }
  co_return out;
}

net::awaitable<BatchResult<UpsertResult>> HubSpotClient::upsert_chunk(std::vector<LeadUpsertInput> part,
                                                                      std::string id_property) {
  BatchResult<UpsertResult> out;
  Json arr = Json::array();
  for (const auto& in : part)
    arr.push_back({{"id", in.id},
                   {"idProperty", id_property},
                   {"properties", detail::encode_properties(in.properties)},
                   {"objectWriteTraceId", *in.object_write_trace_id}});
  Json body;
  body["inputs"] = std::move(arr);
  Call call = call_for(detail::Op::BatchUpsertLeads);
  call.body = detail::dump(body);  // upsert by a unique property is idempotent: safe to retry
  Decoder decode = [&](const http::Response& resp) {
    const Json j = detail::parse_json(resp.body);
    out.results.clear();
    for (const auto& item : detail::req_array(j, "results", "batch upsert response")) {
      UpsertResult u;
      u.lead = detail::decode_lead(item);
      u.is_new = detail::opt_bool(item, "new");
      out.results.push_back(std::move(u));
    }
    out.errors = detail::decode_batch_errors(j, resp);
  };
  co_await with_retry(std::move(call), std::move(decode));
  for (auto& u : out.results) {
    if (u.lead.object_write_trace_id) continue;
    auto key = u.lead.property(id_property);
    auto it = std::find_if(part.begin(), part.end(),
                           [&](const LeadUpsertInput& in) { return key && in.id == *key; });
    if (it != part.end()) u.lead.object_write_trace_id = it->object_write_trace_id;
  }
  co_return out;
}

net::awaitable<bool> HubSpotClient::archive(std::string id) {
  Call call = call_for(detail::Op::ArchiveLead, {.id = detail::record_id_segment(id, "lead id")});
  call.accept_statuses = {404};
  const http::Response r = co_await with_retry(std::move(call), detail::require_empty_or_json);
  co_return r.status != 404;
}

net::awaitable<std::vector<BatchError>> HubSpotClient::batch_archive(std::vector<std::string> ids) {
  std::vector<BatchError> errors;
  for (auto& part : detail::chunked(std::move(ids), kBatchLimit)) {
    Json arr = Json::array();
    for (const auto& id : part) arr.push_back({{"id", id}});
    Json body;
    body["inputs"] = std::move(arr);
    Call call = call_for(detail::Op::BatchArchiveLeads);
    call.body = detail::dump(body);
    std::vector<BatchError> part_errors;
    Decoder decode = [&](const http::Response& r) { part_errors = detail::decode_archive_errors(r); };
    co_await with_retry(std::move(call), std::move(decode));
    std::move(part_errors.begin(), part_errors.end(), std::back_inserter(errors));
  }
  co_return errors;
}

}  // namespace leadsync::hubspot
