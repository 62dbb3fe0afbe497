// An adaptive client-side rate limiter for STS calls. STS limits request rates per calling
// account and Region, and AWS does not raise those limits on request; every spoke AssumeRole of a
// fan-out comes from the one hub session, so a tool that sends as fast as it can is throttled
// (`Throttling: Rate exceeded`) once it passes a few hundred calls a second, and, with a fixed
// retry budget, fails accounts. This limiter paces every attempt (retries too) of the calls that
// share it and learns the service's limit from its throttles (AIMD, as TCP does):
//
//   - Until the first throttle it does not pace at all (or paces at max_rate when one is given):
//     an organization of 50 accounts should not wait for a limit it never reaches.
//   - A throttle lowers the rate to decrease_factor × what the service accepted over the last
//     second (the best estimate of its limit: a token bucket lets through its rate plus its
//     burst), or × the rate sent, whichever is lower, at least min_rate. Throttles of attempts reserved before the last
//     decrease are the same congestion event and do not lower it again, so 64 calls throttled at once
//     halve the rate once, not 64 times.
//   - Every attempt reserved since the last decrease that is not throttled raises the rate by
//     increase_per_second / rate, i.e. by
//     about increase_per_second each second at the current rate, until the next throttle: it
//     probes upward for capacity that has come back.
//
// Thread-safe. The clock is the caller's: methods take `now` (a steady time), so tests drive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace hubspoke {

struct StsRateLimiterOptions {
  double max_rate = 0;  // requests per second, a hard cap (`--max-sts-rate`); 0 = none
  double min_rate = 1;  // the rate never goes below this
  double decrease_factor = 0.7;
  double increase_per_second = 10;
  // Throttled attempts retried beyond the client's max_attempts: with the limiter pacing them a
  // throttle costs a wait, not an account, and the attempts stay bounded.
  int extra_throttle_attempts = 8;
};

class StsRateLimiter {
 public:
  using Time = std::chrono::steady_clock::time_point;

  explicit StsRateLimiter(StsRateLimiterOptions options = {});

  struct Ticket {
    Time sent;  // when the attempt may go (now + wait)
    std::uint64_t generation = 0;  // how many decreases there had been when it was reserved
  };
  // Reserves the next slot: the attempt must wait `wait` before it is sent.
  struct Reservation {
    Ticket ticket;
    std::chrono::nanoseconds wait{0};
  };
  Reservation Reserve(Time now);
  // How the attempt of `ticket` ended.
  void OnThrottled(const Ticket& ticket, Time now);
  void OnAccepted(const Ticket& ticket, Time now);

  // The current rate limit in requests per second; 0 while unpaced.
  double rate() const;
  struct Stats {
    std::uint64_t attempts = 0;
    std::uint64_t throttled = 0;
    std::uint64_t decreases = 0;
  };
  Stats stats() const;
  const StsRateLimiterOptions& options() const { return options_; }

 private:
  struct Window {  // events in each of the last ten 100 ms buckets
    std::int64_t index[10] = {};
    std::uint32_t count[10] = {};
    void Count(Time t);
    std::uint64_t Sum(Time now) const;
  };
  double MeasuredRateLocked(Time now) const;

  const StsRateLimiterOptions options_;
  mutable std::mutex mu_;
  double rate_ = 0;  // 0: unpaced
  Time next_free_{};
  Window sent_, accepted_;
  Stats stats_;
};

// One limiter per calling account and Region, shared by every call from that caller ("STS limits
// request rates per account and Region"). Thread-safe.
class StsRateLimiters {
 public:
  explicit StsRateLimiters(StsRateLimiterOptions options = {}) : options_(options) {}
  // The limiter of calls made by `caller` (an account id, or a name such as "base" when the
  // account is not known before the call) to `region`.
  std::shared_ptr<StsRateLimiter> For(const std::string& caller, const std::string& region);

 private:
  const StsRateLimiterOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<StsRateLimiter>> limiters_;
};

}  // namespace hubspoke
