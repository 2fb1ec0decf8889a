#include "lead_page_reader.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "json_codec.hpp"
#include "json_scan.hpp"

namespace leadsync::hubspot::detail {

namespace {

using Json = nlohmann::json;

// Where the reader is: the containers of the plain page shape, and `skip` for a value of a key it does not
// use.
enum class Frame {
  root,
  paging,
  paging_next,
  results,
  lead,
  properties,
  associations,
  collection,
  links,
  link,
  skip
};

// What the next value is, as the last key (or the enclosing array) says.
enum class Slot {
  none,
  results,
  lead,
  paging,
  next,
  after,
  id,
  properties,
  property,
  created_at,
  updated_at,
  archived,
  archived_at,
  trace_id,
  associations,
  collection,
  links,
  link,
  link_id,
  link_type,
  skip
};

// Keys a container may hold once: a repeated one would make the tree decoder keep only the last value.
enum Seen : unsigned {
  kResults = 1,
  kPaging = 2,
  kNext = 4,
  kAfter = 8,
  kId = 16,
  kProperties = 32,
  kCreated = 64,
  kUpdated = 128,
  kArchived = 256,
  kArchivedAt = 512,
  kTrace = 1024,
  kAssociations = 2048,
  kLinks = 4096,
  kLinkType = 8192
};

class PageHandler : public nlohmann::json_sax<Json> {
 public:
  explicit PageHandler(const std::vector<std::string>* requested) : requested_(requested) {}

  LeadPage page;

  bool done() const { return finished_; }

  bool null() override {
    if (slot_ == Slot::property) return set_property(std::nullopt);
    return scalar_in_skip();
  }
  bool boolean(bool v) override {
    if (slot_ == Slot::archived) {
      lead().archived = v;
      return take(Slot::none);
    }
    return scalar_in_skip();
  }
  bool number_integer(number_integer_t) override { return scalar_in_skip(); }
  bool number_unsigned(number_unsigned_t) override { return scalar_in_skip(); }
  bool number_float(number_float_t, const string_t&) override { return scalar_in_skip(); }
  bool binary(binary_t&) override { return false; }

  bool string(string_t& v) override {
    switch (slot_) {
      case Slot::after:
        page.next_after = std::move(v);
        break;
      case Slot::id:
        lead().id = std::move(v);
        break;
      case Slot::property:
        return set_property(std::move(v));
      case Slot::created_at:
        lead().created_at = std::move(v);
        break;
      case Slot::updated_at:
        lead().updated_at = std::move(v);
        break;
      case Slot::archived_at:
        lead().archived_at = std::move(v);
        break;
      case Slot::trace_id:
        lead().object_write_trace_id = std::move(v);
        break;
      case Slot::link_id:
        link_id_ = std::move(v);
        break;
      case Slot::link_type:
        link_type_ = std::move(v);
        break;
      default:
        return scalar_in_skip();
    }
    return take(Slot::none);
  }

  bool start_object(std::size_t) override {
    if (stack_.empty()) return open(Frame::root);
    switch (element_slot()) {
      case Slot::paging:
        return open(Frame::paging);
      case Slot::next:
        return open(Frame::paging_next);
      case Slot::properties:
        return open(Frame::properties);
      case Slot::associations:
        if (!lead().associations) lead().associations.emplace();
        return open(Frame::associations);
      case Slot::collection:
        (*lead().associations)[collection_];  // listed even when empty, as the tree decoder does
        return open(Frame::collection);
      case Slot::skip:
        return open(Frame::skip);
      case Slot::lead: {  // an element of "results"
        LeadObject& o = page.results.emplace_back();
        if (requested_) {
          o.associations.emplace();
          for (const auto& t : *requested_) (*o.associations)[t];
        }
        return open(Frame::lead);
      }
      case Slot::link:  // an element of an association list
        link_id_.reset();
        link_type_.reset();
        return open(Frame::link);
      default:
        return false;
    }
  }

  bool end_object() override {
    const unsigned seen = seen_.back();
    switch (stack_.back()) {
      case Frame::root:
        if (!(seen & kResults)) return false;
        finished_ = true;
        break;
      case Frame::lead:
        if (!(seen & kId) || !(seen & kProperties)) return false;
        break;
      case Frame::link: {
        if (!link_id_) return false;  // the tree decoder says which lead lacks it
        std::optional<int> type_id;
        if (link_type_) type_id = lead_association_type_id(*link_type_);
        if (!type_id) lead().associations_unresolved = true;
        add_type_id((*lead().associations)[collection_], *link_id_, type_id);
        break;
      }
      default:
        break;
    }
    return close();
  }

  bool start_array(std::size_t) override {
    if (stack_.empty()) return false;
    switch (element_slot()) {  // an array inside "results" or an association list is an element: not ours
      case Slot::results:
        return open(Frame::results);
      case Slot::links:
        return open(Frame::links);
      case Slot::skip:
        return open(Frame::skip);
      default:
        return false;
    }
  }

  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    switch (stack_.back()) {
      case Frame::root:
        if (k == "results") return once(kResults, Slot::results);
        if (k == "paging") return once(kPaging, Slot::paging);
        return take(Slot::skip);
      case Frame::paging:
        if (k == "next") return once(kNext, Slot::next);
        return take(Slot::skip);
      case Frame::paging_next:
        if (k == "after") return once(kAfter, Slot::after);
        return take(Slot::skip);
      case Frame::lead:
        if (k == "id") return once(kId, Slot::id);
        if (k == "properties") return once(kProperties, Slot::properties);
        if (k == "createdAt") return once(kCreated, Slot::created_at);
        if (k == "updatedAt") return once(kUpdated, Slot::updated_at);
        if (k == "archived") return once(kArchived, Slot::archived);
        if (k == "archivedAt") return once(kArchivedAt, Slot::archived_at);
        if (k == "objectWriteTraceId") return once(kTrace, Slot::trace_id);
        if (k == "associations") return once(kAssociations, Slot::associations);
        if (k == "propertiesWithHistory") return false;  // history: the tree decoder reads it
        return take(Slot::skip);
      case Frame::properties:
        property_ = std::move(k);
        return take(Slot::property);
      case Frame::associations:
        // A type named twice: the tree decoder keeps the last list only.
        if (std::find(types_seen_.begin(), types_seen_.end(), k) != types_seen_.end()) return false;
        types_seen_.push_back(k);
        collection_ = std::move(k);
        return take(Slot::collection);
      case Frame::collection:
        if (k == "results") return once(kLinks, Slot::links);
        if (k == "paging") return false;  // a paged list: incomplete, the tree decoder marks it unresolved
        return take(Slot::skip);
      case Frame::link:
        if (k == "id") return once(kId, Slot::link_id);
        if (k == "type") return once(kLinkType, Slot::link_type);
        return take(Slot::skip);
      case Frame::skip:
        return true;
      default:
        return false;
    }
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  LeadObject& lead() { return page.results.back(); }

  // The slot of the value starting now: inside an array, the array's elements; in an object, the last key's.
  Slot element_slot() const {
    switch (stack_.back()) {
      case Frame::results:
        return Slot::lead;
      case Frame::links:
        return Slot::link;
      case Frame::skip:
        return Slot::skip;
      default:
        return slot_;
    }
  }

  bool open(Frame f) {
    // Deeper than HubSpot nests: the tree decoder refuses such a body with its reason.
    if (stack_.size() >= kMaxJsonDepth) return false;
    if (f == Frame::associations) types_seen_.clear();
    stack_.push_back(f);
    seen_.push_back(0);
    slot_ = Slot::none;
    return true;
  }
  bool close() {
    stack_.pop_back();
    seen_.pop_back();
    slot_ = Slot::none;
    return true;
  }
  bool take(Slot s) {
    slot_ = s;
    return true;
  }
  bool once(unsigned bit, Slot s) {
    if (seen_.back() & bit) return false;
    seen_.back() |= bit;
    return take(s);
  }
  // A number, boolean or null: fine inside a skipped value or as the skipped value itself, a shape the tree
  // decoder handles (leniently or with its error) anywhere else.
  bool scalar_in_skip() {
    if (stack_.empty()) return false;
    if (stack_.back() == Frame::skip) return true;
    if (slot_ != Slot::skip) return false;
    return take(Slot::none);
  }
  bool set_property(std::optional<std::string> v) {
    lead().properties[std::move(property_)] = std::move(v);
    return take(Slot::none);
  }

  const std::vector<std::string>* requested_;
  std::vector<Frame> stack_;
  std::vector<unsigned> seen_;
  Slot slot_ = Slot::none;
  bool finished_ = false;
  std::string property_;
  std::string collection_;
  std::vector<std::string> types_seen_;
  std::optional<std::string> link_id_, link_type_;
};

}  // namespace

std::optional<LeadPage> read_lead_page(std::string_view body,
                                       const std::vector<std::string>* associations_requested) {
  // JSON has no raw NUL byte, and nlohmann's parser takes one for the end of input: such a body is
  // left to the tree decoder, which refuses it.
  if (body.find('\0') != std::string_view::npos) return std::nullopt;
  {
    PageHandler handler(associations_requested);
    switch (scan_json(body, handler)) {
      case ScanResult::accepted:
        if (!handler.done()) return std::nullopt;
        return std::move(handler.page);
      case ScanResult::refused:
        return std::nullopt;
      case ScanResult::unsure:
        break;  // nlohmann's parser reads it, with a fresh handler
    }
  }
  PageHandler handler(associations_requested);
  if (!Json::sax_parse(body.begin(), body.end(), &handler) || !handler.done()) return std::nullopt;
  return std::move(handler.page);
}

}  // namespace leadsync::hubspot::detail
