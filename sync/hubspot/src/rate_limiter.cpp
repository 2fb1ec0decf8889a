#include "leadsync/hubspot/rate_limiter.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>

#include <spdlog/spdlog.h>

#include "leadsync/hubspot/errors.hpp"

namespace leadsync::hubspot {

namespace {

using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

// One slot of a rolling window that the server used for somebody else (learned from headers).
constexpr int kRemainingTolerance = 1;

// The longest rolling window leadsync believes (X-HubSpot-RateLimit-Interval-Milliseconds): HubSpot's is ten
// seconds; a server naming hours or years would park every caller that long.
constexpr milliseconds kMaxWindow = std::chrono::hours(1);
// Counts in rate-limit headers are clamped to [0, this]: far above any real budget, and small enough that the
// arithmetic on them (used = max - remaining) cannot overflow.
constexpr std::int64_t kMaxHeaderCount = 1'000'000'000'000;

[[noreturn]] void throw_stopping(RatePolicy policy) {
  throw core::transient_error(std::string("not sent: leadsync is stopping (the call was waiting for the ") +
                              to_string(policy) + " rate limit)");
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::int64_t> header_int(const std::vector<http::Header>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (!iequals(h.name, name)) continue;
    std::string_view v = h.value;
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec == std::errc() && p == v.data() + v.size())
      return std::clamp<std::int64_t>(out, 0, kMaxHeaderCount);
    if (ec == std::errc::result_out_of_range && p == v.data() + v.size())
      return v.front() == '-' ? 0 : kMaxHeaderCount;
    return std::nullopt;
  }
  return std::nullopt;
}

milliseconds ceil_ms(std::chrono::steady_clock::duration d) {
  return std::chrono::ceil<milliseconds>(d);
}

std::string iso_utc(core::WallTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

const char* to_string(RatePolicy policy) noexcept {
  return policy == RatePolicy::search ? "search" : "ten_secondly";
}

RateBudget parse_rate_budget(const std::vector<http::Header>& headers) {
  RateBudget b;
  b.ten_secondly_remaining = header_int(headers, "X-HubSpot-RateLimit-Remaining");
  b.ten_secondly_max = header_int(headers, "X-HubSpot-RateLimit-Max");
  b.daily_remaining = header_int(headers, "X-HubSpot-RateLimit-Daily-Remaining");
  b.daily_max = header_int(headers, "X-HubSpot-RateLimit-Daily");
  b.interval_ms = header_int(headers, "X-HubSpot-RateLimit-Interval-Milliseconds");
  return b;
}

// ---- Permit -----------------------------------------------------------------------------------

RateLimiter::Permit::Permit(Permit&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)), policy_(other.policy_), waited_(other.waited_) {}

RateLimiter::Permit& RateLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    complete();
    limiter_ = std::exchange(other.limiter_, nullptr);
    policy_ = other.policy_;
    waited_ = other.waited_;
  }
  return *this;
}

void RateLimiter::Permit::complete() {
  if (limiter_) std::exchange(limiter_, nullptr)->release(policy_);
}

// ---- RateLimiter ------------------------------------------------------------------------------

RateLimiter::RateLimiter(core::Clock& clock, RateLimitOptions options) : clock_(clock), options_(options) {
  ten_secondly_.configured = ten_secondly_.capacity = std::max(1, options_.requests_per_10s);
  ten_secondly_.window = options_.interval + options_.safety_margin;
  search_.configured = search_.capacity = std::max(1, options_.search_per_second);
  search_.window = milliseconds(1000) + options_.safety_margin;
  day_ends_ = next_daily_reset(clock_.now());
}

core::WallTime RateLimiter::next_daily_reset(core::WallTime now) const {
  using Days = std::chrono::duration<std::int64_t, std::ratio<86400>>;
  const auto local = now + options_.daily_reset_utc_offset;
  const auto day_start = std::chrono::floor<Days>(local.time_since_epoch());
  return core::WallTime(std::chrono::duration_cast<core::WallTime::duration>(day_start + Days(1))) -
         options_.daily_reset_utc_offset;
}

void RateLimiter::roll_day() {
  const auto now = clock_.now();
  if (now < day_ends_) return;
  daily_used_ = 0;
  daily_remaining_.reset();
  daily_exhausted_until_.reset();
  day_ends_ = next_daily_reset(now);
}

void RateLimiter::throw_daily_exhausted() const {
  core::ErrorDetails d;
  d.http_status = 429;
  d.policy = kPolicyDaily;
  const auto until = *daily_exhausted_until_;
  d.retry_after = std::max(milliseconds(0), std::chrono::ceil<milliseconds>(until - clock_.now()));
  throw core::transient_error("HubSpot daily API limit reached: no API calls until the daily reset at " +
                                  iso_utc(until) + " (policy DAILY)",
                              std::move(d));
}

std::optional<core::WallTime> RateLimiter::daily_exhausted_until() const {
  if (daily_exhausted_until_ && clock_.now() >= *daily_exhausted_until_) return std::nullopt;
  return daily_exhausted_until_;
}

void RateLimiter::mark_daily_exhausted() {
  roll_day();
  daily_exhausted_until_ = day_ends_;
}

void RateLimiter::prune(Bucket& b, SteadyTime now) {
  while (!b.done.empty() && b.done.front() + b.window <= now) b.done.pop_front();
}

int RateLimiter::capacity(RatePolicy policy) const {
  return bucket(policy).capacity;
}
milliseconds RateLimiter::window(RatePolicy policy) const {
  return bucket(policy).window;
}

int RateLimiter::in_use(RatePolicy policy) const {
  const Bucket& b = bucket(policy);
  const auto now = clock_.steady_now();
  int n = b.in_flight;
  for (auto t : b.done)
    if (t + b.window > now) ++n;
  return n;
}

milliseconds RateLimiter::time_until_slot(RatePolicy policy) const {
  const Bucket& b = bucket(policy);
  const auto now = clock_.steady_now();
  for (auto t : b.done)  // ascending: the first one still inside the window is the oldest
    if (t + b.window > now) return ceil_ms(t + b.window - now);
  return b.window - options_.safety_margin;
}

void RateLimiter::pause(RatePolicy policy, milliseconds wait) {
  Bucket& b = bucket(policy);
  b.blocked_until = std::max(b.blocked_until, clock_.steady_now() + wait);
}

namespace {

// Counts a foreground call as waiting for as long as it is in acquire()'s loop, however it leaves it.
class WaitingForeground {
 public:
  WaitingForeground(int& count, bool foreground) : count_(foreground ? &count : nullptr) {
    if (count_) ++*count_;
  }
  ~WaitingForeground() {
    if (count_) --*count_;
  }
  WaitingForeground(const WaitingForeground&) = delete;
  WaitingForeground& operator=(const WaitingForeground&) = delete;

 private:
  int* count_;
};

}  // namespace

milliseconds RateLimiter::slot_wait(const Bucket& b, SteadyTime now, core::CallPriority priority) const {
  const bool background = priority == core::CallPriority::background;
  if (background && now < b.next_background)
    return std::max(milliseconds(1), ceil_ms(b.next_background - now));
  const int used = static_cast<int>(b.done.size()) + b.in_flight;
  if (used < b.capacity) {
    if (!background || b.foreground_waiting == 0) return milliseconds(0);
    return options_.in_flight_poll;  // a foreground call takes this slot first
  }
  // The slot frees when the (used - capacity)-th completed request leaves the window; when requests still in
  // flight hold the slots, their completion time is unknown: look again shortly.
  const auto index = static_cast<std::size_t>(used - b.capacity);
  return index < b.done.size() ? std::max(milliseconds(1), ceil_ms(b.done[index] + b.window - now))
                               : options_.in_flight_poll;
}

net::awaitable<RateLimiter::Permit> RateLimiter::acquire(RatePolicy policy, core::CallPriority priority) {
  Permit permit;
  if (!options_.enabled) co_return permit;
  roll_day();
  if (!daily_exhausted_until_ &&
      ((options_.daily > 0 && daily_used_ >= options_.daily) || (daily_remaining_ && *daily_remaining_ <= 0)))
    daily_exhausted_until_ = day_ends_;
  if (daily_exhausted_until_) throw_daily_exhausted();

  Bucket& b = bucket(policy);
  milliseconds slept{0};
  {
    const WaitingForeground waiting(b.foreground_waiting, priority == core::CallPriority::foreground);
    for (;;) {
      const auto now = clock_.steady_now();
      if (now < b.blocked_until) {
        const auto wait = ceil_ms(b.blocked_until - now);
        slept += wait;
        if (!co_await waits_.sleep(clock_, wait)) throw_stopping(policy);
        continue;
      }
      prune(b, now);
      const milliseconds wait = slot_wait(b, now, priority);
      if (wait.count() == 0) break;
      slept += wait;
      if (!co_await waits_.sleep(clock_, wait)) throw_stopping(policy);
    }
  }
  if (priority == core::CallPriority::background) {
    // Evenly spaced: the sweep's next call starts a capacity-th of the window after this one.
    const auto now = clock_.steady_now();
    b.next_background = std::max(now, b.next_background) + b.window / std::max(1, b.capacity);
  }
  // A 429 DAILY seen by another caller while we waited stops us too.
  roll_day();
  if (daily_exhausted_until_) throw_daily_exhausted();

  ++b.in_flight;
  ++daily_used_;
  if (daily_remaining_) --*daily_remaining_;
  permit.limiter_ = this;
  permit.policy_ = policy;
  permit.waited_ = slept;
  co_return permit;
}

void RateLimiter::release(RatePolicy policy) {
  Bucket& b = bucket(policy);
  if (b.in_flight > 0) --b.in_flight;
  auto now = clock_.steady_now();
  if (!b.done.empty()) now = std::max(now, b.done.back());
  b.done.push_back(now);
}

void RateLimiter::observe(const RateBudget& budget, RatePolicy policy) {
  if (!options_.enabled) return;
  roll_day();
  if (budget.daily_remaining) {
    daily_remaining_ = *budget.daily_remaining;
    if (*budget.daily_remaining <= 0 && !daily_exhausted_until_) daily_exhausted_until_ = day_ends_;
  }
  // Search responses carry no ten-secondly headers (and search is exempt from that limit).
  if (policy != RatePolicy::ten_secondly) return;
  Bucket& b = ten_secondly_;
  if (budget.interval_ms && *budget.interval_ms > 0) {
    auto interval = milliseconds(*budget.interval_ms);
    if (interval > kMaxWindow) {
      if (!window_clamp_logged_)
        spdlog::warn(
            "HubSpot named a rate-limit window of {} ms (X-HubSpot-RateLimit-Interval-Milliseconds); "
            "using at most {} ms",
            interval.count(), kMaxWindow.count());
      window_clamp_logged_ = true;
      interval = kMaxWindow;
    }
    b.window = interval + options_.safety_margin;
  }
  if (budget.ten_secondly_max && *budget.ten_secondly_max > 0)
    b.capacity = static_cast<int>(std::min<std::int64_t>(b.configured, *budget.ten_secondly_max));
  if (budget.ten_secondly_remaining) {
    const auto now = clock_.steady_now();
    prune(b, now);
    const std::int64_t server_max = budget.ten_secondly_max.value_or(b.capacity);
    const std::int64_t server_used = server_max - *budget.ten_secondly_remaining;
    const std::int64_t local_used = static_cast<std::int64_t>(b.done.size()) + b.in_flight;
    // Requests HubSpot counted that are not ours (another integration on the same app). We may use
    // at most server_max - foreign slots: occupy the difference with entries stamped now.
    const std::int64_t foreign = server_used - local_used - kRemainingTolerance;
    const std::int64_t excess = std::min<std::int64_t>(foreign - (server_max - b.capacity), b.capacity);
    for (std::int64_t i = 0; i < excess; ++i)
      b.done.push_back(std::max(now, b.done.empty() ? now : b.done.back()));
  }
}

}  // namespace leadsync::hubspot
