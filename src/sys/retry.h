// One retry policy for every remote call: STS and any other awsQuery service, the container
// credentials endpoint, EC2 instance metadata, the SSO portal. A caller says what one attempt is
// and whether its failure is worth another; the policy decides how many and how long to wait.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "hubspoke/result.h"
#include "hubspoke/system.h"

namespace hubspoke {

struct RetryPolicy {
  int max_attempts = 3;  // 1: no retry
  // Before retry n (n = 1 after the first attempt) the wait is min(cap, base · 2^(n-1)),
  // drawn uniformly from [0, that) with full jitter (the AWS SDKs' standard mode), else exact.
  std::chrono::milliseconds base{100};
  std::chrono::milliseconds cap{5000};
  bool jitter = true;

  std::chrono::milliseconds Delay(int retry, Random& random) const;
};

// One attempt's outcome: the result, and whether a failure is transient (network, timeout,
// throttling, 5xx) and worth another attempt.
template <typename T>
struct Attempt {
  Result<T> result;
  bool retry = false;
};

// The seams a retry loop uses: its sleeps, its jitter, its log lines.
struct RetryContext {
  const Clock& clock;
  Random& random;
  Logger& log;
  std::string what;  // "STS AssumeRole", "EC2 instance metadata: GET …": starts each log line
  // Wrap an error after more than one attempt "gave up after N attempts: …" (off when the
  // caller words the count itself).
  bool say_attempts = true;
  // No retry is started when its wait would end at or past this time (clock.Monotonic()): the
  // last error is returned as kTimeout, "gave up at the deadline (<deadline_what>) after N
  // attempts: …". The attempt itself must keep to the deadline (its own timeout).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::string deadline_what;  // "the chain's timeout of 180 s"
};

// Calls attempt(n) for n = 1, 2, … until it succeeds, its failure is not worth a retry, or
// max_attempts is reached; between attempts logs "<what>: attempt n/N failed (<why>); retrying
// in D ms" at kInfo and sleeps. `why(result)` says what failed (an error's message, "HTTP 503").
// An error after more than one attempt is wrapped "gave up after N attempts: …" (unless
// context.say_attempts is false). A successful
// Result whose value the caller still counts as a failure (an HTTP 5xx response) is returned as
// it is.
template <typename T, typename AttemptFn, typename WhyFn>
Result<T> RunWithRetries(const RetryPolicy& policy, const RetryContext& context,
                         AttemptFn&& attempt, WhyFn&& why) {
  const int max_attempts = policy.max_attempts < 1 ? 1 : policy.max_attempts;
  for (int n = 1;; ++n) {
    Attempt<T> outcome = attempt(n);
    if (!outcome.retry) return std::move(outcome.result);
    if (n >= max_attempts) {
      if (!outcome.result.has_value() && n > 1 && context.say_attempts) {
        return outcome.result.error().Wrap("gave up after " + std::to_string(n) + " attempts");
      }
      return std::move(outcome.result);
    }
    const std::chrono::milliseconds delay = policy.Delay(n, context.random);
    if (context.deadline && context.clock.Monotonic() + delay >= *context.deadline) {
      if (outcome.result.has_value()) return std::move(outcome.result);
      Error e = outcome.result.error().Wrap("gave up at the deadline (" + context.deadline_what +
                                            ") after " + std::to_string(n) +
                                            (n == 1 ? " attempt" : " attempts"));
      return std::move(e).WithCode(ErrorCode::kTimeout).WithReason(ErrorReason::kDeadline);
    }
    context.log.Log(LogLevel::kInfo, context.what + ": attempt " + std::to_string(n) + "/" +
                                         std::to_string(max_attempts) + " failed (" +
                                         why(outcome.result) + "); retrying in " +
                                         std::to_string(delay.count()) + " ms");
    context.clock.SleepFor(delay);
  }
}

// The usual `why`: the error's message.
template <typename T>
std::string ErrorMessageOf(const Result<T>& result) {
  return result.has_value() ? std::string("no error") : result.error().message();
}

}  // namespace hubspoke
