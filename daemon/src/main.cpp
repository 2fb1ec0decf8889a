// leadsync entry point. The CLI, scheduler and service parts arrive with the daemon issue; for now the
// binary answers --version and --help and refuses everything else honestly.
#include <cstdio>
#include <cstring>

namespace {
constexpr int kExitUsage = 2;
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::printf("leadsync %s\n", LEADSYNC_VERSION);
      return 0;
    }
    if (std::strcmp(argv[i], "--help") == 0) {
      std::printf("usage: leadsync --config FILE [--sync-now]\n(not implemented yet)\n");
      return 0;
    }
  }
  std::fprintf(stderr, "leadsync: not implemented yet\n");
  return kExitUsage;
}
