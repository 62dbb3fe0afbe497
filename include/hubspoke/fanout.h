// Acting in many spoke accounts: ForEachSpoke runs a function once per account with that spoke's
// credentials, on a bounded pool of threads, with one hub session shared by every spoke
// (refreshed as needed), every STS call paced by an adaptive limiter per caller account and
// Region (sts_rate_limiter.h), a result per account, fail-fast and cancellation. It is the
// multi-account service pattern (a session per account, refreshed ahead of expiry, STS spared)
// without each service writing it; `assume-spoke-role fanout` is it plus a child per account.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hubspoke/accounts.h"
#include "hubspoke/caching_provider.h"
#include "hubspoke/credentials_provider.h"
#include "hubspoke/hubspoke.h"
#include "hubspoke/profile.h"
#include "hubspoke/result.h"
#include "hubspoke/system.h"
#include "hubspoke/transport_pool.h"

namespace hubspoke {

// How one account ended.
enum class SpokeStatus {
  kOk,             // the function succeeded
  kCommandFailed,  // the function (the command) failed
  kChainFailed,    // no spoke credentials: the base, hub or spoke hop failed
  kTimedOut,       // the function ran out of time
  kSkipped,        // never started: cancelled, or --fail-fast after another account failed
};
// "ok", "command-failed", "chain-failed", "timed-out", "skipped".
const char* SpokeStatusName(SpokeStatus status);

// A cancellation flag shared by the caller and the pool: once cancelled, no new account starts
// and running functions are asked to stop (they read cancelled() or wait on it).
class FanoutCancellation {
 public:
  // Async-signal-safe: a signal handler may call it (only an atomic store; waiters poll).
  void Cancel() { cancelled_.store(true, std::memory_order_release); }
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

 private:
  std::atomic<bool> cancelled_{false};
};

// What the function gets for one account.
struct SpokeTask {
  const SpokeAccount& account;
  std::size_t index;  // in the accounts given to ForEachSpoke
  // The spoke session: refreshes itself ahead of expiry (from the shared hub session), from any
  // thread. Already holds valid credentials when the function is called.
  std::shared_ptr<CachingCredentialsProvider> credentials;
  std::string region;            // the resolved region (AWS_REGION for a child)
  std::string role_arn;          // the spoke role
  std::string assumed_role_arn;  // arn:aws:sts::SPOKE:assumed-role/ROLE/SESSION
  const FanoutCancellation& cancellation;
};

// What the function reports.
struct SpokeOutcome {
  // kOk, kCommandFailed, kTimedOut, or kSkipped when it chose not to run (cancelled).
  SpokeStatus status = SpokeStatus::kOk;
  int exit_status = 0;                    // a command's exit status (when signal == 0)
  int signal = 0;                         // the signal that ended a command, 0 if none
  std::string message;                    // why it failed, one line, no secrets; may be empty

  static SpokeOutcome Ok() { return {}; }
  static SpokeOutcome Failed(std::string message) {
    return SpokeOutcome{.status = SpokeStatus::kCommandFailed, .exit_status = 1,
                        .message = std::move(message)};
  }
};

// One account's result.
struct SpokeResult {
  SpokeAccount account;
  SpokeStatus status = SpokeStatus::kSkipped;
  int exit_status = 0;
  int signal = 0;
  std::string role_arn;  // the spoke role
  // A chain failure: the hop ("base", "hub", "spoke"), the AWS error when the service sent one,
  // and the error (one line with its hint, no secrets). A failed function: its message.
  std::string hop;
  std::optional<AwsErrorDetails> aws;
  std::string message;
  std::string hint;  // a chain failure's likely cause ("check the spoke role's trust policy …")
  TimePoint start{};  // when the account started (zero when skipped)
  std::chrono::milliseconds duration{0};
  int sts_attempts = 0;  // the spoke hop's STS attempts, retries included
};

struct ForEachSpokeOptions {
  // The chain: hub account and role, spoke role, external ids, durations, region and endpoint,
  // session string, tags and policies (spoke_account_id is ignored: each account is one).
  SpokeCredentialsInput input;
  std::size_t concurrency = 16;  // accounts in flight at once, at least 1
  // Caps every STS caller's rate (requests per second); 0: the limiter finds the service's.
  double max_sts_rate = 0;
  bool fail_fast = false;  // start no new account after the first failure
  // Refresh windows of the base, hub and spoke sessions.
  CachingOptions caching;
  // The shared config files (region, endpoint); copied. Null: read from the files the
  // environment names.
  const ProfileSet* profiles = nullptr;
  // Shared with the caller, who may cancel from any thread or a signal handler. Null: none.
  std::shared_ptr<FanoutCancellation> cancellation;
  // Makes the HTTP transports of the STS calls. Empty:
  // MakeHttpClient(HttpClientOptionsFromEnvironment(sys.env)).
  TransportPool::Factory transport_factory;
  // Called from the worker threads, one call at a time (never concurrently), as each account
  // starts (before its spoke hop) and ends. May be empty.
  std::function<void(const SpokeAccount& account, std::size_t index)> on_start;
  std::function<void(const SpokeResult& result, std::size_t index)> on_finish;
  // A hub session the caller already has, made with the same input (e.g. the one it listed the
  // organization with): used first instead of a hub hop, which is made only when it nears
  // expiry. An MFA code is good for one call, so with MFA this is how a second hub hop (and a
  // second code) is avoided.
  std::optional<Credentials> hub_session;
};

struct FanoutReport {
  std::vector<SpokeResult> results;  // in the order of the accounts given
  std::size_t ok = 0, failed = 0, skipped = 0;
  bool cancelled = false;
  std::uint64_t sts_attempts = 0;   // every STS attempt: the hub hop's and the spokes'
  std::uint64_t sts_throttled = 0;  // of which throttled (and retried)
};

using SpokeFunction = std::function<SpokeOutcome(const SpokeTask& task)>;

// Validates the input (the kInvalidArgument errors of GetSpokeCredentials) before any network
// call; then gets the hub session once (when that fails every account is kChainFailed with the
// hub's error and `fn` is never called), then runs the accounts on min(concurrency, accounts)
// threads: each gets its spoke session (one AssumeRole from the hub session, paced by the limiter
// of the hub account and Region), then fn. An exception from fn is the account's
// kCommandFailed. Returns once every started account has ended. `sys` and `base` as for
// SpokeSessionCache (sys must be usable from many threads; the STS calls borrow transports from
// a pool of their own).
Result<FanoutReport> ForEachSpoke(const SystemContext& sys,
                                  std::shared_ptr<CredentialsProvider> base,
                                  const std::vector<SpokeAccount>& accounts,
                                  const ForEachSpokeOptions& options, const SpokeFunction& fn);

}  // namespace hubspoke
