// Randomized convergence test: one test per seed. Environment:
//   LEADSYNC_CONVERGENCE_SEED=N        run only seed N (replay)
//   LEADSYNC_CONVERGENCE_SEEDS=N       run N seeds (default 20), starting at LEADSYNC_CONVERGENCE_FIRST_SEED
//   (1) LEADSYNC_CONVERGENCE_ROUNDS=N      rounds per seed (default 10) LEADSYNC_CONVERGENCE_KEEP=1 keep the
//   per-seed directory (config, history, every run's output)
// The seeds are fixed when ctest discovers the tests; long.sh runs the binary directly instead.
#include <gtest/gtest.h>

#include <limits>

#include <cstdlib>
#include <fstream>

#include "world.hpp"

namespace leadsync::convergence {
namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::stoull(v);
}

std::vector<std::uint64_t> seeds() {
  if (std::getenv("LEADSYNC_CONVERGENCE_SEED")) return {env_number("LEADSYNC_CONVERGENCE_SEED", 1)};
  const auto first = env_number("LEADSYNC_CONVERGENCE_FIRST_SEED", 1);
  const auto count = env_number("LEADSYNC_CONVERGENCE_SEEDS", 20);
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = first; s < first + count; ++s) out.push_back(s);
  return out;
}

class Convergence : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(Convergence, BothSidesAgreeAndNothingIsLostDuplicatedOrResurrected) {
  LEADSYNC_REQUIRE_DATABASE();
  const std::uint64_t seed = GetParam();
  const auto settings = settings_for(seed, static_cast<int>(env_number("LEADSYNC_CONVERGENCE_ROUNDS", 10)));
  const auto dir = std::filesystem::temp_directory_path() /
                   ("leadsync-convergence-" + std::to_string(::getpid()) + "-seed" + std::to_string(seed));
  std::vector<std::string> violations;
  std::string history;
  {
    World world(settings, dir);
    try {
      world.setup();
      world.workload();
      world.quiesce();
      violations = world.check();
    } catch (const std::exception& e) {
      violations = world.violations();
      violations.push_back(std::string("the driver failed: ") + e.what());
    }
    for (const auto& line : world.history()) history += line + "\n";
    for (const auto& note : world.notes()) history += "note: " + note + "\n";
    std::ofstream(dir / "history.log") << history;
  }
  const bool keep = env_number("LEADSYNC_CONVERGENCE_KEEP", 0) != 0 || !violations.empty();
  if (!keep) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  if (!violations.empty()) {
    std::string list;
    for (const auto& v : violations) list += "  - " + v + "\n";
    ADD_FAILURE() << violations.size() << " invariant violation(s) for " << settings.describe() << ":\n"
                  << list << "\nhistory:\n"
                  << history << "\nfiles (config, history, output of every run): " << dir.string()
                  << "\nreplay: LEADSYNC_CONVERGENCE_SEED=" << seed
                  << " LEADSYNC_CONVERGENCE_ROUNDS=" << settings.rounds
                  << " LEADSYNC_TEST_DSN=<superuser DSN> " << LEADSYNC_BINARY_DIR
                  << "/tests/integration/convergence/convergence_tests\n";
  }
}

// The test of the test: after a clean run, invariants broken behind leadsync's back must each be reported.
// Seed 994 (long run on seeds 901-1,200): a --full run killed after its sweep (its row never finished) was
// taken to last until the end of the second run after it, so a HubSpot association round trip during that
// later run counted as seen by a cycle, and the known limitation was reported as a lost change.
TEST(ConvergenceChecker, AKilledCycleEndsWithTheRunThatContainedIt) {
  std::vector<RunLog> runs(4);
  runs[0].start_ms = 3'292, runs[0].end_ms = 3'538;  // --full, SIGKILL at 246 ms
  runs[1].start_ms = 3'583, runs[1].end_ms = 3'665;  // killed at 75 ms, before any cycle
  runs[2].start_ms = 3'687, runs[2].end_ms = 4'052;
  runs[3].start_ms = 4'103, runs[3].end_ms = 5'434;  // a daemon
  EXPECT_EQ(killed_cycle_end(3'290, runs), 3'538);   // its row starts just before the driver noted the run
  EXPECT_EQ(killed_cycle_end(4'200, runs), 5'434);
  EXPECT_EQ(killed_cycle_end(9'000, runs), std::numeric_limits<long long>::max());
}

TEST(ConvergenceChecker, ReportsEveryKindOfBrokenInvariant) {
  LEADSYNC_REQUIRE_DATABASE();
  auto settings = settings_for(3, 4);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("leadsync-convergence-" + std::to_string(::getpid()) + "-checker");
  World world(settings, dir);
  world.setup();
  world.workload();
  world.quiesce();
  ASSERT_TRUE(world.check().empty()) << "the unsabotaged world must pass";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"diverge", "diverged"},
      {"lose_local_edit", "local write hs_lead_name='a write that never happened'"},
      {"duplicate", "duplicate: HubSpot leads"},
      {"resurrect", "resurrected"},
      {"lose_association", "association"},
      {"lose_person_label", "USER_DEFINED label a person set"}};
  for (const auto& [kind, expected] : cases) ASSERT_TRUE(world.sabotage(kind)) << kind << " found no target";
  const auto violations = world.check();
  std::string all;
  for (const auto& v : violations) all += v + "\n";
  for (const auto& [kind, expected] : cases)
    EXPECT_NE(all.find(expected), std::string::npos) << kind << ":\n" << all;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

INSTANTIATE_TEST_SUITE_P(Seeds, Convergence, ::testing::ValuesIn(seeds()),
                         [](const ::testing::TestParamInfo<std::uint64_t>& param_info) {
                           return "seed_" + std::to_string(param_info.param);
                         });

}  // namespace
}  // namespace leadsync::convergence
