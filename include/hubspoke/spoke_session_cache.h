// Hub→spoke sessions shared by every caller of a service, refreshed ahead of expiry, from any
// thread (refreshing.h explains chains and thread safety).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "hubspoke/assume_role_provider.h"
#include "hubspoke/caching_provider.h"
#include "hubspoke/hubspoke.h"
#include "hubspoke/profile.h"
#include "hubspoke/credentials_provider.h"
#include "hubspoke/result.h"
#include "hubspoke/system.h"
#include "hubspoke/transport_pool.h"

namespace hubspoke {

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
