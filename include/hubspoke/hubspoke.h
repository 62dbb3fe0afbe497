// The hub→spoke chain: from base credentials, assume the hub role, then from the hub session
// assume the spoke role in another account. The C++ counterpart of the Go package
// github.com/northwood-labs/assume-spoke-role/hubspoke.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "hubspoke/credentials.h"
#include "hubspoke/profile.h"
#include "hubspoke/credentials_provider.h"
#include "hubspoke/result.h"
#include "hubspoke/sts_client.h"
#include "hubspoke/system.h"

namespace hubspoke {

struct SpokeCredentialsInput {
  // The seed's fields. Roles may be a name, "path/name", or a full role ARN (then the account
  // id may be omitted).
  std::string hub_account_id;
  std::string spoke_account_id;
  std::string hub_role_name;
  std::string spoke_role_name;
  std::string external_id;     // used for both hops unless overridden below; may be empty
  std::string session_string;  // hub session name; the spoke's is "<spoke-account>-<this>"

  // Beyond the seed.
  std::string hub_external_id;    // overrides external_id for the hub hop
  std::string spoke_external_id;  // overrides external_id for the spoke hop
  std::chrono::seconds duration{3600};     // spoke session: 900–3600 (chained sessions ≤ 1 h)
  std::chrono::seconds hub_duration{900};  // hub session: only needs to outlive the spoke call
  // Region and STS endpoint as the AWS SDKs resolve them (ResolveSpokeEndpoint): these fields,
  // else the environment (AWS_REGION, AWS_DEFAULT_REGION; AWS_ENDPOINT_URL_STS,
  // AWS_ENDPOINT_URL), else the profile's `region` and `endpoint_url` (or its [services] sts
  // endpoint), else us-east-1 and its regional endpoint.
  std::string region;
  std::string endpoint_url;
  // The profile of the shared config files (~/.aws/config, ~/.aws/credentials) whose region
  // and endpoint apply, and which GetSpokeCredentials(input) takes the base identity from.
  // Empty: AWS_PROFILE, else `default`. A named profile that does not exist is an error.
  std::string profile;
  std::string source_identity;         // set on the hub hop; persists through the chain
  std::vector<SessionTag> tags;        // session tags on the spoke hop
  std::string policy;                  // inline session policy (JSON) scoping the spoke session
  std::vector<std::string> policy_arns;  // managed session policies for the spoke session
  int retries = 3;                       // retries per STS call (throttling, 5xx, network)
  std::chrono::milliseconds timeout{10000};  // per HTTP attempt
  // The whole chain: the hub and spoke calls with their retries and waits end within this time
  // (a silent endpoint otherwise costs retries × timeout per hop); 0: no bound. A refreshing
  // session (SpokeSessionCache) and each account of ForEachSpoke bound each of their calls by it.
  std::chrono::milliseconds chain_timeout{180000};
  // MFA on the hub hop, for a hub role whose trust requires aws:MultiFactorAuthPresent: the base
  // user's device (arn:aws:iam::ACCOUNT:mfa/NAME, or a hardware device's serial) and its 6-digit
  // code. With a serial and no code, the code is asked for only when the hub hop really calls
  // STS (not for a hub session from a HubSessionFileCache): by mfa_reader, else on the terminal
  // (TerminalMfaCodeReader, assume_role_provider.h: /dev/tty, not echoed; an error without one).
  // A code is good once: STS refuses it a second time. Never logged.
  std::string mfa_serial;
  std::string mfa_code;
  std::function<Result<std::string>(const std::string& mfa_serial)> mfa_reader;
};

struct SpokeCredentials {
  Credentials credentials;       // the spoke session
  std::string assumed_role_arn;  // arn:aws:sts::SPOKE:assumed-role/ROLE/SESSION
  std::string assumed_role_id;
  std::string hub_role_arn;
  std::string spoke_role_arn;
  std::string hub_session_arn;  // arn:aws:sts::HUB:assumed-role/ROLE/SESSION
  std::string region;           // the resolved region
};


// Checks every field (account ids, roles, session names, external ids, durations, tags, policy,
// region, endpoint) without any network call. Errors are kInvalidArgument, one line, naming the
// field, the value (unless secret) and the rule.
// `partition` ("aws", "aws-cn", …), when given, is the partition of the resolved region: role
// ARNs in another partition are refused.
Status ValidateSpokeInput(const SpokeCredentialsInput& input, const std::string& partition = "");

// The region and STS endpoint of the chain (see SpokeCredentialsInput::region): the same rule
// for the library and the CLI. `profiles` are the shared config files (LoadProfiles). Errors are
// kInvalidArgument and name where the bad value came from (a field of the input, an environment
// variable, or the profile's property), or the missing profile.
Result<StsEndpoint> ResolveSpokeEndpoint(const SpokeCredentialsInput& input,
                                         const Environment& env, const ProfileSet& profiles);

// Session names as the seed's library builds them: hub "<session-string>", spoke
// "<spoke-account>-<session-string>", sanitized to STS's rule (2–64 characters of [\w+=,.@-]).
std::string HubSessionName(const std::string& session_string);
std::string SpokeSessionName(const std::string& spoke_account_id,
                             const std::string& session_string);
// The session string used when none is given: "<user>-<yyyymmddThhmmssZ>".
std::string DefaultSessionString(const Environment& env, TimePoint now);

// Runs the chain. `base` supplies the base identity; `sys` the clock, environment (region and
// endpoint, with the shared config files), HTTP transport (both hops share one kept-alive connection) and log. Errors name the
// hop ("base", "hub hop <role arn>", "spoke hop <role arn>"), carry the AWS error code, message
// and request id, and a hint at the likely cause.
Result<SpokeCredentials> GetSpokeCredentials(const SpokeCredentialsInput& input,
                                             const SystemContext& sys,
                                             CredentialsProvider& base);

// As above, with options: `hub_cache` (hub_session_file_cache.h), when set, supplies a still-valid
// hub session saved by an earlier run for the same base identity and hub hop (then only the
// spoke's AssumeRole goes on the wire) and saves the one this call makes.
class HubSessionFileCache;
struct SpokeChainOptions {
  HubSessionFileCache* hub_cache = nullptr;
  // The shared config files, for input.profile's region and endpoint. Null: loaded from the
  // files the environment names (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, ~/.aws/…); a
  // malformed file is then a kInvalidArgument error.
  const ProfileSet* profiles = nullptr;
};
Result<SpokeCredentials> GetSpokeCredentials(const SpokeCredentialsInput& input,
                                             const SystemContext& sys, CredentialsProvider& base,
                                             const SpokeChainOptions& options);

// Convenience: the real system, base credentials from the AWS default chain (environment unless
// input.profile is set, input.profile's (else AWS_PROFILE's) profile of the shared config
// files, web identity, container, EC2 instance metadata; see providers.h). A malformed config
// file is a kInvalidArgument error.
Result<SpokeCredentials> GetSpokeCredentials(const SpokeCredentialsInput& input);

}  // namespace hubspoke
