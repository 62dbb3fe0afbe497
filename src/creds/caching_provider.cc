// The caching, refreshing decorator: see CachingOptions in include/hubspoke/caching_provider.h for the
// windows and the backoff.
//
// One mutex guards the state; it is held only to read or publish a snapshot, never across the
// inner call. The thread that finds a refresh due and none in flight becomes the refresher
// (refreshing_), calls the inner provider without the lock, then publishes the outcome, bumps
// generation_ and wakes the waiters, who all take that outcome: concurrent refreshes collapse
// into one inner call, and the inner provider is never called by two threads at once.
#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>

#include "core/time.h"
#include "hubspoke/caching_provider.h"

namespace hubspoke {

Result<Credentials> CachingCredentialsProvider::GetCredentials() {
  auto shared = GetSharedCredentials();
  if (!shared) return std::move(shared).error();
  return **shared;
}

namespace {

using Shared = std::shared_ptr<const Credentials>;

enum class Window { kFresh, kAdvisory, kMandatory, kExpired };

const char* WindowName(Window w) {
  switch (w) {
    case Window::kFresh: return "fresh";
    case Window::kAdvisory: return "advisory";
    case Window::kMandatory: return "mandatory";
    case Window::kExpired: return "expired";
  }
  return "?";
}

class CachingProvider final : public CachingCredentialsProvider {
 public:
  CachingProvider(std::shared_ptr<CredentialsProvider> inner, const Clock& clock, Logger& log,
                  CachingOptions options)
      : inner_(std::move(inner)), clock_(clock), log_(log), options_(options) {
    using std::chrono::seconds;
    options_.mandatory_window = std::max(options_.mandatory_window, seconds(0));
    options_.advisory_window = std::max(options_.advisory_window, options_.mandatory_window);
    options_.backoff_base = std::max(options_.backoff_base, std::chrono::milliseconds(0));
    options_.backoff_cap = std::max(options_.backoff_cap, options_.backoff_base);
  }

  Result<Shared> GetSharedCredentials() override {
    const TimePoint now = clock_.Now();
    std::unique_lock<std::mutex> lock(mu_);
    const Window window = WindowOf(current_.get(), now);
    switch (window) {
      case Window::kFresh: return current_;  // the hit path
      case Window::kAdvisory:
        // Someone else is refreshing, or the last attempt failed recently: use what we have.
        if (refreshing_ || now < retry_at_) return current_;
        return Refresh(lock, window);
      case Window::kMandatory:
      case Window::kExpired:
        if (refreshing_) return AwaitRefresh(lock);
        if (now < retry_at_) {
          if (window == Window::kMandatory) return current_;  // still valid: keep serving it
          if (last_error_) return *last_error_;               // expired: backing off
        }
        return Refresh(lock, window);
    }
    return current_;
  }

  std::string Describe() const override { return inner_->Describe(); }

 private:
  Window WindowOf(const Credentials* c, TimePoint now) const {
    if (!c) return Window::kExpired;
    if (!c->expiration) return Window::kFresh;
    const TimePoint expiration = *c->expiration;
    if (now >= expiration) return Window::kExpired;
    if (now >= expiration - options_.mandatory_window) return Window::kMandatory;
    if (now >= expiration - options_.advisory_window) return Window::kAdvisory;
    return Window::kFresh;
  }

  // backoff_base · 2^(failures − 1), at most backoff_cap.
  std::chrono::milliseconds Backoff(int failures) const {
    const auto base = options_.backoff_base;
    const auto cap = options_.backoff_cap;
    const int shift = std::clamp(failures - 1, 0, 30);
    if (base.count() > (cap.count() >> shift)) return cap;
    return std::chrono::milliseconds(base.count() << shift);
  }

  // What a caller gets after a refresh: the current credentials while they are valid, else the
  // refresh's error.
  Result<Shared> Outcome(TimePoint now) const {
    if (current_ && WindowOf(current_.get(), now) != Window::kExpired) return current_;
    if (last_error_) return *last_error_;
    return Error(ErrorCode::kMisconfigured, inner_->Describe() + ": the credentials expired");
  }

  // Called with the lock held and no refresh in flight; returns with the lock held.
  Result<Shared> Refresh(std::unique_lock<std::mutex>& lock, Window window) {
    refreshing_ = true;
    lock.unlock();
    if (log_.Enabled(LogLevel::kDebug)) {
      log_.Log(LogLevel::kDebug,
               "refreshing " + inner_->Describe() + " (" + WindowName(window) + ")");
    }
    std::optional<Result<Credentials>> fetched;
    try {
      fetched.emplace(inner_->GetCredentials());
    } catch (...) {
      // Never leave waiters blocked on a refresh that will not finish.
      lock.lock();
      refreshing_ = false;
      ++generation_;
      cv_.notify_all();
      throw;
    }
    Result<Credentials>& result = *fetched;
    const TimePoint now = clock_.Now();
    if (result && result->expiration && *result->expiration <= now) {
      result = Error(ErrorCode::kMisconfigured, inner_->Describe() +
                                                    ": returned credentials that expired at " +
                                                    FormatRfc3339(*result->expiration));
    }
    Shared fresh;
    if (result) fresh = std::make_shared<const Credentials>(std::move(result).value());

    std::optional<std::string> warning;
    lock.lock();
    if (fresh) {
      current_ = std::move(fresh);
      failures_ = 0;
      last_error_.reset();
      warned_ = false;
      // Credentials that are already due for refresh: do not ask again on every call.
      retry_at_ = WindowOf(current_.get(), now) == Window::kFresh ? TimePoint::min()
                                                                  : now + options_.backoff_base;
    } else {
      ++failures_;
      const auto delay = Backoff(failures_);
      retry_at_ = now + delay;
      last_error_ = std::move(result).error();
      const bool serving = current_ && WindowOf(current_.get(), now) != Window::kExpired;
      if (serving && !warned_) {
        warned_ = true;
        // Security: error messages and descriptions never carry secrets.
        warning = "refreshing credentials from " + inner_->Describe() +
                  " failed; using the current ones until they expire at " +
                  (current_->expiration ? FormatRfc3339(*current_->expiration) : "never") +
                  ", next attempt in " + std::to_string(delay.count()) +
                  " ms: " + last_error_->ToString();
      }
    }
    refreshing_ = false;
    ++generation_;
    cv_.notify_all();
    Result<Shared> outcome = Outcome(now);
    if (warning) {
      lock.unlock();
      log_.Log(LogLevel::kWarning, *warning);
      lock.lock();
    }
    return outcome;
  }

  // Called with the lock held while another thread refreshes; returns its outcome.
  Result<Shared> AwaitRefresh(std::unique_lock<std::mutex>& lock) {
    const std::uint64_t seen = generation_;
    cv_.wait(lock, [&] { return generation_ != seen; });
    return Outcome(clock_.Now());
  }

  const std::shared_ptr<CredentialsProvider> inner_;
  const Clock& clock_;
  Logger& log_;
  CachingOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  Shared current_;                         // null until the first successful refresh
  bool refreshing_ = false;                // a thread is calling inner_
  std::uint64_t generation_ = 0;           // refreshes completed
  TimePoint retry_at_ = TimePoint::min();  // no refresh before this unless expired
  int failures_ = 0;                       // consecutive failed refreshes
  std::optional<Error> last_error_;        // of the last refresh, when it failed
  bool warned_ = false;                    // this run of failures has been logged
};

}  // namespace

std::shared_ptr<CachingCredentialsProvider> MakeCachingProvider(
    std::shared_ptr<CredentialsProvider> inner, const Clock& clock, Logger& log,
    CachingOptions options) {
  return std::make_shared<CachingProvider>(std::move(inner), clock, log, options);
}

}  // namespace hubspoke
