#include "store.hpp"

#include <algorithm>
#include <tuple>

#include "util.hpp"

namespace leadsync::fake_hubspot {

namespace {

// HubSpot record ids are large; starting above 2^31 catches clients that store them in 32 bits.
constexpr std::uint64_t kFirstId = 5'000'000'001;

std::string join(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += v[i];
  }
  return out + "]";
}

}  // namespace

Store::Store(std::int64_t now) {
  reset(now);
}

void Store::reset(std::int64_t now) {
  props_ = default_lead_properties(now);
  prop_index_.clear();
  json_keys_.clear();
  for (std::size_t i = 0; i < props_.size(); ++i) {
    prop_index_[props_[i].name] = static_cast<PropIndex>(i);
    json_keys_.push_back("\"" + props_[i].name + "\":");
  }
  pipelines_ = default_lead_pipelines();
  sources_.clear();
  source_index_.clear();
  values_ = ValuePool();
  leads_.clear();
  leads_.shrink_to_fit();
  contacts_.clear();
  companies_.clear();
  unique_.clear();
  changes_.clear();
  next_id_ = kFirstId;
}

std::optional<PropIndex> Store::find_property(std::string_view name) const {
  auto it = prop_index_.find(std::string(name));
  if (it == prop_index_.end()) return std::nullopt;
  return it->second;
}

PropIndex Store::add_property(PropertyDef def) {
  const auto idx = static_cast<PropIndex>(props_.size());
  prop_index_[def.name] = idx;
  if (def.has_unique_value) unique_[idx];
  json_keys_.push_back("\"" + def.name + "\":");
  props_.push_back(std::move(def));
  return idx;
}

const Pipeline* Store::find_pipeline(std::string_view id) const {
  for (const auto& p : pipelines_)
    if (p.id == id) return &p;
  return nullptr;
}

SourceIndex Store::intern_source(const Source& s) {
  auto key = std::make_tuple(s.type, s.id, s.user_id);
  if (auto it = source_index_.find(key); it != source_index_.end()) return it->second;
  const auto idx = static_cast<SourceIndex>(sources_.size());
  sources_.push_back(s);
  source_index_.emplace(std::move(key), idx);
  return idx;
}

Lead* Store::find_lead(std::uint64_t id) {
  auto it = std::lower_bound(leads_.begin(), leads_.end(), id,
                             [](const Lead& l, std::uint64_t v) { return l.id < v; });
  if (it == leads_.end() || it->id != id) return nullptr;
  return &*it;
}

std::size_t Store::lower_bound(std::uint64_t from) const {
  auto it = std::lower_bound(leads_.begin(), leads_.end(), from,
                             [](const Lead& l, std::uint64_t v) { return l.id < v; });
  return static_cast<std::size_t>(it - leads_.begin());
}

Lead* Store::find_by_unique(PropIndex prop, std::string_view value) {
  if (prop == kPropObjectId) {
    auto id = parse_uint(value);
    Lead* l = id ? find_lead(*id) : nullptr;
    return l && !l->archived() ? l : nullptr;
  }
  auto it = unique_.find(prop);
  if (it == unique_.end()) return nullptr;
  auto v = it->second.find(std::string(value));
  if (v == it->second.end()) return nullptr;
  return find_lead(v->second);
}

bool Store::dedup_values(PropIndex p) const {
  const auto t = props_[p].type;
  return t == PropType::enumeration || t == PropType::boolean;
}

std::vector<PropError> Store::validate(const PropInput& input, const Lead* existing, PropWrites& out,
                                       Claims* claims) const {
  std::vector<PropError> errors;
  out.clear();
  // The stage is checked against the pipeline written in the same request, else the current one.
  std::string pipeline = "lead-pipeline-id";
  if (existing) {
    if (const auto* h = existing->current(*find_property("hs_pipeline")); h && !value(h->value).empty())
      pipeline = std::string(value(h->value));
  }
  for (const auto& [name, v] : input)
    if (name == "hs_pipeline" && !v.empty()) pipeline = v;

  for (const auto& [name, raw] : input) {
    auto idx = find_property(name);
    if (!idx) {
      errors.push_back({name, "PROPERTY_DOESNT_EXIST", "Property \"" + name + "\" does not exist"});
      continue;
    }
    const PropertyDef& def = props_[*idx];
    if (def.read_only_value) {
      errors.push_back(
          {name, "READ_ONLY_VALUE", "\"" + name + "\" is a read only property; its value cannot be set."});
      continue;
    }
    std::string v = raw;
    if (v.empty()) {  // "" clears the value
      out.emplace_back(*idx, std::string());
      continue;
    }
    auto invalid_option = [&](const std::vector<std::string>& allowed) {
      errors.push_back({name, "INVALID_OPTION", v + " was not one of the allowed options: " + join(allowed)});
    };
    bool ok = true;
    switch (def.type) {
      case PropType::number:
        if (!parse_number(v)) {
          errors.push_back({name, "INVALID_INTEGER", v + " was not a valid number."});
          ok = false;
        }
        break;
      case PropType::date: {
        auto t = parse_time_value(v);
        if (!t) {
          errors.push_back({name, "INVALID_DATE", v + " was not a valid date."});
          ok = false;
        } else if (*t % 86'400'000 != 0) {
          const auto iso = format_iso_ms(*t);
          errors.push_back(
              {name, "INVALID_DATE", v + " is at " + iso.substr(11, 12) + " UTC, not midnight!"});
          ok = false;
        } else {
          v = format_date(*t);
        }
        break;
      }
      case PropType::datetime: {
        auto t = parse_time_value(v);
        if (!t) {
          errors.push_back({name, "INVALID_DATE", v + " was not a valid datetime."});
          ok = false;
        } else {
          v = format_iso_ms(*t);
        }
        break;
      }
      case PropType::boolean:
        if (iequals(v, "true") || iequals(v, "false")) {
          v = to_lower(v);
        } else {
          invalid_option({"true", "false"});
          ok = false;
        }
        break;
      case PropType::enumeration: {
        std::vector<std::string> allowed;
        if (def.external == ExternalOptions::pipeline) {
          for (const auto& p : pipelines_) allowed.push_back(p.id);
        } else if (def.external == ExternalOptions::pipeline_stage) {
          if (const auto* p = find_pipeline(pipeline))
            for (const auto& s : p->stages) allowed.push_back(s.id);
        } else if (def.external == ExternalOptions::owner) {
          // Owners are not modelled: any positive integer stands for a user with a seat.
          if (!parse_uint(v) || v[0] == '0') {
            errors.push_back({name, "INVALID_OPTION", v + " is not a valid owner id"});
            ok = false;
          }
          break;
        } else {
          for (const auto& o : def.options) allowed.push_back(o.value);
        }
        auto allowed_has = [&](std::string_view x) {
          return std::find(allowed.begin(), allowed.end(), x) != allowed.end();
        };
        if (def.field_type == "checkbox") {
          for (auto piece : split(v, ';'))
            if (!allowed_has(piece)) ok = false;
        } else {
          ok = allowed_has(v);
        }
        if (!ok) invalid_option(allowed);
        break;
      }
      case PropType::string:
      case PropType::phone_number:
        break;
    }
    if (!ok) continue;
    if (def.has_unique_value) {
      auto uit = unique_.find(*idx);
      if (uit != unique_.end()) {
        auto hit = uit->second.find(v);
        if (hit != uit->second.end() && (!existing || hit->second != existing->id)) {
          errors.push_back(
              {name, "VALUE_NOT_UNIQUE",
               std::to_string(hit->second) + " already has that value for unique property " + name});
          continue;
        }
      }
      if (claims) {
        auto key = std::make_pair(*idx, v);
        if (claims->count(key)) {
          errors.push_back(
              {name, "VALUE_NOT_UNIQUE",
               "another input of this batch already has that value for unique property " + name});
          continue;
        }
        claims->insert(std::move(key));
      }
    }
    out.emplace_back(*idx, std::move(v));
  }
  return errors;
}

void Store::index_unique(PropIndex prop, std::string_view value, std::uint64_t id) {
  if (value.empty()) return;
  auto it = unique_.find(prop);
  if (it != unique_.end()) it->second[std::string(value)] = id;
}

void Store::unindex_unique(PropIndex prop, std::string_view value, std::uint64_t id) {
  auto it = unique_.find(prop);
  if (it == unique_.end()) return;
  auto v = it->second.find(std::string(value));
  if (v != it->second.end() && v->second == id) it->second.erase(v);
}

Lead& Store::create_lead(const PropWrites& writes, const std::vector<AssocRequest>& assocs, SourceIndex src,
                         std::int64_t now) {
  Lead lead;
  lead.id = next_id();
  lead.created_ms = now;
  lead.updated_ms = now;
  bool has_pipeline = false, has_stage = false;
  const PropIndex pipe = *find_property("hs_pipeline"), stage = *find_property("hs_pipeline_stage");
  for (const auto& [p, v] : writes) {
    if (v.empty()) continue;
    has_pipeline |= p == pipe;
    has_stage |= p == stage;
    lead.history.push_back({now, values_.add(v, dedup_values(p)), p, src});
  }
  // New leads land in the default pipeline's first stage unless told otherwise.
  if (!has_pipeline) lead.history.push_back({now, values_.add("lead-pipeline-id", true), pipe, src});
  if (!has_stage) lead.history.push_back({now, values_.add("new-stage-id", true), stage, src});
  leads_.push_back(std::move(lead));
  Lead& stored = leads_.back();
  record({ChangeKind::creation, stored.id, now, src});
  for (const auto& h : stored.history) record({ChangeKind::property, stored.id, now, src, h.prop, h.value});
  for (const auto& [p, v] : writes)
    if (props_[p].has_unique_value) index_unique(p, v, stored.id);
  for (const auto& a : assocs) associate(stored, a.kind, a.to_id, a.bits);
  return stored;
}

bool Store::update_lead(Lead& lead, const PropWrites& writes, SourceIndex src, std::int64_t now) {
  bool changed = false;
  for (const auto& [p, v] : writes) {
    const HistEntry* cur = lead.current(p);
    const std::string_view old = cur ? value(cur->value) : std::string_view();
    if (cur ? old == v : v.empty()) continue;
    if (props_[p].has_unique_value) {
      if (cur) unindex_unique(p, old, lead.id);
      if (!lead.archived()) index_unique(p, v, lead.id);
    }
    lead.history.push_back({now, values_.add(v, dedup_values(p)), p, src});
    record({ChangeKind::property, lead.id, now, src, p, lead.history.back().value});
    changed = true;
  }
  if (changed) lead.updated_ms = std::max(lead.updated_ms, now);
  return changed;
}

void Store::archive_lead(Lead& lead, std::int64_t now) {
  if (lead.archived()) return;
  lead.archived_ms = now;
  record({ChangeKind::deletion, lead.id, now, change_source_});
  // An archived record no longer holds its unique values.
  for (auto& [prop, index] : unique_) {
    if (const auto* h = lead.current(prop)) unindex_unique(prop, value(h->value), lead.id);
  }
}

CrmObject* Store::find_object(ObjKind kind, std::uint64_t id) {
  auto& m = kind == ObjKind::contact ? contacts_ : companies_;
  auto it = m.find(id);
  return it == m.end() ? nullptr : &it->second;
}

const std::map<std::uint64_t, CrmObject>& Store::objects(ObjKind kind) const {
  return kind == ObjKind::contact ? contacts_ : companies_;
}

std::size_t Store::object_count(ObjKind kind) const {
  return objects(kind).size();
}

CrmObject& Store::create_object(ObjKind kind, std::vector<std::pair<std::string, std::string>> props,
                                std::int64_t now) {
  CrmObject o;
  o.id = next_id();
  o.kind = kind;
  o.created_ms = now;
  o.updated_ms = now;
  o.properties = std::move(props);
  auto& m = kind == ObjKind::contact ? contacts_ : companies_;
  return m.emplace(o.id, std::move(o)).first->second;
}

bool Store::delete_object(ObjKind kind, std::uint64_t id, std::int64_t now) {
  CrmObject* o = find_object(kind, id);
  if (!o) return false;
  const auto leads = o->leads;
  for (auto lead_id : leads)
    if (Lead* l = find_lead(lead_id)) dissociate(*l, kind, id, kAssocPrimary | kAssocUnlabeled, now);
  auto& m = kind == ObjKind::contact ? contacts_ : companies_;
  m.erase(id);
  return true;
}

void Store::associate(Lead& lead, ObjKind kind, std::uint64_t to, std::uint8_t bits) {
  bits |= kAssocUnlabeled;
  if (bits & kAssocPrimary) {
    for (auto& a : lead.assocs)
      if (a.kind == kind && a.to_id != to) a.bits &= static_cast<std::uint8_t>(~kAssocPrimary);
  }
  for (auto& a : lead.assocs) {
    if (a.kind == kind && a.to_id == to) {
      record_assoc(lead, kind, to, static_cast<std::uint8_t>(bits & ~a.bits), false);
      a.bits |= bits;
      return;
    }
  }
  lead.assocs.push_back({to, kind, bits});
  record_assoc(lead, kind, to, bits, false);
  if (CrmObject* o = find_object(kind, to)) o->leads.push_back(lead.id);
}

void Store::remove_pair(Lead& lead, std::size_t index) {
  const LeadAssoc a = lead.assocs[index];
  record_assoc(lead, a.kind, a.to_id, a.bits, true);
  lead.assocs.erase(lead.assocs.begin() + static_cast<std::ptrdiff_t>(index));
  if (CrmObject* o = find_object(a.kind, a.to_id)) {
    auto it = std::find(o->leads.begin(), o->leads.end(), lead.id);
    if (it != o->leads.end()) o->leads.erase(it);
  }
}

void Store::record_assoc(const Lead& lead, ObjKind kind, std::uint64_t to, std::uint8_t bits, bool removed) {
  if (!recording_) return;
  for (std::uint8_t bit : kAssocKinds) {
    if (!(bits & bit)) continue;
    Change c{ChangeKind::association, lead.id, now_ms(), change_source_};
    c.other = kind;
    c.other_id = to;
    c.bit = bit;
    c.removed = removed;
    changes_.push_back(c);
  }
}

bool Store::set_labels(Lead& lead, ObjKind kind, std::uint64_t to, std::uint8_t bits, std::int64_t now) {
  const std::uint8_t before = lead.assoc_bits(kind, to);
  associate(lead, kind, to, bits);
  // Labels not sent again are dropped; the unlabeled kind stays as long as the pair does.
  const auto dropped = static_cast<std::uint8_t>(before & ~bits & ~kAssocUnlabeled);
  if (dropped) return dissociate(lead, kind, to, dropped, now);
  return false;
}

bool Store::dissociate(Lead& lead, ObjKind kind, std::uint64_t to, std::uint8_t bits, std::int64_t now) {
  bool removed = false;
  for (std::size_t i = 0; i < lead.assocs.size(); ++i) {
    auto& a = lead.assocs[i];
    if (a.kind != kind || a.to_id != to) continue;
    if (bits & kAssocUnlabeled) {
      // Deleting the unlabeled association deletes every labeled one of the pair too.
      remove_pair(lead, i);
      removed = true;
    } else if (a.bits & bits) {
      record_assoc(lead, kind, to, static_cast<std::uint8_t>(a.bits & bits), true);
      a.bits &= static_cast<std::uint8_t>(~bits);
      removed = true;
    }
    break;
  }
  if (removed && !lead.archived() && !lead.has_primary()) {
    // "If you remove all primary associations to the lead, the lead will automatically be deleted."
    archive_lead(lead, now);
    return true;
  }
  return false;
}

void Store::seed(std::size_t n, std::int64_t now) {
  if (n == 0) return;
  const std::size_t n_contacts =
      std::min<std::size_t>(std::max(n / 100, std::min<std::size_t>(n, 10)), 10'000);
  const std::size_t n_companies = std::max<std::size_t>(1, n_contacts / 5);
  // Spread creation times over the past so time-window searches have something to chew on.
  const std::int64_t step = 1000;
  const std::int64_t start = now - static_cast<std::int64_t>(n + 1) * step;
  static const char* kFirst[] = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"};
  static const char* kLast[] = {"Lovelace", "Hopper", "Turing", "Dijkstra",
                                "Liskov",   "Knuth",  "Allen",  "Thompson"};
  std::vector<std::uint64_t> contacts, companies;
  for (std::size_t i = 0; i < n_contacts; ++i) {
    const std::string first = kFirst[i % 8], last = kLast[(i / 8) % 8];
    auto& c = create_object(
        ObjKind::contact,
        {{"firstname", first},
         {"lastname", last},
         {"email", to_lower(first) + "." + to_lower(last) + "." + std::to_string(i) + "@example.com"}},
        start - 1000);
    contacts.push_back(c.id);
  }
  for (std::size_t i = 0; i < n_companies; ++i) {
    auto& c = create_object(ObjKind::company,
                            {{"name", "Demo Company " + std::to_string(i + 1)},
                             {"domain", "company" + std::to_string(i + 1) + ".example.com"}},
                            start - 1000);
    companies.push_back(c.id);
  }
  const SourceIndex src = intern_source({"IMPORT", "fake-hubspot-seed", 0});
  const PropIndex p_name = *find_property("hs_lead_name"), p_type = *find_property("hs_lead_type"),
                  p_label = *find_property("hs_lead_label"), p_pipe = *find_property("hs_pipeline"),
                  p_stage = *find_property("hs_pipeline_stage");
  const ValueHandle types[] = {values_.add("NEW_BUSINESS", true), values_.add("EXISTING_BUSINESS", true)};
  const ValueHandle labels[] = {values_.add("HOT", true), values_.add("WARM", true),
                                values_.add("COLD", true)};
  const ValueHandle pipe = values_.add("lead-pipeline-id", true);
  std::vector<ValueHandle> stages;
  for (const auto& s : pipelines_.front().stages) stages.push_back(values_.add(s.id, true));
  for (std::size_t i = 0; i < n; ++i) {
    Lead lead;
    lead.id = next_id();
    lead.created_ms = lead.updated_ms = start + static_cast<std::int64_t>(i) * step;
    const auto ts = lead.created_ms;
    lead.history.push_back({ts, values_.add("Demo Lead " + std::to_string(i + 1), false), p_name, src});
    lead.history.push_back({ts, types[i % 2], p_type, src});
    lead.history.push_back({ts, labels[i % 3], p_label, src});
    lead.history.push_back({ts, pipe, p_pipe, src});
    lead.history.push_back({ts, stages[i % stages.size()], p_stage, src});
    const auto contact = contacts[i % contacts.size()], company = companies[i % companies.size()];
    lead.assocs.push_back({contact, ObjKind::contact, kAssocPrimary | kAssocUnlabeled});
    lead.assocs.push_back({company, ObjKind::company, kAssocPrimary | kAssocUnlabeled});
    contacts_[contact].leads.push_back(lead.id);
    companies_[company].leads.push_back(lead.id);
    leads_.push_back(std::move(lead));
  }
}

}  // namespace leadsync::fake_hubspot
