// StsRateLimiter: pacing and AIMD (the header explains the rules).
#include <algorithm>
#include <cmath>

#include "hubspoke/sts_rate_limiter.h"

namespace hubspoke {
namespace {

constexpr auto kBucket = std::chrono::milliseconds(100);

std::int64_t BucketOf(StsRateLimiter::Time t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() /
         kBucket.count();
}

std::chrono::nanoseconds Interval(double rate) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(1e9 / rate)));
}

}  // namespace

StsRateLimiter::StsRateLimiter(StsRateLimiterOptions options) : options_(options) {
  if (options_.max_rate > 0) rate_ = options_.max_rate;
}

void StsRateLimiter::Window::Count(Time t) {
  const std::int64_t b = BucketOf(t);
  const int slot = static_cast<int>(((b % 10) + 10) % 10);
  if (index[slot] != b) {
    index[slot] = b;
    count[slot] = 0;
  }
  ++count[slot];
}

std::uint64_t StsRateLimiter::Window::Sum(Time now) const {
  const std::int64_t current = BucketOf(now);
  std::uint64_t n = 0;
  for (int i = 0; i < 10; ++i) {
    // Slots reserved ahead of now count too: they are being sent at this rate.
    if (index[i] > current - 10) n += count[i];
  }
  return n;
}

double StsRateLimiter::MeasuredRateLocked(Time now) const {
  // What was sent over the last second, however young the run: a burst of 64 in the first
  // 100 ms is 64 in that second, not 640/s. A throttle can be read before the acceptances of its
  // own burst are (responses race), and then this is the only estimate: dividing by the young
  // span once let a cut land far above the service's limit.
  return static_cast<double>(sent_.Sum(now));
}

StsRateLimiter::Reservation StsRateLimiter::Reserve(Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.attempts;
  Reservation r;
  r.ticket.generation = stats_.decreases;
  if (rate_ <= 0) {
    r.ticket.sent = now;
  } else {
    const Time slot = std::max(now, next_free_);
    next_free_ = slot + Interval(rate_);
    r.ticket.sent = slot;
    r.wait = slot - now;
  }
  sent_.Count(r.ticket.sent);
  return r;
}

void StsRateLimiter::OnThrottled(const Ticket& ticket, Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.throttled;
  // The same congestion event as the last decrease: already answered.
  if (ticket.generation < stats_.decreases) return;
  const double measured = MeasuredRateLocked(now);
  double base = rate_ <= 0 ? measured : std::min(rate_, measured);
  // Accepted over a whole second, however young the run: early on that is the service's burst,
  // an overestimate of its rate that the next throttle corrects.
  const auto accepted = static_cast<double>(accepted_.Sum(now));
  if (accepted > 0) base = std::min(base, accepted);
  double next = std::max(options_.min_rate, base * options_.decrease_factor);
  if (options_.max_rate > 0) next = std::min(next, options_.max_rate);
  rate_ = next;
  // Slots already handed out keep their times; new ones follow the new rate.
  next_free_ = std::max(next_free_, now);
  ++stats_.decreases;
}

void StsRateLimiter::OnAccepted(const Ticket& ticket, Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  accepted_.Count(now);
  if (rate_ <= 0) return;
  // Sent before the last decrease: it says nothing about the new rate (TCP does not grow its
  // window for segments sent before a loss either). Counting it let one burst's acceptances
  // undo most of the cut its own throttles caused.
  if (ticket.generation < stats_.decreases) return;
  rate_ += options_.increase_per_second / rate_;
  if (options_.max_rate > 0) rate_ = std::min(rate_, options_.max_rate);
}

double StsRateLimiter::rate() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rate_;
}

StsRateLimiter::Stats StsRateLimiter::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::shared_ptr<StsRateLimiter> StsRateLimiters::For(const std::string& caller,
                                                     const std::string& region) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<StsRateLimiter>& limiter = limiters_[caller + "/" + region];
  if (!limiter) limiter = std::make_shared<StsRateLimiter>(options_);
  return limiter;
}

}  // namespace hubspoke
