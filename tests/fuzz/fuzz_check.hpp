#pragma once
// What a fuzz target does when an invariant breaks: say which and abort, so that libFuzzer (or the replay
// driver in ordinary builds) reports the input as a crash and keeps it.
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace leadsync::fuzz {

[[noreturn]] inline void fail(std::string_view target, std::string_view what) {
  std::fprintf(stderr, "fuzz target %.*s: %.*s\n", static_cast<int>(target.size()), target.data(),
               static_cast<int>(what.size()), what.data());
  std::abort();
}

}  // namespace leadsync::fuzz

#define LEADSYNC_FUZZ_CHECK(target, condition) \
  ((condition) ? static_cast<void>(0) : ::leadsync::fuzz::fail(target, "invariant broken: " #condition))
