#include "lead_json.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "util.hpp"

namespace leadsync::fake_hubspot {

std::int64_t updated_as_of(const Lead& lead, std::int64_t cutoff) {
  std::int64_t t = lead.created_ms;
  for (const auto& h : lead.history)
    if (h.ts <= cutoff && h.ts > t) t = h.ts;
  return t;
}

void sort_by_name(const Store& store, std::vector<PropIndex>& props) {
  std::sort(props.begin(), props.end(),
            [&](PropIndex a, PropIndex b) { return store.property(a).name < store.property(b).name; });
  props.erase(std::unique(props.begin(), props.end()), props.end());
}

namespace {

void write_time(JsonWriter& w, std::int64_t ms) {
  char buf[24];
  write_iso_ms(buf, ms);
  w.plain_string(std::string_view(buf, 24));
}

// The two timestamps of a lead, each written twice (hs_createdate/createdAt, hs_lastmodifieddate/updatedAt):
// formatted once.
struct LeadTimes {
  char created[24];
  char updated[24];
  std::string_view created_view() const { return {created, 24}; }
  std::string_view updated_view() const { return {updated, 24}; }
};

// Writes the value of p (computed or stored) or null.
void write_value(JsonWriter& w, const Store& store, const Lead& lead, PropIndex p, const LeadTimes& times,
                 const std::optional<std::int64_t>& as_of) {
  switch (p) {
    case kPropObjectId:
      w.integer_string(lead.id);
      return;
    case kPropCreateDate:
      w.plain_string(times.created_view());
      return;
    case kPropLastModified:
      w.plain_string(times.updated_view());
      return;
    default:
      break;
  }
  const HistEntry* h = as_of ? lead.as_of(p, *as_of) : lead.current(p);
  if (h) {
    w.string(store.value(h->value));
  } else {
    w.null();
  }
}

void write_history_entry(JsonWriter& w, const Store& store, std::string_view value, std::int64_t ts,
                         SourceIndex src_index) {
  const Source& src = store.source(src_index);
  w.begin_object();
  w.quoted_key(R"("value":)");
  w.string(value);
  w.quoted_key(R"("timestamp":)");
  write_time(w, ts);
  w.quoted_key(R"("sourceType":)");
  w.string(src.type);
  if (!src.id.empty()) {
    w.quoted_key(R"("sourceId":)");
    w.string(src.id);
  }
  if (src.user_id) {
    w.quoted_key(R"("updatedByUserId":)");
    w.integer(src.user_id);
  }
  w.end_object();
}

// `","type":"lead_to_primary_contact"}` and friends, built once from the association type table.
std::string_view association_tail(ObjKind kind, std::uint8_t bit) {
  static const std::array<std::string, 6> kTails = [] {
    std::array<std::string, 6> t;
    int i = 0;
    for (ObjKind k : {ObjKind::contact, ObjKind::company})
      for (std::uint8_t b : kAssocKinds)
        t[static_cast<std::size_t>(i++)] =
            std::string(R"(","type":")") + association_type_for_bit(ObjKind::lead, k, b)->v3_name + "\"}";
    return t;
  }();
  const std::size_t b = bit == kAssocPrimary ? 0 : bit == kAssocUnlabeled ? 1 : 2;
  return kTails[(kind == ObjKind::company ? 3 : 0) + b];
}

void write_associations(JsonWriter& w, const Lead& lead, ObjKind kind) {
  bool any = false;
  for (const auto& a : lead.assocs) any |= a.kind == kind;
  if (!any) return;  // HubSpot leaves out association types without results
  w.quoted_key(kind == ObjKind::contact ? std::string_view(R"("contacts":)")
                                        : std::string_view(R"("companies":)"));
  w.begin_object();
  w.quoted_key(R"("results":)");
  w.begin_array();
  for (const auto& a : lead.assocs) {
    if (a.kind != kind) continue;
    for (std::uint8_t bit : kAssocKinds) {
      if (!(a.bits & bit)) continue;
      // {"id":"123","type":"lead_to_contact"} in one append.
      char buf[128];
      std::memcpy(buf, R"({"id":")", 7);
      auto [end, ec] = std::to_chars(buf + 7, buf + 40, a.to_id);
      (void)ec;
      const auto tail = association_tail(kind, bit);
      std::memcpy(end, tail.data(), tail.size());
      w.raw(std::string_view(buf, static_cast<std::size_t>(end - buf) + tail.size()));
    }
  }
  w.end_array();
  w.end_object();
}

}  // namespace

void write_lead(JsonWriter& w, const Store& store, const Lead& lead, const ObjectView& view) {
  const std::int64_t updated = view.as_of ? updated_as_of(lead, *view.as_of) : lead.updated_ms;
  LeadTimes times;
  write_iso_ms(times.created, lead.created_ms);
  write_iso_ms(times.updated, updated);
  w.begin_object();
  w.quoted_key(R"("id":)");
  w.integer_string(lead.id);
  w.quoted_key(R"("properties":)");
  w.begin_object();
  if (view.all_set) {
    std::vector<PropIndex> props = {kPropObjectId, kPropCreateDate, kPropLastModified};
    for (const auto& h : lead.history)
      if (std::find(props.begin(), props.end(), h.prop) == props.end()) props.push_back(h.prop);
    sort_by_name(store, props);
    for (PropIndex p : props) {
      w.quoted_key(store.json_key(p));
      write_value(w, store, lead, p, times, view.as_of);
    }
  } else {
    for (PropIndex p : view.props) {
      w.quoted_key(store.json_key(p));
      write_value(w, store, lead, p, times, view.as_of);
    }
  }
  w.end_object();
  if (!view.history.empty()) {
    w.quoted_key(R"("propertiesWithHistory":)");
    w.begin_object();
    const SourceIndex create_src = lead.history.empty() ? SourceIndex{0} : lead.history.front().source;
    for (PropIndex p : view.history) {
      if (p < kFirstStoredProp) {
        w.quoted_key(store.json_key(p));
        w.begin_array();
        std::string v;
        std::int64_t ts = lead.created_ms;
        if (p == kPropObjectId) {
          v = std::to_string(lead.id);
        } else if (p == kPropCreateDate) {
          v = format_iso_ms(lead.created_ms);
        } else {
          v = format_iso_ms(updated);
          ts = updated;
        }
        if (!lead.history.empty()) write_history_entry(w, store, v, ts, create_src);
        w.end_array();
        continue;
      }
      bool any = false;
      for (const auto& h : lead.history) any |= h.prop == p && (!view.as_of || h.ts <= *view.as_of);
      if (!any) continue;
      w.quoted_key(store.json_key(p));
      w.begin_array();
      for (auto it = lead.history.rbegin(); it != lead.history.rend(); ++it) {
        if (it->prop != p || (view.as_of && it->ts > *view.as_of)) continue;
        write_history_entry(w, store, store.value(it->value), it->ts, it->source);
      }
      w.end_array();
    }
    w.end_object();
  }
  w.quoted_key(R"("createdAt":)");
  w.plain_string(times.created_view());
  w.quoted_key(R"("updatedAt":)");
  w.plain_string(times.updated_view());
  w.quoted_key(R"("archived":)");
  const bool archived = lead.archived() && (!view.as_of || lead.archived_ms <= *view.as_of);
  w.boolean(archived);
  if (archived) {
    w.quoted_key(R"("archivedAt":)");
    write_time(w, lead.archived_ms);
  }
  if (view.assoc_contacts || view.assoc_companies) {
    bool any = false;
    for (const auto& a : lead.assocs)
      any |= (a.kind == ObjKind::contact && view.assoc_contacts) ||
             (a.kind == ObjKind::company && view.assoc_companies);
    if (any) {
      w.quoted_key(R"("associations":)");
      w.begin_object();
      if (view.assoc_contacts) write_associations(w, lead, ObjKind::contact);
      if (view.assoc_companies) write_associations(w, lead, ObjKind::company);
      w.end_object();
    }
  }
  if (!view.trace_id.empty()) {
    w.quoted_key(R"("objectWriteTraceId":)");
    w.string(view.trace_id);
  }
  if (view.is_new >= 0) {
    w.quoted_key(R"("new":)");
    w.boolean(view.is_new == 1);
  }
  w.end_object();
}

}  // namespace leadsync::fake_hubspot
