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
//
// One concept per header: transport_pool.h, assume_role_provider.h, caching_provider.h,
// spoke_session_cache.h. This header includes them all.
#pragma once

#include "hubspoke/assume_role_provider.h"
#include "hubspoke/caching_provider.h"
#include "hubspoke/spoke_session_cache.h"
#include "hubspoke/transport_pool.h"
