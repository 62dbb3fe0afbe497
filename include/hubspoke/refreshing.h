// Refreshing credentials: chainable assume-role providers, a caching decorator that refreshes
// ahead of expiry, and a thread-safe cache of hub→spoke sessions. The C++ counterpart of the
// AWS SDK for JavaScript's ChainableTemporaryCredentials (a provider whose source is another
// provider, to any depth) and of the SDKs' credential caches.
//
//   base ──► Caching(AssumeRole hub, source = base) ──► Caching(AssumeRole spoke, source = hub)
//
// A chain refreshes from the top down: the spoke's refresh asks its source (the hub's cache) for
// credentials, which are reused while still fresh and refreshed first when not.
//
// Thread-safety rule. The parts of a SystemContext are thread-safe except its HttpTransport
// (sys.http: one per thread, see http.h); the clock, environment, logger and random source must
// be thread-safe (all of this library's are). So:
//   * A CachingCredentialsProvider is thread-safe and calls its inner provider from one thread at
//     a time: never two refreshes of the same provider at once.
//   * An AssumeRoleCredentialsProvider made WITHOUT a TransportPool sends through sys.http. It is
//     then exactly as thread-safe as sys.http, i.e. not at all: every call of it, and every
//     other use of that sys.http, must happen on one thread at a time. Being the inner provider
//     of a caching provider is NOT enough when other providers or code share the same sys.http
//     (two spokes refreshing on two threads would share the transport). Use this form for
//     one-shot chains on one thread (GetSpokeCredentials: both hops on one kept-alive
//     connection).
//   * An AssumeRoleCredentialsProvider made WITH a TransportPool borrows a transport for each
//     STS call and returns it afterwards, so it is thread-safe (given a thread-safe source).
//     SpokeSessionCache builds every provider this way, with one pool for the whole cache.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hubspoke/credentials.h"
#include "hubspoke/http.h"
#include "hubspoke/hubspoke.h"
#include "hubspoke/profile.h"
#include "hubspoke/provider.h"
#include "hubspoke/result.h"
#include "hubspoke/sts_client.h"
#include "hubspoke/system.h"

namespace hubspoke {

// ---- HTTP transports for concurrent callers --------------------------------------------------

// A thread-safe pool of HTTP transports. Acquire() lends one transport to one thread until the
// lease ends; idle transports are kept (most recently returned first, so the next STS call finds
// a warm kept-alive connection) up to `max_idle`, the rest are closed. The pool must outlive its
// leases.
class TransportPool {
 public:
  using Factory = std::function<std::unique_ptr<HttpTransport>()>;

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();
    // Null when the factory failed to make a transport.
    HttpTransport* get() const { return transport_.get(); }

   private:
    friend class TransportPool;
    Lease(TransportPool* pool, std::unique_ptr<HttpTransport> transport);
    TransportPool* pool_;
    std::unique_ptr<HttpTransport> transport_;
  };

  explicit TransportPool(Factory factory, std::size_t max_idle = 8);
  TransportPool(const TransportPool&) = delete;
  TransportPool& operator=(const TransportPool&) = delete;

  Lease Acquire();
  // How many transports the factory has made (for tests and metrics).
  std::size_t created() const;

 private:
  void Return(std::unique_ptr<HttpTransport> transport);

  Factory factory_;
  std::size_t max_idle_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<HttpTransport>> idle_;
  std::size_t created_ = 0;
};

// ---- assume-role provider ----------------------------------------------------------------------

// Turns an STS error of one hop into a hint for the user ("the spoke role's trust policy must
// name the hub role…"); empty when nothing useful can be said.
using HopHintFunction = std::function<std::string(const Error& error)>;

struct AssumeRoleProviderOptions {
  AssumeRoleRequest request;  // role ARN, session name, duration, external id, policy, tags, …
  StsClientOptions sts;       // endpoint, signing region, retries, per-attempt timeout
  // Names the hop in logs and errors: "<hop_name>: AssumeRole …" in the log, and
  // "<hop_name> hop <role arn>: STS AssumeRole: AccessDenied …" in errors. Empty: "assume-role".
  std::string hop_name;
  HopHintFunction hint;  // empty: errors carry no hint
  // See the thread-safety rule above. Null: send through sys.http (one thread at a time).
  std::shared_ptr<TransportPool> transports;
};

class AssumeRoleCredentialsProvider : public CredentialsProvider {
 public:
  // Asks the source for credentials, then calls STS AssumeRole with them: one fresh session per
  // call (no caching; wrap the provider in MakeCachingProvider for that). Errors of the source
  // are returned unchanged (a source names itself: a deeper hop's error already reads
  // "hub hop arn:…: …"); errors of this hop's STS call are wrapped as
  // "<hop_name> hop <role arn>: …" with the hint. Logs the call at kInfo (never a secret).
  virtual Result<AssumeRoleResponse> AssumeRole() = 0;
  // The credentials of AssumeRole().
  Result<Credentials> GetCredentials() override;
  // Describe() is "<hop_name> hop <role arn>".
};

// `sys` (its clock, environment, logger, random source, and its http when
// options.transports is null) must outlive the provider; `source` is shared.
std::shared_ptr<AssumeRoleCredentialsProvider> MakeAssumeRoleProvider(
    const SystemContext& sys, std::shared_ptr<CredentialsProvider> source,
    AssumeRoleProviderOptions options);

// ---- caching provider --------------------------------------------------------------------------

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

// ---- hub→spoke session cache --------------------------------------------------------------------

// What makes two spoke sessions the same. `session` canonically encodes everything else that
// shapes the session: the STS endpoint and signing region, the spoke session name and duration,
// the session policy (minified), managed policy ARNs and tags (sorted), and the whole hub hop
// (hub role ARN, external id, session name, duration, source identity). Retries and timeouts are
// not part of the key: a session keeps those of the first Get() that made it.
struct SpokeSessionKey {
  std::string partition;    // "aws", "aws-cn", …
  std::string region;       // the resolved region
  std::string account;      // the spoke account
  std::string role_arn;     // the spoke role
  std::string external_id;  // the spoke hop's
  std::string session;
  std::string hub;  // the hub hop's part of `session`, the key of the shared hub session

  friend bool operator==(const SpokeSessionKey&, const SpokeSessionKey&) = default;
  friend auto operator<=>(const SpokeSessionKey&, const SpokeSessionKey&) = default;
};

struct SpokeSessionCacheOptions {
  CachingOptions caching;  // for the base, hub and spoke sessions
  // Makes the HTTP transports of the cache's pool. Empty:
  // MakeHttpClient(HttpClientOptionsFromEnvironment(sys.env)).
  TransportPool::Factory transport_factory;
  std::size_t max_idle_transports = 8;
  // The session string of inputs that have none. Empty: DefaultSessionString(sys.env, now) once,
  // when the cache is made, so that such inputs share their sessions.
  std::string default_session_string;
  // The shared config files, for the inputs' profile region and endpoint (ResolveSpokeEndpoint);
  // copied. Null: read once when the cache is made from the files the environment names; a
  // malformed file then fails every Get() and KeyFor() with its kInvalidArgument error.
  const ProfileSet* profiles = nullptr;
};

// Spoke sessions shared by every caller of the same key: Get() returns the same refreshing
// provider object for the same key, from any thread. Each spoke session is a caching provider
// over an assume-role provider whose source is the shared caching hub session of its hub key,
// whose source is the caching base provider. Every STS call borrows a transport from the
// cache's pool (sys.http is never used). Entries live as long as the cache.
class SpokeSessionCache {
 public:
  // `sys` (clock, environment, logger, random source) must outlive the cache. `base` supplies
  // the base identity; the cache calls it from one thread at a time (through a caching
  // provider), but it must not share a transport with anything running concurrently. Its errors
  // read "base hop: <base.Describe()>: …".
  SpokeSessionCache(const SystemContext& sys, std::shared_ptr<CredentialsProvider> base,
                    SpokeSessionCacheOptions options = {});
  ~SpokeSessionCache();
  SpokeSessionCache(const SpokeSessionCache&) = delete;
  SpokeSessionCache& operator=(const SpokeSessionCache&) = delete;

  // The spoke session for `input`: validated and resolved as GetSpokeCredentials does (the same
  // kInvalidArgument errors), no network call. Call GetCredentials() or GetSharedCredentials()
  // on it for credentials; hold on to it on hot paths (Get validates its input every time).
  Result<std::shared_ptr<CachingCredentialsProvider>> Get(const SpokeCredentialsInput& input);
  // The key `input` maps to.
  Result<SpokeSessionKey> KeyFor(const SpokeCredentialsInput& input) const;

  std::size_t spoke_sessions() const;
  std::size_t hub_sessions() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hubspoke
