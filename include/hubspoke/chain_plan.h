// A role chain as data: where the credentials start (a base source) and the ordered AssumeRole
// hops taken from there. A profile's role_arn/source_profile chain, the hub→spoke chain and a
// fan-out over many spokes are all "a base plus hops" (a fan-out shares the base and the hub hop
// and adds one spoke hop per account).
//
// Resolving is pure (ResolveProfileChain reads only the ProfileSet given to it); executing
// (MakeChainProvider) turns a plan into providers: the base source's, then one
// AssumeRoleCredentialsProvider per hop, so every hop of every chain goes through the same
// AssumeRole code (logging, errors, hints, MFA).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hubspoke/assume_role_provider.h"
#include "hubspoke/credentials.h"
#include "hubspoke/profile.h"
#include "hubspoke/credentials_provider.h"
#include "hubspoke/credential_sources.h"
#include "hubspoke/result.h"
#include "hubspoke/sts_client.h"
#include "hubspoke/system.h"

namespace hubspoke {

// Where a chain's first credentials come from.
struct ChainBase {
  enum class Kind {
    kStaticKeys,        // aws_access_key_id / aws_secret_access_key (/ aws_session_token)
    kCredentialSource,  // credential_source = Environment | Ec2InstanceMetadata | EcsContainer
    kWebIdentity,       // role_arn + web_identity_token_file: AssumeRoleWithWebIdentity
    kSso,               // sso_session or sso_start_url: IAM Identity Center
    kCredentialProcess, // credential_process
  };
  Kind kind = Kind::kStaticKeys;
  std::string profile;  // the profile that holds it

  // kStaticKeys. Security: the secret and token are SecretStrings; a plan is never logged.
  Credentials static_credentials;
  bool own_static_keys = false;  // a role profile that names itself as its source_profile
  // kCredentialSource
  std::string credential_source;
  // kWebIdentity
  std::string role_arn;
  std::string token_file;
  std::string session_name;  // empty: generated when executed
  std::optional<std::chrono::seconds> duration;
  // kSso: everything but portal_endpoint, which is resolved when executed (from the
  // environment and the profile's endpoint settings)
  SsoProviderOptions sso;
  // kCredentialProcess
  std::string command;
};

// One AssumeRole call of a chain.
struct ChainHop {
  std::string profile;  // the profile whose role_arn this is (its region picks the endpoint)
  // role ARN, external id, duration, MFA serial, tags, session policies, source identity. An
  // empty role_session_name is generated when the hop runs ("assume-spoke-role-<unix seconds>");
  // with a serial_number and no token_code, the code is asked for when the hop runs.
  AssumeRoleRequest request;
  // How the source of this hop is named in its errors: "profile dev: source_profile base" or
  // "profile dev: credential_source Environment"; the source's errors are wrapped with it.
  std::string source_context;
  // For descriptions: "profile base: " when the source is another profile, else empty.
  std::string source_label;
};

struct ChainPlan {
  ChainBase base;
  std::vector<ChainHop> hops;  // in the order they are taken: the base's caller first
  // The profiles resolved, outermost (the one asked for) first.
  std::vector<std::string> profiles;
};

struct ProfileChainOptions {
  // The profile was named (--profile, AWS_PROFILE): its absence is kMisconfigured rather than
  // kNotConfigured (which lets a default chain go on to its next source).
  bool explicit_profile = false;
  // The profiles the processes that started us are resolving (ASSUME_SPOKE_ROLE_PROFILE_CHAIN,
  // see InheritedProfileChain): re-entering one is a credential_process loop.
  std::vector<std::string> inherited_chain;
};

// Resolves profile `name` as botocore and the SDKs do: role_arn with source_profile (chains of
// any depth; a profile naming itself uses its own static keys) or credential_source;
// role_arn + web_identity_token_file; SSO; static keys; credential_process — in that order of
// precedence within one profile. Validates every hop (role ARN, external id, session name,
// duration_seconds) before anything is called. Errors: kNotConfigured (the profile is absent
// and not explicit, or it has no credentials), kMisconfigured with a reason for loops
// (kProfileLoop, kCredentialProcessLoop, kCredentialProcessTooDeep). Pure: no I/O.
Result<ChainPlan> ResolveProfileChain(const ProfileSet& profiles, const std::string& name,
                                      const ProfileChainOptions& options = {});

struct ChainProviderOptions {
  MfaCodeReader mfa_reader;  // empty: TerminalMfaCodeReader()
  // STS for the hops and web identity. An empty endpoint is resolved per hop from the
  // environment and the hop's profile (its region and endpoint settings; see config.h).
  StsClientOptions sts;
  std::shared_ptr<TransportPool> transports;  // null: sys.http (one thread at a time)
};

// The credentials at the end of `plan`'s chain: the base source's provider, then one
// AssumeRoleCredentialsProvider per hop. Resolves every hop's STS endpoint first, so a bad
// region or endpoint is reported before any call. `profiles` (for endpoints and SSO sessions)
// and `sys` must outlive the provider. Describe() says how the credentials were obtained:
// "role arn:…:role/a ← profile base: static keys".
Result<std::shared_ptr<CredentialsProvider>> MakeChainProvider(const SystemContext& sys,
                                                               const ProfileSet& profiles,
                                                               ChainPlan plan,
                                                               ChainProviderOptions options);

}  // namespace hubspoke
