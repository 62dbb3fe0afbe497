#include "lab/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace hubspoke::lab {

RateLimiter::RateLimiter(double rate_per_second, double burst, const Clock& clock)
    : rate_(rate_per_second > 0 ? rate_per_second : 0),
      burst_(burst > 0 ? burst : std::max(1.0, std::ceil(rate_))),
      clock_(clock) {}

bool RateLimiter::TryAcquire(std::string_view key) {
  if (rate_ <= 0) return true;
  const TimePoint now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(std::string(key), Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted && now > b.last) {
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  }
  if (now > b.last) b.last = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace hubspoke::lab
