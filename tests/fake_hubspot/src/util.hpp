#pragma once
// Small helpers for fake-hubspot: time formatting/parsing (ISO-8601 UTC with milliseconds), UUIDs,
// URL decoding, query-string parsing (comma-separated and repeated keys), number parsing.
// Nothing here throws except where noted; all functions are thread-safe except Uuid (one per thread).
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leadsync::fake_hubspot {

// Milliseconds since the Unix epoch, wall clock.
std::int64_t now_ms();

// "2026-01-17T19:55:04.281Z": always three fraction digits and Z.
std::string format_iso_ms(std::int64_t epoch_ms);
void append_iso_ms(std::string& out, std::int64_t epoch_ms);
// Writes exactly 24 characters to buf (no terminator).
void write_iso_ms(char* buf, std::int64_t epoch_ms);
// "2026-01-17" for the UTC day containing epoch_ms.
std::string format_date(std::int64_t epoch_ms);

// Parses "2026-01-17T19:55:04.281Z", "2026-01-17T19:55:04Z", "2026-01-17T19:55:04.281+02:00",
// "2026-01-17" (midnight UTC). nullopt when malformed.
std::optional<std::int64_t> parse_iso(std::string_view text);
// Epoch milliseconds as an integer string ("1767225600000"), or an ISO date/datetime.
std::optional<std::int64_t> parse_time_value(std::string_view text);
// Days since epoch <-> civil date (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

std::optional<std::int64_t> parse_int(std::string_view text);
std::optional<std::uint64_t> parse_uint(std::string_view text);
std::optional<double> parse_number(std::string_view text);

class Uuid {
 public:
  Uuid();
  std::string next();  // random (version 4) UUID, lower case

 private:
  std::mt19937_64 rng_;
};

std::string url_decode(std::string_view text, bool plus_is_space = true);
std::string url_encode(std::string_view text);

// Query parameters in order of appearance, keys and values URL-decoded.
using QueryParams = std::vector<std::pair<std::string, std::string>>;
QueryParams parse_query(std::string_view query);
// Last value of key, if any.
std::optional<std::string> query_value(const QueryParams& q, std::string_view key);
// All values of key, each split on commas, empty pieces dropped: "a,b&x=c" style and repeated keys.
std::vector<std::string> query_list(const QueryParams& q, std::string_view key);

// "OK", "Not Found", ... ("Unknown" for codes without a standard phrase).
std::string_view reason_phrase(int status);

std::vector<std::string_view> split(std::string_view text, char sep);
std::string to_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

}  // namespace leadsync::fake_hubspot
