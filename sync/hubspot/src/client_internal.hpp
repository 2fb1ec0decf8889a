#pragma once
// Internal helpers shared by the client_*.cpp files.
#include <algorithm>
#include <string>
#include <vector>

#include "json_codec.hpp"
#include "leadsync/core/error.hpp"
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
