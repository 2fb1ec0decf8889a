#pragma once
// Internal: a fast reader for pages of leads ({"results": [...], "paging": {"next": {"after": ...}}}), the
// bodies a full sweep reads by the thousand. Parsing them into a JSON tree and decoding the tree cost about a
// quarter of leadsync's CPU in an import, most of it allocating and freeing the tree's nodes; this reader
// decodes the SAX events straight into LeadObjects. The events come from json_scan.hpp's scanner, or from
// nlohmann's parser for the bodies that scanner leaves to it.
//
// It accepts only the plain shape HubSpot sends (strings where strings belong, no history, no paged
// association lists, no repeated keys) and gives up on anything else: the caller then decodes the same body
// with the tree decoder (json_codec.hpp), which stays the one definition of the lenient cases and of the
// errors. Both give the same LeadObjects for every body this reader accepts (tests/unit/hubspot).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadsync/hubspot/lead_types.hpp"

namespace leadsync::hubspot::detail {

struct LeadPage {
  std::vector<LeadObject> results;
  std::optional<std::string> next_after;
};

// nullopt when the body is not of the plain shape (or not JSON at all): decode it with the tree decoder.
std::optional<LeadPage> read_lead_page(std::string_view body,
                                       const std::vector<std::string>* associations_requested);

}  // namespace leadsync::hubspot::detail
