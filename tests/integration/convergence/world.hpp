#pragma once
// The convergence test's world: one fake-hubspot, one fresh PostgreSQL database, the real leadsync binary
// and a seeded random driver that edits both sides, injects HubSpot faults and runs (and SIGKILLs)
// `leadsync --sync-now` between and during its edits. Every operation goes into a Jepsen-style history;
// after quiescence check() compares both sides with what the history says must hold.
//
// Everything random comes from the seed (the operations, their targets and values, the faults, when a run
// is killed); only thread timing (how far a run got before its SIGKILL) is not reproducible bit for bit.
// Not thread-safe: one World per test, driven from the test's thread.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "leadsync/testing/api_version.hpp"
#include "leadsync/testing/fake_hubspot.hpp"
#include "leadsync/testing/process.hpp"
#include "leadsync/testing/test_database.hpp"

namespace leadsync::convergence {

using nlohmann::json;
using Value = std::optional<std::string>;

// Deterministic across platforms (no std:: distributions, whose algorithms are implementation-defined).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t next() { return engine_(); }
  int uniform(int lo, int hi) {
    return lo + static_cast<int>(engine_() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool chance(double p) { return static_cast<double>(engine_() >> 11) * 0x1.0p-53 < p; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(uniform(0, static_cast<int>(v.size()) - 1))];
  }

 private:
  std::mt19937_64 engine_;
};

// Everything a seed decides before the first operation.
struct Settings {
  std::uint64_t seed = 1;
  std::string conflict_policy = "newest_wins";
  std::string on_remote_delete = "archive";
  int seed_leads = 20;
  int search_lag_ms = 0;
  bool association_sweep_every_run = true;
  int rounds = 10;
  // hubspot.api_version: picked per seed from the versions settings_for lists; LEADSYNC_TEST_API_VERSION
  // pins all seeds to one version.
  std::string api_version = "2026-03";
  // webhooks.enabled: fake-hubspot delivers events to the daemon's receiver (when one runs; retried, then
  // dropped otherwise) and every run applies the stored ones. LEADSYNC_CONVERGENCE_WEBHOOKS=0/1 pins it.
  bool webhooks = false;
  std::string describe() const;
};
Settings settings_for(std::uint64_t seed, int rounds);

enum class Side { local, remote };
const char* to_string(Side s);

struct FieldWrite {
  Side side = Side::local;
  Value value;
  long op = 0;
  long long at_ms = 0;
};

// The driver's intent for one association (object + type) of a lead: the last add/remove it made.
struct PairIntent {
  bool present = false;
  Side side = Side::local;
  long op = 0;
  long long at_ms = 0;
  // An earlier intent on the same pair, as the checker's known limitations need it.
  struct Earlier {
    bool present = false;
    long op = 0;
    long long at_ms = 0;
  };
  std::optional<Earlier> previous_local;  // the intent this one replaced, if it was a local one
  std::optional<Earlier> earlier_remote;  // the last HubSpot-side one, however many local ones came between
};

// A lead as the driver knows it.
struct Entity {
  int n = 0;           // #n in the history
  std::string origin;  // seed | local | remote
  std::optional<long> row_id;
  std::optional<std::string> hubspot_id;
  std::string sync_key;                    // rows created locally
  std::set<std::string> names;             // every name the driver gave it
  std::map<std::string, FieldWrite> last;  // property -> last driver write that changed that side's value
  bool deleted = false;
  Side deleted_side = Side::local;
  long deleted_op = 0;
  std::map<std::string, PairIntent> intents;  // "contacts/<id>/<type>" of pairs never primary-labelled
  std::set<std::string> primary_pairs;        // "contacts/<id>": pairs that ever had a primary label
  std::set<std::string> bad_pairs;            // pairs whose unlabeled type was removed beside a primary
  // Pairs a person gave a USER_DEFINED label in HubSpot (101 contact, 103 company), which leadsync does not
  // map: it must never remove them, nor the pair under them.
  std::set<std::string> person_labels;
};

struct RunLog {
  long op = 0;
  long long start_ms = 0, end_ms = 0;
  bool full = false;
  bool killed = false;
  bool daemon = false;  // a long-running daemon, not --sync-now
  int exit_code = 0;
};

// When a cycle recorded in leadsync.runs without an end (its process was killed) ended at the latest: the end
// of the driver's run that contained its start (the first run ending after it; the row may start up to a
// second before the driver noted its run's start). No such run: never (the maximum).
long long killed_cycle_end(long long row_start_ms, const std::vector<RunLog>& runs);

class World {
 public:
  World(Settings settings, std::filesystem::path dir);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  void setup();                      // fake-hubspot, database, config, initial import
  void workload();                   // settings.rounds rounds of edits, faults and runs
  void quiesce();                    // faults off, full runs until one writes nothing
  std::vector<std::string> check();  // invariant violations (empty: all hold)
  // The test of the test: breaks one invariant behind leadsync's back (diverge, lose_local_edit, duplicate,
  // resurrect, lose_association, lose_person_label); check() must report it. Returns false when the world
  // offers no target.
  bool sabotage(const std::string& kind);

  const std::vector<std::string>& history() const { return history_; }
  const std::vector<std::string>& notes() const { return notes_; }
  const std::vector<std::string>& violations() const { return violations_; }
  const Settings& settings() const { return settings_; }

 private:
  // ---- plumbing ----
  long long now_ms() const;
  static std::string log_level();
  void log(const std::string& line);
  void violation(const std::string& what);
  std::string sql_value(const std::string& query);
  pqxx::result sql(const std::string& statement);
  std::string q(const Value& v);
  void subscribe_webhooks();
  json admin(const std::string& method, const std::string& path, const json& body = nullptr,
             int* status = nullptr);
  json api(const std::string& method, const std::string& target, const json& body = nullptr,
           int* status = nullptr);
  std::vector<std::string> sync_args(bool full) const;
  testing::ChildProcess::Env sync_env() const;
  // The child's exit code; one still running after `timeout` is killed and reported as `otherwise`.
  int wait_for_exit(testing::ChildProcess& child, std::chrono::seconds timeout, const std::string& otherwise);
  int run_sync(bool full, bool kill, int concurrent_local_ops);
  // A long-running daemon (no --sync-now): local operations arrive while it cycles, then it is SIGKILLed or
  // stopped with SIGTERM at a random moment.
  void run_daemon(int concurrent_local_ops);
  std::string local_fingerprint();
  std::string describe_lead(long row);  // both sides and the bookkeeping of one lead, for the history
  long remote_writes();
  void spacing();

  // ---- model helpers ----
  Entity& new_entity(const std::string& origin);
  std::vector<Entity*> live(bool need_row, bool need_hubspot_id);
  Entity& pick(const std::vector<Entity*>& candidates);
  std::optional<long> row_of(Entity& e);
  std::optional<std::string> hubspot_id_of(Entity& e);
  std::string new_name();
  std::string entity_label(const Entity& e) const;
  Value random_label();
  Value random_type();
  std::string random_contact();
  std::string random_company();
  void record_write(Entity& e, Side side, const std::string& property, const Value& v);
  void record_pair(Entity& e, Side side, const std::string& type, const std::string& id, int type_id,
                   bool present);

  // ---- operations ----
  void random_operation(bool local_only);
  void local_insert();
  void local_update();
  void local_delete();
  void local_association();
  void remote_edit();
  void remote_create();
  void remote_delete();
  void remote_association();
  void arm_faults();
  json random_fault();

  Settings settings_;
  Rng rng_;
  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<testing::FakeHubspot> fake_;
  std::uint16_t webhook_port_ = 0;  // settings_.webhooks: the daemon's receiver
  std::vector<std::string> contacts_, companies_;
  std::vector<std::unique_ptr<Entity>> entities_;
  std::vector<RunLog> runs_;
  std::vector<std::string> history_, notes_, violations_;
  long op_ = 0;
  int name_counter_ = 0;
  long long t0_ = 0;
};

}  // namespace leadsync::convergence
