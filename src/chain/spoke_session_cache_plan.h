// The hub→spoke chain as data: the input validated and resolved into two AssumeRole requests,
// plus the pieces both GetSpokeCredentials (one shot) and SpokeSessionCache (refreshing) build
// their providers from, so the two cannot drift apart in validation, session names or errors.
#pragma once

#include <memory>
#include <string>

#include "hubspoke/assume_role_provider.h"
#include "hubspoke/hubspoke.h"
#include "hubspoke/credentials_provider.h"
#include "hubspoke/result.h"
#include "hubspoke/spoke_session_cache.h"
#include "hubspoke/sts_client.h"
#include "hubspoke/system.h"
#include "hubspoke/transport_pool.h"

namespace hubspoke {

struct SpokeChainPlan {
  StsEndpoint endpoint;
  std::string partition;
  std::string spoke_account;
  StsClientOptions sts;
  AssumeRoleRequest hub;
  AssumeRoleRequest spoke;
  MfaCodeReader mfa_reader;  // the hub hop's, when it has a serial and no code (empty: terminal)
};

// Validates and resolves `input` exactly as GetSpokeCredentials always has (same checks, same
// order, same errors); region and endpoint by ResolveSpokeEndpoint over `profiles`.
// `default_session_string` is used when input.session_string is empty.
Result<SpokeChainPlan> PlanSpokeChain(const SpokeCredentialsInput& input, const Environment& env,
                                      const ProfileSet& profiles,
                                      const std::string& default_session_string);

// Provider options for the hub and spoke hops of a plan: hop names "hub" / "spoke", the hints of
// hints.h for the plan's region, and `transports` (null: sys.http).
AssumeRoleProviderOptions HubHopOptions(const SpokeChainPlan& plan,
                                        std::shared_ptr<TransportPool> transports);
AssumeRoleProviderOptions SpokeHopOptions(const SpokeChainPlan& plan,
                                          std::shared_ptr<TransportPool> transports);

// Credentials from `base`, with its errors named "base hop: <base.Describe()>: …" plus the
// base hint, and a kInfo line "base: AKIA…MPLE from <describe> (long-term key)" on success.
Result<Credentials> FetchBaseCredentials(CredentialsProvider& base, Logger& log,
                                         const std::string& region);

// A provider that is FetchBaseCredentials over `base`: the bottom of a cached chain.
std::shared_ptr<CredentialsProvider> MakeBaseHopProvider(std::shared_ptr<CredentialsProvider> base,
                                                         Logger& log, std::string region);

// The cache key of a plan (see SpokeSessionKey).
SpokeSessionKey SpokeSessionKeyOf(const SpokeChainPlan& plan);

}  // namespace hubspoke
