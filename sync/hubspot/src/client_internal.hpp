#pragma once
// Internal helpers shared by the client_*.cpp files.
#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "json_codec.hpp"
#include "leadsync/core/error.hpp"
#include "leadsync/core/net.hpp"
#include "leadsync/hubspot/lead_types.hpp"
#include "query.hpp"

namespace leadsync::hubspot::detail {

// Thrown by with_retry for a create call whose outcome is unknown (sent, then timeout / connection lost /
// 5xx / unreadable 2xx). create_chunk decides whether a read-back makes a retry safe.
struct AmbiguousFailure {
  core::Error error;
};

// JSON text for a request body; invalid UTF-8 in a value is replaced rather than thrown on.
inline std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Numeric ids compare as numbers (HubSpot ids are decimal strings), anything else lexicographically.
inline bool id_less(const std::string& a, const std::string& b) {
  auto numeric = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (numeric(a) && numeric(b) && a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

// Decoder for idempotent writes whose answer leadsync does not use (DELETE answers 204, association PUTs).
// A 2xx carrying a body that is not JSON is a garbled answer (a proxy, a cut connection), not proof the write
// happened: ignoring it made a delete that never happened count as done, and the lead was then re-imported.
// It is thrown as malformed, so with_retry retries it like any other unreadable answer.
inline void require_empty_or_json(const http::Response& r) {
  if (std::all_of(r.body.begin(), r.body.end(),
                  [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }))
    return;
  (void)parse_json(r.body);
}

// Per-input errors of an archive answer in any form HubSpot sends: 204 (or any empty body) has none; a 200
// BatchResponse (the date versions' association archives) or a 207 lists them in errors[]. A body that is
// not JSON is thrown as malformed, as require_empty_or_json does.
inline std::vector<BatchError> decode_archive_errors(const http::Response& r) {
  if (std::all_of(r.body.begin(), r.body.end(),
                  [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }))
    return {};
  return decode_batch_errors(parse_json(r.body), r);
}

// A batch call refused as a whole with a record error (HubSpot answers 400 for the batch and writes nothing,
// e.g. a 2026-09 validation rule broken by one input when the answer does not itemise): the chunk is halved
// and each half sent again, down to single inputs, so the good inputs are written and each refused input
// fails alone with its own error. log2(n) extra calls per bad input; transient and fatal errors propagate.
// `send` sends one chunk; `refused(input, error)` turns the refusal of a single input into its BatchError.
template <class In, class Out, class Send, class Refused>
net::awaitable<BatchResult<Out>> isolate_refused_inputs(std::vector<In> inputs, Send send, Refused refused) {
  std::optional<core::Error> failure;
  try {
    co_return co_await send(inputs);
  } catch (const core::Error& e) {
    if (!e.is_record()) throw;
    failure = e;
  }
  BatchResult<Out> out;
  if (inputs.size() == 1) {
    out.errors.push_back(refused(inputs.front(), *failure));
    co_return out;
  }
  const auto half = static_cast<std::ptrdiff_t>(inputs.size() / 2);
  std::vector<In> second(std::make_move_iterator(inputs.begin() + half),
                         std::make_move_iterator(inputs.end()));
  inputs.erase(inputs.begin() + half, inputs.end());
  for (auto* part : {&inputs, &second}) {
    BatchResult<Out> r = co_await isolate_refused_inputs<In, Out>(std::move(*part), send, refused);
    std::move(r.results.begin(), r.results.end(), std::back_inserter(out.results));
    std::move(r.errors.begin(), r.errors.end(), std::back_inserter(out.errors));
    out.unconfirmed_attempt = out.unconfirmed_attempt || r.unconfirmed_attempt;
  }
  co_return out;
}

// The BatchError standing for a single input HubSpot refused as a whole call: the refusal's message (it
// names the route, status, category and, for validation rules, the properties) and details, tied to the
// input by its trace id (and record id when it has one).
inline BatchError refused_input_error(const core::Error& e, const std::string& trace_id,
                                      const std::optional<std::string>& record_id = std::nullopt) {
  BatchError be;
  be.http_status = e.details().http_status;
  be.status = "error";
  be.category = e.details().category;
  be.sub_category = e.details().sub_category;
  be.message = e.what();
  be.correlation_id = e.details().correlation_id;
  be.context = e.details().context;
  be.context["objectWriteTraceId"] = {trace_id};
  if (record_id) be.context["id"] = {*record_id};
  return be;
}

// Splits [0, n) into consecutive ranges of at most `size`.
template <class F>
void for_each_chunk(std::size_t n, std::size_t size, F&& f) {
  for (std::size_t begin = 0; begin < n; begin += size) f(begin, std::min(n, begin + size));
}

template <class T>
std::vector<std::vector<T>> chunked(std::vector<T> items, std::size_t size) {
  std::vector<std::vector<T>> out;
  for (std::size_t begin = 0; begin < items.size(); begin += size) {
    auto end = std::min(items.size(), begin + size);
    out.emplace_back(std::make_move_iterator(items.begin() + static_cast<std::ptrdiff_t>(begin)),
                     std::make_move_iterator(items.begin() + static_cast<std::ptrdiff_t>(end)));
  }
  return out;
}

}  // namespace leadsync::hubspot::detail
