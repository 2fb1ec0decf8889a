// POST /crm/v3/objects/leads/search: filters, one sort, numeric offset paging, the 10,000-result cap,
// and an index that lags behind writes by --search-lag-ms (values are read as of now - lag).
#include <algorithm>
#include <cctype>

#include "app.hpp"

namespace leadsync::fake_hubspot {

namespace {

constexpr std::int64_t kMaxResults = 10'000;
constexpr std::int64_t kMaxLimit = 200;
constexpr std::size_t kMaxGroups = 5;
constexpr std::size_t kMaxFiltersPerGroup = 6;
constexpr std::size_t kMaxFilters = 18;

enum class Op { eq, neq, lt, lte, gt, gte, between, in, not_in, has, not_has, contains, not_contains };

std::optional<Op> parse_op(const std::string& s) {
  static const std::pair<const char*, Op> kOps[] = {{"EQ", Op::eq},
                                                    {"NEQ", Op::neq},
                                                    {"LT", Op::lt},
                                                    {"LTE", Op::lte},
                                                    {"GT", Op::gt},
                                                    {"GTE", Op::gte},
                                                    {"BETWEEN", Op::between},
                                                    {"IN", Op::in},
                                                    {"NOT_IN", Op::not_in},
                                                    {"HAS_PROPERTY", Op::has},
                                                    {"NOT_HAS_PROPERTY", Op::not_has},
                                                    {"CONTAINS_TOKEN", Op::contains},
                                                    {"NOT_CONTAINS_TOKEN", Op::not_contains}};
  for (const auto& [name, op] : kOps)
    if (s == name) return op;
  return std::nullopt;
}

struct Filter {
  bool assoc = false;
  ObjKind assoc_kind = ObjKind::contact;
  PropIndex prop = 0;
  bool numeric = false;
  bool exact = false;  // enumeration: case-sensitive
  bool multi = false;  // multi-select checkbox: values joined with ';'
  Op op = Op::eq;
  std::string value, high;
  std::vector<std::string> values;
  double num = 0, num_high = 0;
  std::vector<double> nums;
};

bool is_time_prop(const PropertyDef& d) {
  return d.type == PropType::date || d.type == PropType::datetime;
}

std::optional<double> to_number(std::string_view text, bool time) {
  if (time) {
    auto t = parse_time_value(text);
    if (!t) return std::nullopt;
    return static_cast<double>(*t);
  }
  return parse_number(text);
}

std::string json_text(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::vector<std::string> string_list_of(const nlohmann::json& body, const char* key) {
  std::vector<std::string> out;
  if (!body.contains(key) || !body[key].is_array()) return out;
  for (const auto& v : body[key])
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

bool wildcard_match(std::string_view pattern, std::string_view text) {
  // '*' matches any run of characters; iterative with backtracking to the last star.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool contains_token(std::string_view value, const std::string& pattern_lower) {
  const std::string v = to_lower(value);
  if (wildcard_match(pattern_lower, v)) return true;
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && !std::isalnum(static_cast<unsigned char>(v[i]))) ++i;
    std::size_t j = i;
    while (j < v.size() && std::isalnum(static_cast<unsigned char>(v[j]))) ++j;
    if (j > i && wildcard_match(pattern_lower, std::string_view(v).substr(i, j - i))) return true;
    i = j;
  }
  return false;
}

class Evaluator {
 public:
  Evaluator(const Store& store, std::int64_t cutoff) : store_(store), cutoff_(cutoff) {}

  // Value of p as the index saw it; nullopt when unset or empty.
  std::optional<std::string_view> text(const Lead& l, PropIndex p) {
    switch (p) {
      case kPropObjectId:
        scratch_ = std::to_string(l.id);
        return scratch_;
      case kPropCreateDate:
        scratch_ = format_iso_ms(l.created_ms);
        return scratch_;
      case kPropLastModified:
        scratch_ = format_iso_ms(updated_as_of(l, cutoff_));
        return scratch_;
      default:
        break;
    }
    const HistEntry* h = l.as_of(p, cutoff_);
    if (!h) return std::nullopt;
    auto v = store_.value(h->value);
    if (v.empty()) return std::nullopt;
    return v;
  }

  std::optional<double> number(const Lead& l, PropIndex p) {
    switch (p) {
      case kPropObjectId:
        return static_cast<double>(l.id);
      case kPropCreateDate:
        return static_cast<double>(l.created_ms);
      case kPropLastModified:
        return static_cast<double>(updated_as_of(l, cutoff_));
      default:
        break;
    }
    auto t = text(l, p);
    if (!t) return std::nullopt;
    return to_number(*t, is_time_prop(store_.property(p)));
  }

  bool match(const Lead& l, const Filter& f) {
    if (f.assoc) return match_assoc(l, f);
    if (f.op == Op::has || f.op == Op::not_has) return text(l, f.prop).has_value() == (f.op == Op::has);
    if (f.numeric) {
      auto x = number(l, f.prop);
      switch (f.op) {
        case Op::eq:
          return x && *x == f.num;
        case Op::neq:
          return !x || *x != f.num;
        case Op::lt:
          return x && *x < f.num;
        case Op::lte:
          return x && *x <= f.num;
        case Op::gt:
          return x && *x > f.num;
        case Op::gte:
          return x && *x >= f.num;
        case Op::between:
          return x && *x >= f.num && *x <= f.num_high;
        case Op::in:
          return x && std::find(f.nums.begin(), f.nums.end(), *x) != f.nums.end();
        case Op::not_in:
          return !x || std::find(f.nums.begin(), f.nums.end(), *x) == f.nums.end();
        case Op::contains:
        case Op::not_contains: {
          auto t = text(l, f.prop);
          const bool hit = t && contains_token(*t, to_lower(f.value));
          return f.op == Op::contains ? hit : !hit;
        }
        default:
          return false;
      }
    }
    auto t = text(l, f.prop);
    std::vector<std::string_view> parts;
    if (t) {
      if (f.multi) {
        parts = split(*t, ';');
      } else {
        parts = {*t};
      }
    }
    auto eq = [&](std::string_view a, std::string_view b) { return f.exact ? a == b : iequals(a, b); };
    auto any = [&](auto pred) { return std::any_of(parts.begin(), parts.end(), pred); };
    switch (f.op) {
      case Op::eq:
        return any([&](std::string_view p) { return eq(p, f.value); });
      case Op::neq:
        return !any([&](std::string_view p) { return eq(p, f.value); });
      case Op::in:
      case Op::not_in: {
        // String IN values must be lower case (HubSpot lower-cases the stored value, not the filter).
        const bool hit = any([&](std::string_view p) {
          const std::string x = f.exact ? std::string(p) : to_lower(p);
          return std::find(f.values.begin(), f.values.end(), x) != f.values.end();
        });
        return f.op == Op::in ? hit : !hit;
      }
      case Op::lt:
        return t && to_lower(*t) < to_lower(f.value);
      case Op::lte:
        return t && to_lower(*t) <= to_lower(f.value);
      case Op::gt:
        return t && to_lower(*t) > to_lower(f.value);
      case Op::gte:
        return t && to_lower(*t) >= to_lower(f.value);
      case Op::between:
        return t && to_lower(*t) >= to_lower(f.value) && to_lower(*t) <= to_lower(f.high);
      case Op::contains:
      case Op::not_contains: {
        const bool hit = t && contains_token(*t, to_lower(f.value));
        return f.op == Op::contains ? hit : !hit;
      }
      default:
        return false;
    }
  }

 private:
  bool match_assoc(const Lead& l, const Filter& f) {
    bool hit = false, any = false;
    for (const auto& a : l.assocs) {
      if (a.kind != f.assoc_kind) continue;
      any = true;
      const std::string id = std::to_string(a.to_id);
      switch (f.op) {
        case Op::eq:
        case Op::neq:
          hit |= id == f.value;
          break;
        case Op::in:
        case Op::not_in:
          hit |= std::find(f.values.begin(), f.values.end(), id) != f.values.end();
          break;
        default:
          break;
      }
    }
    switch (f.op) {
      case Op::eq:
      case Op::in:
        return hit;
      case Op::neq:
      case Op::not_in:
        return !hit;
      case Op::has:
        return any;
      case Op::not_has:
        return !any;
      default:
        return false;
    }
  }

  const Store& store_;
  std::int64_t cutoff_;
  std::string scratch_;
};

}  // namespace

HttpResponse App::h_search(Ctx& ctx) {
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  if (!body->is_object())
    return error(ctx, 400, "VALIDATION_ERROR", "Invalid input JSON: expected an object");
  auto bad = [&](std::string msg) { return error(ctx, 400, "VALIDATION_ERROR", std::move(msg)); };

  std::int64_t limit = 10;
  if (body->contains("limit") && !(*body)["limit"].is_null()) {
    const auto& l = (*body)["limit"];
    auto n =
        l.is_number_integer() ? std::optional<std::int64_t>(l.get<std::int64_t>()) : parse_int(json_text(l));
    if (!n || *n < 0) return bad("limit must be a non-negative integer");
    if (*n > kMaxLimit) return bad("Invalid limit: " + std::to_string(*n) + ". The maximum limit is 200.");
    limit = *n;
  }
  std::int64_t after = 0;
  if (body->contains("after") && !(*body)["after"].is_null()) {
    const std::string a = json_text((*body)["after"]);
    if (!a.empty()) {
      auto n = parse_int(a);
      if (!n || *n < 0)
        return bad("Invalid after: " + a + ". It must be the numeric offset from paging.next.after.");
      after = *n;
    }
  }
  if (after >= kMaxResults)
    return bad(
        "The search endpoints are limited to 10,000 total results for any given query. Requested offset " +
        std::to_string(after) + " is past that limit.");
  std::string query;
  if (body->contains("query") && (*body)["query"].is_string()) {
    query = to_lower((*body)["query"].get<std::string>());
    if (query.size() > 3000) return bad("query must be at most 3000 characters");
  }

  // ---- filters --------------------------------------------------------------------------------
  std::vector<std::vector<Filter>> groups;
  std::size_t total_filters = 0;
  if (body->contains("filterGroups") && !(*body)["filterGroups"].is_null()) {
    const auto& fg = (*body)["filterGroups"];
    if (!fg.is_array()) return bad("filterGroups must be an array");
    if (fg.size() > kMaxGroups)
      return bad("Too many filter groups: " + std::to_string(fg.size()) + ". The maximum is 5.");
    for (const auto& g : fg) {
      if (!g.is_object() || !g.contains("filters") || !g["filters"].is_array())
        return bad("each filter group needs filters");
      const auto& fs = g["filters"];
      if (fs.size() > kMaxFiltersPerGroup)
        return bad("Too many filters in a group: " + std::to_string(fs.size()) + ". The maximum is 6.");
      total_filters += fs.size();
      std::vector<Filter> group;
      for (const auto& fj : fs) {
        Filter f;
        if (!fj.is_object() || !fj.contains("propertyName") || !fj["propertyName"].is_string() ||
            !fj.contains("operator") || !fj["operator"].is_string())
          return bad("each filter needs propertyName and operator");
        const std::string name = fj["propertyName"].get<std::string>();
        auto op = parse_op(fj["operator"].get<std::string>());
        if (!op) return bad("Unknown filter operator: " + fj["operator"].get<std::string>());
        f.op = *op;
        if (name.rfind("associations.", 0) == 0) {
          auto k = parse_object_type(name.substr(13));
          if (!k || *k == ObjKind::lead) return bad("Unknown association pseudo-property: " + name);
          f.assoc = true;
          f.assoc_kind = *k;
        } else {
          auto p = store_.find_property(name);
          if (!p) return bad("There was a problem with the request: property " + name + " does not exist");
          f.prop = *p;
          const auto& def = store_.property(*p);
          f.numeric = *p < kFirstStoredProp || def.type == PropType::number || is_time_prop(def);
          f.exact = def.type == PropType::enumeration;
          f.multi = def.field_type == "checkbox";
        }
        const bool needs_value =
            f.op != Op::has && f.op != Op::not_has && f.op != Op::in && f.op != Op::not_in;
        if (needs_value) {
          if (!fj.contains("value") || fj["value"].is_null())
            return bad("Filter on " + name + " needs a value");
          f.value = json_text(fj["value"]);
        }
        if (f.op == Op::between) {
          if (!fj.contains("highValue") || fj["highValue"].is_null())
            return bad("BETWEEN on " + name + " needs highValue");
          f.high = json_text(fj["highValue"]);
        }
        if (f.op == Op::in || f.op == Op::not_in) {
          if (!fj.contains("values") || !fj["values"].is_array())
            return bad("IN/NOT_IN on " + name + " needs values");
          for (const auto& v : fj["values"]) f.values.push_back(json_text(v));
        }
        if (f.numeric && !f.assoc && f.op != Op::contains && f.op != Op::not_contains) {
          const bool time = f.prop == kPropCreateDate || f.prop == kPropLastModified ||
                            is_time_prop(store_.property(f.prop));
          auto conv = [&](const std::string& s) { return to_number(s, time); };
          if (needs_value) {
            auto n = conv(f.value);
            if (!n) return bad("Invalid value for " + name + ": " + f.value);
            f.num = *n;
          }
          if (f.op == Op::between) {
            auto n = conv(f.high);
            if (!n) return bad("Invalid highValue for " + name + ": " + f.high);
            f.num_high = *n;
          }
          for (const auto& v : f.values) {
            auto n = conv(v);
            if (!n) return bad("Invalid value for " + name + ": " + v);
            f.nums.push_back(*n);
          }
        }
        group.push_back(std::move(f));
      }
      groups.push_back(std::move(group));
    }
  }
  if (total_filters > kMaxFilters)
    return bad("Too many filters: " + std::to_string(total_filters) +
               ". The maximum is 18 across all groups.");

  // ---- sort (only the first is honoured) ----------------------------------------------------------
  std::optional<PropIndex> sort_prop;
  bool descending = false;
  if (body->contains("sorts") && (*body)["sorts"].is_array() && !(*body)["sorts"].empty()) {
    const auto& s = (*body)["sorts"][0];
    std::string name;
    if (s.is_string()) {
      name = s.get<std::string>();
      if (!name.empty() && name[0] == '-') {
        descending = true;
        name.erase(0, 1);
      }
    } else if (s.is_object() && s.contains("propertyName") && s["propertyName"].is_string()) {
      name = s["propertyName"].get<std::string>();
      descending = s.value("direction", std::string("ASCENDING")) == "DESCENDING";
    } else {
      return bad("sorts must be property names or {propertyName, direction} objects");
    }
    auto p = store_.find_property(name);
    if (!p) return bad("There was a problem with the request: cannot sort by unknown property " + name);
    sort_prop = *p;
  }

  std::vector<std::string> props;
  for (const auto& p : string_list_of(*body, "properties")) props.push_back(p);

  // ---- evaluate against the (lagging) index ------------------------------------------------------
  const std::int64_t cutoff = ctx.now - limiter_.config.search_lag_ms;
  Evaluator ev(store_, cutoff);
  const PropIndex name_prop = *store_.find_property("hs_lead_name");
  std::vector<const Lead*> hits;
  for (const auto& lead : store_.leads()) {
    if (lead.created_ms > cutoff) continue;
    if (lead.archived() && lead.archived_ms <= cutoff) continue;  // archived objects never appear in search
    if (!query.empty()) {
      auto n = ev.text(lead, name_prop);
      if (!n || to_lower(*n).find(query) == std::string::npos) continue;
    }
    bool ok = groups.empty();
    for (const auto& g : groups) {
      bool all = true;
      for (const auto& f : g) {
        if (!ev.match(lead, f)) {
          all = false;
          break;
        }
      }
      if (all) {
        ok = true;
        break;
      }
    }
    if (ok) hits.push_back(&lead);
  }
  const auto total = static_cast<std::int64_t>(hits.size());
  // Only the requested page needs ordering: partial_sort the first min(after + limit, 10,000) hits.
  const auto wanted = static_cast<std::size_t>(std::min({after + limit, total, kMaxResults}));
  if (sort_prop) {
    const auto& def = store_.property(*sort_prop);
    const bool numeric = *sort_prop < kFirstStoredProp || def.type == PropType::number || is_time_prop(def);
    // Unset values sort lowest; ties keep creation (id) order.
    auto order = [&](const auto& a, const auto& b) {
      if (a.key != b.key) return descending ? b.key < a.key : a.key < b.key;
      return a.lead->id < b.lead->id;
    };
    if (numeric) {
      struct Keyed {
        std::optional<double> key;
        const Lead* lead;
      };
      std::vector<Keyed> keyed;
      keyed.reserve(hits.size());
      for (const Lead* l : hits) keyed.push_back({ev.number(*l, *sort_prop), l});
      std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(wanted), keyed.end(),
                        order);
      for (std::size_t i = 0; i < wanted; ++i) hits[i] = keyed[i].lead;
    } else {
      struct Keyed {
        std::optional<std::string> key;
        const Lead* lead;
      };
      std::vector<Keyed> keyed;
      keyed.reserve(hits.size());
      for (const Lead* l : hits) {
        auto t = ev.text(*l, *sort_prop);
        keyed.push_back({t ? std::optional<std::string>(to_lower(*t)) : std::nullopt, l});
      }
      std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(wanted), keyed.end(),
                        order);
      for (std::size_t i = 0; i < wanted; ++i) hits[i] = keyed[i].lead;
    }
  }

  const auto end = static_cast<std::int64_t>(wanted);
  ObjectView view = read_view(props, {}, {});
  if (props.empty()) view.props = {kPropObjectId, kPropCreateDate, kPropLastModified};
  sort_by_name(store_, view.props);
  view.as_of = cutoff;
  std::string out = "{\"total\":" + std::to_string(total) + ",\"results\":";
  JsonWriter w(out);
  w.begin_array();
  for (std::int64_t i = after; i < end; ++i) write_lead(w, store_, *hits[static_cast<std::size_t>(i)], view);
  w.end_array();
  if (end < total && end < kMaxResults && limit > 0) {
    out += R"(,"paging":{"next":{"after":")" + std::to_string(end) + "\"}}";
  }
  out += "}";
  return json(200, std::move(out));
}

}  // namespace leadsync::fake_hubspot
