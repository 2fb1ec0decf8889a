// Fuzz target lead_page: the fast reader of list pages (sync/hubspot/src/lead_page_reader.hpp) against the
// tree decoder (json_codec.hpp), the one definition of what a page means. For any bytes, with and without
// associations requested: the reader either leaves the body to the tree decoder, or reads exactly the leads
// and cursor the tree decoder reads from it, and never takes a body the tree decoder rejects.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "json_codec.hpp"
#include "lead_page_reader.hpp"

namespace {

using namespace leadsync::hubspot;
using namespace leadsync::hubspot::detail;

std::string show(const std::optional<std::string>& v) {
  return v ? "'" + *v + "'" : "null";
}

std::string describe(const std::vector<LeadObject>& leads, const std::optional<std::string>& after) {
  std::ostringstream out;
  for (const auto& o : leads) {
    out << "id=" << o.id << " created=" << o.created_at << " updated=" << o.updated_at
        << " archived=" << o.archived << " archived_at=" << show(o.archived_at)
        << " trace=" << show(o.object_write_trace_id) << " unresolved=" << o.associations_unresolved
        << " history=" << o.history.size() << "\n";
    for (const auto& [k, v] : o.properties) out << "  " << k << "=" << show(v) << "\n";
    if (!o.associations) {
      out << "  associations: none\n";
      continue;
    }
    for (const auto& [type, list] : *o.associations) {
      out << "  " << type << ":";
      for (const auto& a : list) {
        out << " " << a.to_id << "[";
        for (int t : a.type_ids) out << t << ",";
        out << "]";
      }
      out << "\n";
    }
  }
  out << "after=" << show(after);
  return out.str();
}

// The tree decoder's reading, as HubSpotClient::list_leads falls back to it, or its error.
std::string tree(const std::string& body, const std::vector<std::string>* requested) {
  try {
    const Json j = parse_json(body);
    return describe(decode_leads(req_array(j, "results", "list response"), requested), decode_next_after(j));
  } catch (const MalformedResponse& e) {
    return std::string("error: ") + e.what();
  } catch (const nlohmann::json::exception& e) {
    return std::string("error: ") + e.what();
  }
}

void check(const std::string& body, const std::vector<std::string>* requested) {
  const auto page = read_lead_page(body, requested);
  if (!page) return;  // left to the tree decoder
  const std::string fast = describe(page->results, page->next_after);
  const std::string slow = tree(body, requested);
  if (fast != slow) {
    std::fprintf(stderr, "page reader:\n%s\ntree decoder:\n%s\n", fast.c_str(), slow.c_str());
    leadsync::fuzz::fail("lead_page", "the page reader and the tree decoder disagree");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> kRequested = {"contacts", "companies"};
  const std::string body(reinterpret_cast<const char*>(data), size);
  check(body, nullptr);
  check(body, &kRequested);
  return 0;
}
