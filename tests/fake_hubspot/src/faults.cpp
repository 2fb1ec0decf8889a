#include "faults.hpp"

#include <stdexcept>

#include "util.hpp"

namespace leadsync::fake_hubspot {

std::string_view fault_kind_name(FaultKind k) {
  switch (k) {
    case FaultKind::status:
      return "status";
    case FaultKind::rate_limit:
      return "rate_limit";
    case FaultKind::delay:
      return "delay";
    case FaultKind::drop_before_response:
      return "drop_before_response";
    case FaultKind::drop_after_headers:
      return "drop_after_headers";
    case FaultKind::drop_mid_body:
      return "drop_mid_body";
    case FaultKind::truncated_body:
      return "truncated_body";
    case FaultKind::invalid_json:
      return "invalid_json";
    case FaultKind::redirect:
      return "redirect";
    case FaultKind::gzip_body:
      return "gzip_body";
  }
  return "status";
}

namespace {

FaultKind parse_kind(const std::string& s) {
  for (auto k : {FaultKind::status, FaultKind::rate_limit, FaultKind::delay, FaultKind::drop_before_response,
                 FaultKind::drop_after_headers, FaultKind::drop_mid_body, FaultKind::truncated_body,
                 FaultKind::invalid_json, FaultKind::redirect, FaultKind::gzip_body})
    if (fault_kind_name(k) == s) return k;
  throw std::invalid_argument(
      "\"kind\" must be one of status, rate_limit, delay, drop_before_response, drop_after_headers, "
      "drop_mid_body, truncated_body, invalid_json, redirect, gzip_body");
}

int get_int(const nlohmann::json& j, const char* key, int def) {
  if (!j.contains(key) || j[key].is_null()) return def;
  if (!j[key].is_number_integer())
    throw std::invalid_argument(std::string("\"") + key + "\" must be an integer");
  return j[key].get<int>();
}

std::string get_string(const nlohmann::json& j, const char* key, std::string def) {
  if (!j.contains(key) || j[key].is_null()) return def;
  if (!j[key].is_string()) throw std::invalid_argument(std::string("\"") + key + "\" must be a string");
  return j[key].get<std::string>();
}

}  // namespace

Fault parse_fault(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("a fault must be a JSON object");
  static const char* kKnown[] = {"method",      "path_prefix", "times",   "kind", "status",       "policy",
                                 "retry_after", "delay_ms",    "execute", "body", "content_type", "location"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const char* k : kKnown) known |= it.key() == k;
    if (!known) throw std::invalid_argument("unknown fault field \"" + it.key() + "\"");
  }
  Fault f;
  f.method = get_string(j, "method", "");
  for (auto& c : f.method) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (f.method == "*") f.method.clear();
  f.path_prefix = get_string(j, "path_prefix", "/");
  if (f.path_prefix.empty() || f.path_prefix[0] != '/')
    throw std::invalid_argument("\"path_prefix\" must start with /");
  f.remaining = get_int(j, "times", 1);
  if (f.remaining == 0 || f.remaining < -1)
    throw std::invalid_argument("\"times\" must be >= 1, or -1 for unlimited");
  // Without a kind, a status makes it a status fault and a bare delay a delay fault.
  std::string kind = get_string(j, "kind", "");
  if (kind.empty()) kind = j.contains("status") ? "status" : (j.contains("delay_ms") ? "delay" : "");
  if (kind.empty()) throw std::invalid_argument("\"kind\" is required");
  f.kind = parse_kind(kind);
  f.delay_ms = get_int(j, "delay_ms", 0);
  if (f.delay_ms < 0) throw std::invalid_argument("\"delay_ms\" must be >= 0");
  if (f.kind == FaultKind::delay && f.delay_ms == 0)
    throw std::invalid_argument("a delay fault needs \"delay_ms\"");
  if (f.kind == FaultKind::status) {
    f.status = get_int(j, "status", 500);
    if (f.status < 200 || f.status > 599)
      throw std::invalid_argument("\"status\" must be an HTTP status code");
  } else if (f.kind == FaultKind::rate_limit) {
    f.status = 429;
    f.policy = get_string(j, "policy", "TEN_SECONDLY_ROLLING");
    if (f.policy != "TEN_SECONDLY_ROLLING" && f.policy != "DAILY" && f.policy != "SECONDLY")
      throw std::invalid_argument("\"policy\" must be TEN_SECONDLY_ROLLING, DAILY or SECONDLY");
  } else if (f.kind == FaultKind::redirect) {
    f.status = get_int(j, "status", 302);
    if (f.status != 301 && f.status != 302 && f.status != 303 && f.status != 307 && f.status != 308)
      throw std::invalid_argument("\"status\" of a redirect must be 301, 302, 303, 307 or 308");
    f.location = get_string(j, "location", "");
    if (f.location.empty()) throw std::invalid_argument("a redirect fault needs \"location\"");
    for (char c : f.location)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        throw std::invalid_argument("\"location\" must not contain control characters");
  }
  if (f.kind != FaultKind::redirect && j.contains("location"))
    throw std::invalid_argument("\"location\" is for redirect faults only");
  if (j.contains("retry_after") && !j["retry_after"].is_null()) f.retry_after = get_int(j, "retry_after", 0);
  if (f.kind == FaultKind::status && f.status == 477 && !f.retry_after) f.retry_after = 5;
  // By default only faults that still deliver the real response (or a late one) apply the request.
  f.execute = f.kind == FaultKind::delay || f.kind == FaultKind::drop_after_headers ||
              f.kind == FaultKind::drop_mid_body || f.kind == FaultKind::truncated_body ||
              f.kind == FaultKind::gzip_body;
  if (j.contains("execute")) {
    if (!j["execute"].is_boolean()) throw std::invalid_argument("\"execute\" must be a boolean");
    f.execute = j["execute"].get<bool>();
  }
  if (j.contains("body") && !j["body"].is_null()) {
    f.body = j["body"].is_string() ? j["body"].get<std::string>() : j["body"].dump();
  }
  if (j.contains("content_type") && !j["content_type"].is_null())
    f.content_type = get_string(j, "content_type", "");
  return f;
}

nlohmann::ordered_json fault_to_json(const Fault& f) {
  nlohmann::ordered_json j;
  j["id"] = f.id;
  j["method"] = f.method.empty() ? "*" : f.method;
  j["path_prefix"] = f.path_prefix;
  j["kind"] = std::string(fault_kind_name(f.kind));
  if (f.kind == FaultKind::status || f.kind == FaultKind::rate_limit || f.kind == FaultKind::redirect)
    j["status"] = f.status;
  if (f.kind == FaultKind::redirect) j["location"] = f.location;
  if (f.kind == FaultKind::rate_limit) j["policy"] = f.policy;
  if (f.retry_after) j["retry_after"] = *f.retry_after;
  if (f.delay_ms) j["delay_ms"] = f.delay_ms;
  j["execute"] = f.execute;
  j["times"] = f.remaining < 0 ? -1 : f.remaining + f.fired;
  j["remaining"] = f.remaining;
  j["fired"] = f.fired;
  if (f.body) j["body"] = *f.body;
  if (f.content_type) j["content_type"] = *f.content_type;
  return j;
}

int FaultTable::add(Fault f) {
  f.id = next_id_++;
  faults_.push_back(std::move(f));
  return faults_.back().id;
}

std::optional<Fault> FaultTable::take(const std::string& method, const std::string& path) {
  for (auto& f : faults_) {
    if (f.remaining == 0) continue;
    if (!f.method.empty() && f.method != method) continue;
    if (path.compare(0, f.path_prefix.size(), f.path_prefix) != 0) continue;
    if (f.remaining > 0) --f.remaining;
    ++f.fired;
    return f;
  }
  return std::nullopt;
}

bool FaultTable::remove(int id) {
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->id == id) {
      faults_.erase(it);
      return true;
    }
  }
  return false;
}

}  // namespace leadsync::fake_hubspot
