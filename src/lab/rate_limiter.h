// STS request-rate limits as AWS applies them: a token bucket per calling account (`lab
// --sts-rate R --sts-burst B`). A bucket holds at most B tokens and gains R per second; a
// request takes one, and a request finding less than one is throttled (STS: 400 Throttling,
// "Rate exceeded") without taking any, so a client that keeps retrying does not starve itself
// further. Time comes from the lab's Clock (a FakeClock in tests); a clock that steps back adds
// nothing.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hubspoke/system.h"

namespace hubspoke::lab {

class RateLimiter {
 public:
  // rate_per_second <= 0: unlimited. burst <= 0: rate_per_second rounded up (at least 1).
  // `clock` must outlive the limiter.
  RateLimiter(double rate_per_second, double burst, const Clock& clock);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes a token from `key`'s bucket (a new bucket starts full). false: over the limit, and
  // nothing was taken. Thread-safe.
  bool TryAcquire(std::string_view key);
  bool enabled() const { return rate_ > 0; }
  double rate() const { return rate_; }
  double burst() const { return burst_; }

 private:
  struct Bucket {
    double tokens = 0;
    TimePoint last;
  };
  const double rate_;
  const double burst_;
  const Clock& clock_;
  std::mutex mu_;  // guards buckets_
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace hubspoke::lab
