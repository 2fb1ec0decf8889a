// World::check(): reads both sides after quiescence and compares them with each other and with the history.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>
#include <sstream>

#include "world.hpp"

namespace leadsync::convergence {

namespace {

constexpr const char* kLeadsyncAppId = "1234002";  // fake-hubspot's app id of the second --token
const std::vector<std::string> kProperties = {"hs_lead_name", "hs_lead_label", "hs_lead_type"};

Value norm(const Value& v) {
  return v && !v->empty() ? v : std::nullopt;
}
std::string show(const Value& v) {
  return v ? "'" + *v + "'" : "NULL";
}

Value json_value(const json& j) {
  if (!j.is_string()) return std::nullopt;
  return norm(j.get<std::string>());
}

struct LocalRow {
  long id = 0;
  Value hubspot_id;
  std::string sync_key;
  std::map<std::string, Value> values;
  bool archived = false;
  std::string status, error;
  std::set<std::string> associations;  // "contacts/<id>/<type>"
};

struct RemoteLead {
  std::string id;
  json state;  // GET /_fake/leads/{id}
  bool archived = false;
  std::map<std::string, Value> values;
  Value unique_key;
  std::set<std::string> associations;  // mapped types only
  std::set<std::string> unmapped;      // "contacts/<id>": pairs with a USER_DEFINED label (101-104)
};

struct ConflictRow {
  std::string hubspot_id, property, policy, resolution;
  Value local_value, remote_value;
  long long local_ms = 0, remote_ms = 0;  // 0 = unknown
  bool open = false;
};

long long parse_iso_ms(const std::string& s) {
  // 2026-01-01T00:00:00.123Z
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &ms) < 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<long long>(timegm(&tm)) * 1000 + ms;
}

}  // namespace

long long killed_cycle_end(long long row_start_ms, const std::vector<RunLog>& runs) {
  // The first match: every later run ends after the row's start as well, and taking the last one stretched a
  // killed full sweep over the runs after it (convergence seed 994: a HubSpot association round trip two runs
  // later was taken for one that cycle saw).
  for (const auto& run : runs)
    if (row_start_ms >= run.start_ms - 1000 && row_start_ms <= run.end_ms) return run.end_ms;
  return std::numeric_limits<long long>::max();
}

std::vector<std::string> World::check() {
  ++op_;
  log("checking invariants");
  const std::size_t violations_before = violations_.size();

  // ---- both sides, as they are now ----
  std::map<std::string, RemoteLead> remote;  // every lead HubSpot has, archived ones included
  for (const bool archived : {false, true}) {
    std::string after;
    for (;;) {
      std::string target = "/crm/v3/objects/leads?limit=100&properties=hs_lead_name";
      if (archived) target += "&archived=true";
      if (!after.empty()) target += "&after=" + after;
      int status = 0;
      auto page = api("GET", target, nullptr, &status);
      if (status != 200) {
        violation("listing HubSpot's leads failed: HTTP " + std::to_string(status));
        return violations_;
      }
      for (const auto& o : page["results"])
        remote[o["id"].get<std::string>()].id = o["id"].get<std::string>();
      if (!page.contains("paging")) break;
      after = page["paging"]["next"]["after"].get<std::string>();
    }
  }
  for (auto& [id, r] : remote) {
    r.state = admin("GET", "/_fake/leads/" + id);
    r.archived = r.state.value("archived", false);
    for (const auto& p : kProperties) r.values[p] = json_value(r.state["properties"][p]);
    r.unique_key = json_value(r.state["properties"]["leadsync_key"]);
    for (const auto* type : {"contacts", "companies"})
      if (r.state["associations"].contains(type))
        for (const auto& a : r.state["associations"][type])
          for (const auto& t : a["types"]) {
            const int type_id = t.get<int>();
            const std::string pair = std::string(type) + "/" + a["id"].get<std::string>();
            if (type_id >= 101 && type_id <= 104)
              r.unmapped.insert(pair);
            else
              r.associations.insert(pair + "/" + std::to_string(type_id));
          }
  }
  std::map<long, LocalRow> local;
  for (const auto& row :
       sql("SELECT id, hubspot_id, sync_key::text, lead_name, lead_label, lead_type, archived, "
           "coalesce(sync_status, ''), coalesce(sync_error, '') FROM leads ORDER BY id")) {
    LocalRow l;
    l.id = row[0].as<long>();
    if (!row[1].is_null()) l.hubspot_id = row[1].c_str();
    l.sync_key = row[2].c_str();
    for (std::size_t i = 0; i < kProperties.size(); ++i) {
      const auto& f = row[static_cast<int>(3 + i)];
      l.values[kProperties[i]] = f.is_null() ? Value() : norm(Value(f.c_str()));
    }
    l.archived = row[6].as<bool>();
    l.status = row[7].c_str();
    l.error = row[8].c_str();
    local[l.id] = std::move(l);
  }
  for (const auto& row :
       sql("SELECT lead_id, to_object_type, to_object_id, association_type_id FROM leads_associations"))
    if (auto it = local.find(row[0].as<long>()); it != local.end())
      it->second.associations.insert(std::string(row[1].c_str()) + "/" + row[2].c_str() + "/" +
                                     row[3].c_str());
  std::map<long, std::vector<std::string>> failed;  // lead id -> FAILED changes
  for (const auto& row :
       sql("SELECT lead_id, op, coalesce(last_error, '') FROM leadsync.changes WHERE state = 'FAILED'"))
    failed[row[0].as<long>()].push_back(std::string(row[1].c_str()) + ": " + row[2].c_str());
  std::vector<ConflictRow> conflicts;
  for (const auto& row :
       sql("SELECT coalesce(hubspot_id, ''), property, policy, coalesce(resolution, ''), local_value, "
           "remote_value, coalesce((extract(epoch FROM local_changed_at) * 1000)::bigint, 0), "
           "coalesce((extract(epoch FROM remote_changed_at) * 1000)::bigint, 0), resolved_at IS NULL "
           "FROM leadsync.conflicts ORDER BY id")) {
    ConflictRow c;
    c.hubspot_id = row[0].c_str();
    c.property = row[1].c_str();
    c.policy = row[2].c_str();
    c.resolution = row[3].c_str();
    if (!row[4].is_null()) c.local_value = norm(Value(row[4].c_str()));
    if (!row[5].is_null()) c.remote_value = norm(Value(row[5].c_str()));
    c.local_ms = row[6].as<long long>();
    c.remote_ms = row[7].as<long long>();
    c.open = std::string(row[8].c_str()) == "t";
    conflicts.push_back(std::move(c));
  }
  // The cycles that read HubSpot's associations (a full sweep, or the association sweep: every incremental
  // cycle when it runs every time, else only until a full sweep has set its clock), as [start, end] in ms. A
  // killed cycle never finished: it ended at the latest with the driver's run that contained it.
  std::vector<std::pair<long long, long long>> association_reads;
  bool full_done = false;
  for (const auto& row :
       sql("SELECT mode, status, (extract(epoch FROM started_at) * 1000)::bigint, "
           "(extract(epoch FROM finished_at) * 1000)::bigint FROM leadsync.runs ORDER BY id")) {
    const std::string mode = row[0].c_str();
    const long long start = row[2].as<long long>();
    const long long end = row[3].is_null() ? killed_cycle_end(start, runs_) : row[3].as<long long>();
    if (mode == "full" || (mode == "incremental" && (settings_.association_sweep_every_run || !full_done)))
      association_reads.emplace_back(start, end);
    if (mode == "full" && std::string(row[1].c_str()) == "success") full_done = true;
  }
  auto open_conflict = [&](const std::string& hubspot_id, const std::string& property) {
    return std::any_of(conflicts.begin(), conflicts.end(), [&](const ConflictRow& c) {
      return c.open && c.hubspot_id == hubspot_id && c.property == property;
    });
  };
  auto failure_of = [&](long row) -> std::string {
    auto it = failed.find(row);
    if (it == failed.end()) return {};
    std::string s;
    for (const auto& f : it->second) s += (s.empty() ? "" : "; ") + f;
    return s;
  };

  // ---- 1. FAILED changes: only transient faults were injected, so no record should have failed ----
  for (const auto& [row, list] : failed)
    violation("row " + std::to_string(row) +
              " has FAILED change(s) although only transient faults were injected: " + failure_of(row));

  // ---- 2. conflicts were decided by the configured policy ----
  for (const auto& c : conflicts) {
    if (c.policy != settings_.conflict_policy)
      violation("conflict on " + c.hubspot_id + " " + c.property + " recorded with policy " + c.policy);
    std::string expected;
    if (c.policy == "remote_wins") expected = "remote";
    if (c.policy == "local_wins") expected = "local";
    if (c.policy == "newest_wins")
      expected = c.local_ms && (!c.remote_ms || c.local_ms > c.remote_ms) ? "local" : "remote";
    if (!expected.empty() && !c.open && c.resolution != expected && c.resolution != "none")
      violation("conflict on " + c.hubspot_id + " " + c.property + " resolved '" + c.resolution + "' but " +
                c.policy + " says '" + expected + "' (local at " + std::to_string(c.local_ms) +
                ", remote at " + std::to_string(c.remote_ms) + ")");
  }

  // ---- 3. no duplicates: names are unique per write, so two live leads with one name are one lead twice
  // ----
  std::map<std::string, std::vector<std::string>> local_names, remote_names;
  for (const auto& [id, l] : local)
    if (!l.archived && l.values.at("hs_lead_name"))
      local_names[*l.values.at("hs_lead_name")].push_back(std::to_string(id));
  for (const auto& [id, r] : remote)
    if (!r.archived && r.values.at("hs_lead_name")) remote_names[*r.values.at("hs_lead_name")].push_back(id);
  for (const auto& [name, ids] : local_names)
    if (ids.size() > 1)
      violation("duplicate: rows " + ids[0] + " and " + ids[1] + " are both named '" + name + "'");
  for (const auto& [name, ids] : remote_names)
    if (ids.size() > 1)
      violation("duplicate: HubSpot leads " + ids[0] + " and " + ids[1] + " are both named '" + name + "'");
  std::map<std::string, std::vector<std::string>> by_key;
  for (const auto& [id, r] : remote)
    if (!r.archived && r.unique_key) by_key[*r.unique_key].push_back(id);
  for (const auto& [key, ids] : by_key)
    if (ids.size() > 1)
      violation("duplicate: HubSpot leads " + ids[0] + " and " + ids[1] + " share leadsync_key " + key);

  // ---- 4. both sides agree, lead by lead ----
  std::map<std::string, long> live_row_of;  // hubspot id -> live local row
  for (const auto& [id, l] : local) {
    if (l.archived) continue;
    if (!l.hubspot_id) {
      violation("row " + std::to_string(id) + " ('" + l.values.at("hs_lead_name").value_or("") +
                "') never reached HubSpot (sync_status " + l.status + ", error '" + l.error + "')");
      continue;
    }
    auto r = remote.find(*l.hubspot_id);
    if (r == remote.end() || r->second.archived) {
      violation("row " + std::to_string(id) + " is live but HubSpot lead " + *l.hubspot_id +
                (r == remote.end() ? " does not exist" : " is archived"));
      continue;
    }
    live_row_of[*l.hubspot_id] = id;
    const std::string why = failure_of(id);
    for (const auto& p : kProperties) {
      const Value lv = l.values.at(p), rv = r->second.values.at(p);
      if (lv != rv && !open_conflict(*l.hubspot_id, p) && why.empty())
        violation("diverged: row " + std::to_string(id) + " / lead " + *l.hubspot_id + " " + p + ": local " +
                  show(lv) + ", HubSpot " + show(rv) + " (no FAILED change or open conflict explains it)");
    }
    if (l.associations != r->second.associations && why.empty()) {
      std::string ls, rs;
      for (const auto& a : l.associations) ls += " " + a;
      for (const auto& a : r->second.associations) rs += " " + a;
      violation("diverged: row " + std::to_string(id) + " / lead " + *l.hubspot_id + " associations: local{" +
                ls + " } HubSpot{" + rs + " }");
    }
  }
  for (const auto& [id, r] : remote)
    if (!r.archived && !live_row_of.contains(id))
      violation("HubSpot lead " + id + " ('" + r.values.at("hs_lead_name").value_or("") +
                "') is live but no live row has it");

  // ---- 5. the history: what was created lives once, what was deleted stays deleted ----
  std::set<long> claimed_rows;
  std::set<std::string> claimed_remote;
  for (auto& ep : entities_) {
    Entity& e = *ep;
    const std::string who = entity_label(e) + " (" + e.origin + ")";
    // Find the entity on both sides.
    std::optional<long> row = e.row_id;
    if (!row && e.hubspot_id)
      for (const auto& [id, l] : local)
        if (l.hubspot_id == e.hubspot_id) row = id;
    std::optional<std::string> rid = e.hubspot_id;
    if (!rid && row && local.contains(*row)) rid = local[*row].hubspot_id;
    if (!rid && !e.sync_key.empty())
      for (const auto& [id, r] : remote)
        if (r.unique_key == e.sync_key) rid = id;
    const LocalRow* l = row && local.contains(*row) ? &local[*row] : nullptr;
    const RemoteLead* r = rid && remote.contains(*rid) ? &remote[*rid] : nullptr;
    if (l) claimed_rows.insert(l->id);
    if (r) claimed_remote.insert(r->id);

    if (e.deleted) {
      const std::string when = " (deleted " + std::string(to_string(e.deleted_side)) + "ly at op " +
                               std::to_string(e.deleted_op) + ")";
      if (l && !l->archived)
        violation("resurrected: " + who + " is live locally as row " + std::to_string(l->id) + when);
      if (r && !r->archived) violation("resurrected: " + who + " is live in HubSpot as " + r->id + when);
      for (const auto& [id, lr] : local)
        if (!lr.archived && lr.values.at("hs_lead_name") && e.names.contains(*lr.values.at("hs_lead_name")) &&
            (!l || lr.id != l->id))
          violation("resurrected: row " + std::to_string(id) + " carries the name of deleted " + who + when);
      for (const auto& [id, rr] : remote)
        if (!rr.archived && rr.values.at("hs_lead_name") && e.names.contains(*rr.values.at("hs_lead_name")) &&
            (!r || rr.id != r->id))
          violation("resurrected: HubSpot lead " + id + " carries the name of deleted " + who + when);
      continue;
    }
    if (!l || l->archived) {
      violation("lost: " + who + " is not live locally" +
                (l ? " (row archived, sync_status " + l->status + ")" : ""));
      continue;
    }
    if (!r || r->archived) {
      violation("lost: " + who + " is not live in HubSpot" + (r ? " (lead " + r->id + " archived)" : ""));
      continue;
    }
    if (l->hubspot_id != r->id) {
      violation("mislinked: " + who + " row " + std::to_string(l->id) + " points at " +
                l->hubspot_id.value_or("NULL") + ", its HubSpot lead is " + r->id);
      continue;
    }

    // ---- 6. no edit lost: the last write to each field is what both sides hold, unless a recorded conflict
    // (decided by the policy) or the documented limitation says otherwise ----
    for (const auto& p : kProperties) {
      auto w = e.last.find(p);
      if (w == e.last.end()) continue;
      const FieldWrite& fw = w->second;
      const Value expected = norm(fw.value);
      const Value lv = l->values.at(p), rv = r->values.at(p);
      const Value& mine = fw.side == Side::local ? lv : rv;
      if (mine == expected) continue;
      const std::string what = std::string(to_string(fw.side)) + " write " + p + "=" + show(expected) +
                               " of " + who + " at op " + std::to_string(fw.op) + " lost: now local " +
                               show(lv) + ", HubSpot " + show(rv);
      const std::string loser = fw.side == Side::local ? "remote" : "local";
      const bool decided = std::any_of(conflicts.begin(), conflicts.end(), [&](const ConflictRow& c) {
        const Value& cv = fw.side == Side::local ? c.local_value : c.remote_value;
        return c.hubspot_id == r->id && c.property == p && cv == expected && c.resolution == loser;
      });
      if (decided) {
        notes_.push_back(what + " -- decided by " + settings_.conflict_policy +
                         " (recorded in leadsync.conflicts)");
        continue;
      }
      if (fw.side == Side::remote) {
        // HubSpot has no conditional update: a remote edit the pull could not see (made during the run, or
        // within the search index lag before it) can be overwritten by the push of an older local edit.
        bool overwritten_by_push = false;
        if (r->state.contains("propertiesWithHistory") && r->state["propertiesWithHistory"].contains(p))
          for (const auto& h : r->state["propertiesWithHistory"][p])
            if (h.value("sourceId", "") == kLeadsyncAppId &&
                parse_iso_ms(h.value("timestamp", "")) >= fw.at_ms - 5)
              overwritten_by_push = true;
        const bool invisible = std::any_of(runs_.begin(), runs_.end(), [&](const RunLog& run) {
          return fw.at_ms >= run.start_ms - settings_.search_lag_ms - 100 && fw.at_ms <= run.end_ms;
        });
        if (overwritten_by_push && invisible) {
          notes_.push_back(what +
                           " -- known limitation: overwritten by a push whose pull could not see it yet");
          continue;
        }
      }
      violation(what);
    }

    // ---- 7. a label a person set in HubSpot that leadsync does not map is never removed by leadsync ----
    for (const auto& pair : e.person_labels)
      if (!r->unmapped.contains(pair))
        violation("the unmapped USER_DEFINED label a person set on " + pair + " of " + who +
                  " is gone from HubSpot");

    // ---- 8. associations: the last add/remove of a non-primary association holds on both sides ----
    for (const auto& [key, intent] : e.intents) {
      const auto pair = key.substr(0, key.rfind('/'));
      if (e.primary_pairs.contains(pair) || e.bad_pairs.contains(pair)) continue;
      // leadsync keeps a pair that carries a label it does not map: a local removal of the pair's unlabeled
      // type comes back from HubSpot (as the unlabeled type beside a primary label does).
      if (e.person_labels.contains(pair) && intent.side == Side::local && !intent.present) continue;
      const bool in_local = l->associations.contains(key), in_remote = r->associations.contains(key);
      // The same limitation for associations, in the form a killed run leaves it: a local add (or removal)
      // pushed by a run that was SIGKILLed before it recorded the push is pushed again by the next run; a
      // HubSpot-side removal (or add) made in between is overwritten. HubSpot keeps no history of
      // associations, so leadsync cannot tell its own earlier write from the user's.
      const bool in_doubt_push_retried =
          intent.side == Side::remote && intent.previous_local &&
          intent.previous_local->present == !intent.present && in_local == !intent.present &&
          in_remote == !intent.present && std::any_of(runs_.begin(), runs_.end(), [&](const RunLog& run) {
            return run.killed && run.op > intent.previous_local->op && run.op < intent.op;
          });
      if (in_doubt_push_retried) {
        notes_.push_back(std::string("association ") + key + " on " + who + ": HubSpot's " +
                         (intent.present ? "add" : "removal") + " at op " + std::to_string(intent.op) +
                         " overwritten by the retry of a push in doubt (run killed) -- known limitation");
        continue;
      }
      // HubSpot keeps no history of associations and changing one does not bump the lead's modification date,
      // so an add undone in HubSpot (or a removal undone) between two cycles that read associations is
      // invisible: leadsync sees HubSpot where the base is, and a local write of the same pair in between is
      // a plain local change that it pushes (seed 994). HubSpot's later write is overwritten; nothing could
      // have ordered them.
      const bool unseen_remote_round_trip =
          intent.side == Side::remote && intent.earlier_remote &&
          intent.earlier_remote->present == !intent.present && intent.previous_local &&
          intent.previous_local->present == !intent.present &&
          intent.previous_local->op > intent.earlier_remote->op && in_local == !intent.present &&
          in_remote == !intent.present &&
          std::none_of(association_reads.begin(), association_reads.end(), [&](const auto& read) {
            return read.second >= intent.earlier_remote->at_ms && read.first <= intent.at_ms;
          });
      if (unseen_remote_round_trip) {
        notes_.push_back(
            std::string("association ") + key + " on " + who + ": HubSpot's " +
            (intent.present ? "removal" : "add") + " at op " + std::to_string(intent.earlier_remote->op) +
            " and its undoing at op " + std::to_string(intent.op) +
            " fell between two association reads; the local write between them was pushed -- known "
            "limitation");
        continue;
      }
      if (in_local != intent.present || in_remote != intent.present)
        violation(std::string(to_string(intent.side)) + " association " +
                  (intent.present ? "add" : "removal") + " of " + key + " on " + who + " at op " +
                  std::to_string(intent.op) + " lost: local " + (in_local ? "has" : "lacks") +
                  " it, HubSpot " + (in_remote ? "has" : "lacks") + " it");
    }
  }

  // ---- 9. nothing live that the history cannot account for ----
  for (const auto& [id, l] : local)
    if (!l.archived && !claimed_rows.contains(id))
      violation("unexpected live row " + std::to_string(id) + " ('" +
                l.values.at("hs_lead_name").value_or("") +
                "'): no operation created it (duplicate or resurrection)");
  for (const auto& [id, r] : remote)
    if (!r.archived && !claimed_remote.contains(id))
      violation("unexpected live HubSpot lead " + id + " ('" + r.values.at("hs_lead_name").value_or("") +
                "'): no operation created it (duplicate or resurrection)");

  log("checked " + std::to_string(entities_.size()) + " leads, " + std::to_string(runs_.size()) +
      " runs: " + std::to_string(violations_.size() - violations_before) + " violation(s), " +
      std::to_string(notes_.size()) + " note(s)");
  return violations_;
}

}  // namespace leadsync::convergence
