// A caching decorator that refreshes credentials ahead of their expiry, once, for every caller
// (refreshing.h explains chains and thread safety).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "hubspoke/credentials.h"
#include "hubspoke/credentials_provider.h"
#include "hubspoke/result.h"
#include "hubspoke/system.h"

namespace hubspoke {

// When a caching provider refreshes. With E the credentials' expiration and now the clock's time:
//   now <  E − advisory_window   fresh: every caller gets the cached credentials;
//   now >= E − advisory_window   advisory: the first caller refreshes (and waits for it), every
//                                other caller gets the current credentials at once;
//   now >= E − mandatory_window  mandatory: every caller waits for the one refresh in flight and
//                                gets its result (current credentials that are still valid if it
//                                failed);
//   now >= E, or nothing cached  expired: as mandatory, and a failure is returned as the error.
// Credentials without an expiration (long-term keys) are cached forever.
//
// The windows are the AWS SDK for Java v2's (prefetch 5 min, stale 1 min), not botocore's
// (advisory 15 min, mandatory 10 min): the hub session defaults to 15 min, so botocore's windows
// would refresh it on every call. 5 min ahead leaves ≥ 10 min of fresh use even for the shortest
// STS session (15 min) and several retry rounds before the mandatory window; 1 min guarantees
// that credentials handed out stay valid for the request being signed with them (including its
// own retries), while callers rarely have to block. smithy-rs refreshes only 10 s ahead; we keep
// the larger margin because a chained refresh is two round trips.
//
// After a failed refresh the next one waits backoff_base·2^(failures−1), at most backoff_cap
// (1 s, 2 s, 4 s, … 30 s by default; no jitter: each refresh's STS calls already retry with
// jitter). Meanwhile callers get the still-valid credentials (a warning is logged once per run of
// failures), or, once these have expired, the last refresh's error without a new attempt. A
// refresh that succeeds with credentials already inside the advisory window waits backoff_base
// before the next advisory refresh, so a source that only has short-lived credentials is not
// asked on every call. Waiting callers are bounded by the inner provider's own timeouts.
struct CachingOptions {
  std::chrono::seconds advisory_window{300};
  std::chrono::seconds mandatory_window{60};
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{30000};
};

class CachingCredentialsProvider : public CredentialsProvider {
 public:
  // The cached credentials, shared rather than copied: a cache hit is a clock read, a short
  // lock and a reference-count increment; no allocation, no STS.
  virtual Result<std::shared_ptr<const Credentials>> GetSharedCredentials() = 0;
  // A copy of GetSharedCredentials() (three string copies).
  Result<Credentials> GetCredentials() override;
  // Describe() is the inner provider's.
};

// Thread-safe. `clock` and `log` (warnings about failed refreshes) must outlive the provider.
// Credentials the inner provider returns already expired are a kMisconfigured error. The inner
// provider must not call back into this one (a cycle would wait for itself).
std::shared_ptr<CachingCredentialsProvider> MakeCachingProvider(
    std::shared_ptr<CredentialsProvider> inner, const Clock& clock, Logger& log,
    CachingOptions options = {});

}  // namespace hubspoke
