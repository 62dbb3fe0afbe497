// A client for AWS STS (awsQuery protocol over HTTPS, SigV4-signed): AssumeRole with all its
// parameters and GetCallerIdentity; and AssumeRoleWithWebIdentity, the one unsigned call (the
// web identity token is the credential). Retries throttling, 5xx and connection failures with
// exponential backoff and full jitter; never retries access-denied, validation or expired-token
// errors.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"
#include "hubspoke/sts_rate_limiter.h"
#include "hubspoke/system.h"

namespace hubspoke {

struct SessionTag {
  std::string key;
  std::string value;
};

struct ProvidedContext {
  std::string provider_arn;
  std::string context_assertion;
};

// AssumeRole's parameters, named as in the STS API.
struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;
  std::optional<std::chrono::seconds> duration;  // DurationSeconds; STS default 3600
  std::string external_id;                       // empty = not sent
  std::string policy;                            // inline session policy JSON; empty = none
  std::vector<std::string> policy_arns;          // managed session policies
  std::vector<SessionTag> tags;
  std::vector<std::string> transitive_tag_keys;
  std::string serial_number;  // MFA device
  std::string token_code;     // MFA code
  std::string source_identity;
  std::vector<ProvidedContext> provided_contexts;
};

// AssumeRoleWithWebIdentity's parameters (OIDC: GitHub Actions, EKS service accounts, …).
struct AssumeRoleWithWebIdentityRequest {
  std::string role_arn;
  std::string role_session_name;
  SecretString web_identity_token;               // the OIDC ID token (a JWT)
  std::optional<std::chrono::seconds> duration;  // DurationSeconds; STS default 3600
  std::string policy;                            // inline session policy JSON; empty = none
  std::vector<std::string> policy_arns;          // managed session policies
  std::string provider_id;  // ProviderId: only for OAuth 2.0 providers (www.amazon.com, …)
};

struct AssumeRoleResponse {
  Credentials credentials;
  std::string assumed_role_arn;  // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
  std::string assumed_role_id;   // AROA…:SESSION
  std::optional<int> packed_policy_size;
  std::string source_identity;
  std::string request_id;
  // AssumeRoleWithWebIdentity only (empty otherwise).
  std::string subject_from_web_identity_token;  // the token's sub
  std::string audience;  // the token's aud (the client id)
  std::string provider;  // the issuer: token.actions.githubusercontent.com, an OIDC provider ARN
};

struct CallerIdentity {
  std::string account;
  std::string arn;
  std::string user_id;
  std::string request_id;
};

struct StsClientOptions {
  std::string endpoint;        // e.g. https://sts.eu-west-1.amazonaws.com
  std::string signing_region;  // e.g. eu-west-1
  int max_attempts = 4;        // 1 + retries
  std::chrono::milliseconds attempt_timeout{10000};
  // The chain's timeout (SpokeCredentialsInput::chain_timeout; 0: none). With `deadline` set
  // (Clock::Monotonic(): the end of a one-shot hub→spoke chain) every call ends by then; without
  // it (a refreshing hop, each of fanout's accounts) each call, retries and waits included, ends
  // within chain_timeout. A call cut short is a kTimeout error naming "the chain's timeout of
  // N s".
  std::chrono::milliseconds chain_timeout{0};
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Before retry n the client waits a random time below min(cap, base · 2^(n-1)) (full jitter).
  // Throttling (kThrottled), 5xx and network failures are retried; nothing else is.
  std::chrono::milliseconds backoff_base{100};
  std::chrono::milliseconds backoff_cap{5000};
  // Paces every attempt and learns from throttles (sts_rate_limiter.h); shared by the calls of
  // one caller account and Region. Null: no pacing.
  std::shared_ptr<StsRateLimiter> limiter;
  // Called before each attempt is sent, retries included (counting STS attempts). May be empty.
  std::function<void()> on_attempt;
};

class StsClient {
 public:
  // `sys` must outlive the client. Requests share sys.http, so consecutive calls to the same
  // endpoint reuse one kept-alive connection.
  StsClient(const SystemContext& sys, StsClientOptions options);

  // Security: the credentials of a 2xx response are checked before they are returned, and a
  // response that fails is an error (kParse, kRemote), never retried: AccessKeyId A-Z 0-9,
  // SecretAccessKey and SessionToken base64-like (no quotes, $, `, \, whitespace or controls),
  // an Expiration in the future by sys.clock, and an AssumedRoleUser that is req.role_arn's
  // account and role with req.role_session_name (src/sts/sts_response_check.h).
  Result<AssumeRoleResponse> AssumeRole(const Credentials& caller, const AssumeRoleRequest& req);
  Result<CallerIdentity> GetCallerIdentity(const Credentials& caller);
  // Unsigned: no Authorization header, no caller credentials. Security: the token is sent only
  // in the request body and never logged. The response is checked as AssumeRole's is.
  Result<AssumeRoleResponse> AssumeRoleWithWebIdentity(const AssumeRoleWithWebIdentityRequest& req);

  const StsClientOptions& options() const { return options_; }

 private:
  struct Reply {
    std::string body;
    std::string request_id;
  };
  // Sends one awsQuery call, signed by `caller` (unsigned when null), with retries; returns the
  // 2xx body or a mapped error.
  Result<Reply> Call(const Credentials* caller, const std::string& action,
                     const std::vector<std::pair<std::string, std::string>>& params);

  const SystemContext& sys_;
  StsClientOptions options_;
};

// The STS endpoint and signing region to use (ResolveStsEndpoint in config.h resolves it from
// explicit settings, the environment and the shared config).
struct StsEndpoint {
  std::string url;
  std::string region;          // resolved region (also what the child gets as AWS_REGION)
  std::string signing_region;  // region to sign with
  std::string source;          // where the endpoint came from, for --verbose
};

}  // namespace hubspoke
