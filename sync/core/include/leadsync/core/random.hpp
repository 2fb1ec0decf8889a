#pragma once
// Random-number seam, so backoff jitter is reproducible in tests.
// Thread-safety: StdRandom is safe to use from several threads (internally locked).
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

namespace leadsync::core {

class Random {
 public:
  virtual ~Random() = default;
  // Uniform in [0, 1).
  virtual double uniform() = 0;
};

class StdRandom final : public Random {
 public:
  explicit StdRandom(std::uint64_t seed = std::random_device{}()) : engine_(seed) {}
  double uniform() override {
    std::lock_guard lock(mutex_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
  }

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

}  // namespace leadsync::core
