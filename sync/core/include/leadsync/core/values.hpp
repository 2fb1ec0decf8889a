#pragma once
// Property values as the reconciler compares them. HubSpot sends every value as a string; PostgreSQL
// columns are typed. Both sides are normalised to one canonical text per mapping type, so "1.50" and
// "1.5", "t" and "true", or two spellings of one instant compare equal and never cause ping-pong:
//   string, enumeration  as is; "" -> no value (HubSpot clears a property with "")
//   number               canonical decimal: no exponent, no leading '+', no superfluous zeros ("-0" -> "0")
//   bool                 "true" | "false"  (accepts t/f, 1/0, yes/no, any case)
//   date                 "YYYY-MM-DD"      (accepts an ISO date, an ISO date-time or epoch milliseconds, UTC)
//   datetime             "YYYY-MM-DDTHH:MM:SS.mmmZ" in UTC (accepts ISO-8601 with any offset or fraction,
//                        PostgreSQL's "YYYY-MM-DD HH:MM:SS.ffffff+00" and epoch milliseconds; truncated to
//                        ms)
// A value that does not parse for its type is kept verbatim (never dropped), so nothing is lost and the
// mismatch surfaces as a HubSpot validation error for that record rather than silent data loss.
// Pure functions; thread-safe.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "leadsync/core/clock.hpp"
#include "leadsync/core/mapping.hpp"

namespace leadsync::core {

using Value = std::optional<std::string>;             // nullopt = no value
using PropertyValues = std::map<std::string, Value>;  // HubSpot property name -> normalised value

Value normalize_value(PropertyType type, std::optional<std::string_view> raw);
// The string HubSpot expects for a normalised value ("" clears the property).
std::string to_hubspot_value(PropertyType type, const Value& value);

// ISO-8601 parsing/formatting shared by the reconciler and adapters (UTC, millisecond precision).
std::optional<WallTime> parse_timestamp(std::string_view text);
std::string format_timestamp(WallTime t);  // 2026-01-17T19:55:04.281Z

}  // namespace leadsync::core
