// Every base-credentials source the AWS SDKs know, as CredentialsProviders, and the default
// chain that tries them in the SDKs' order. Each provider returns kNotConfigured when its source
// is absent (the chain moves on) and any other error when the source is present but broken (the
// chain stops with that error, naming the source). No provider logs or returns a secret.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hubspoke/assume_role_provider.h"
#include "hubspoke/profile.h"
#include "hubspoke/credentials_provider.h"
#include "hubspoke/sts_client.h"
#include "hubspoke/system.h"

namespace hubspoke {

// ---- credential_process -------------------------------------------------------------------
// Runs `command` through /bin/sh -c (as the AWS CLI does on POSIX) on every GetCredentials, with
// sys.env.All() as its environment, stdin from /dev/null and stderr passed through; reads its
// stdout (at most 1 MiB) as
// {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}.
// The command runs in a process group of its own; a run longer than `timeout` is a kTimeout
// error and the whole group is killed (SIGTERM, then SIGKILL 300 ms later). While it runs it
// owns the terminal when we do, so a helper may prompt on /dev/tty (an MFA code).
// A non-zero exit (with its status, or the signal), bad JSON, a missing or mistyped field, a
// Version other than 1, an unparsable or past Expiration, or too much output is a
// kMisconfigured error naming the profile. Security: neither stdout nor the command line is
// ever echoed in errors or logs (they may hold secrets).
// Loops: the command gets ASSUME_SPOKE_ROLE_PROFILE_CHAIN, the chain of profiles being resolved
// (the one inherited from our environment, then `profile_chain`, else `profile_name`), one per
// line. A profile provider that is asked to enter a profile already on the inherited chain
// fails with "credential_process loop: a → b → a" (kMisconfigured), as it does when the chain
// is 8 helpers deep: a helper that calls this tool back with its own profile is stopped at once.
struct ProcessProviderOptions {
  std::string command;
  std::string profile_name;  // for messages: "profile dev: credential_process …"
  // The profiles resolved in this process that led to this one, outermost first, ending with
  // it (source_profile chains); empty means {profile_name}.
  std::vector<std::string> profile_chain;
  std::chrono::milliseconds timeout{60000};
};
std::unique_ptr<CredentialsProvider> MakeProcessCredentialsProvider(const SystemContext& sys,
                                                                    ProcessProviderOptions options);

// ---- web identity (OIDC) --------------------------------------------------------------------
// AssumeRoleWithWebIdentity with the token read from `token_file` on every call (CI systems and
// EKS rotate it) and trimmed. The request is unsigned. An empty or unreadable file is
// kMisconfigured naming the file and `source`; a role that is not a full role ARN, or a bad
// session name, kInvalidArgument. STS's refusals of the token (InvalidIdentityToken,
// ExpiredTokenException, IDPRejectedClaim, AccessDenied) are kAccessDenied with a hint;
// IDPCommunicationError is retried like throttling.
struct WebIdentityProviderOptions {
  std::string role_arn;
  std::string token_file;
  std::string session_name;  // empty: "assume-spoke-role-<unix ms>" as the SDKs do
  std::string source;        // for messages: "AWS_WEB_IDENTITY_TOKEN_FILE" or "profile ci"
  std::optional<std::chrono::seconds> duration;
  StsClientOptions sts;  // endpoint and region to call
};
// Not configured when both role_arn and token_file are empty; misconfigured when only one is set
// or the file cannot be read.
std::unique_ptr<CredentialsProvider> MakeWebIdentityCredentialsProvider(
    const SystemContext& sys, WebIdentityProviderOptions options);
// From AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME (an empty value
// counts as unset). Neither of the first two set: not configured; only one: misconfigured,
// naming the other (botocore skips a lone AWS_ROLE_ARN; we stop and say what is missing).
std::unique_ptr<CredentialsProvider> MakeEnvironmentWebIdentityCredentialsProvider(
    const SystemContext& sys, StsClientOptions sts);

// ---- IAM Identity Center (SSO) --------------------------------------------------------------
// Credentials from the token `aws sso login` cached in ~/.aws/sso/cache/<sha1>.json (the SHA-1
// of the sso_session name, or of sso_start_url for legacy profiles), exchanged with the portal's
// GetRoleCredentials (GET https://portal.sso.<region>.amazonaws.com/federation/credentials,
// header x-amz-sso_bearer_token). The caller (the profile provider) resolves
// AWS_ENDPOINT_URL_SSO or `[services]` sso endpoint_url into portal_endpoint; this provider reads
// no endpoint variable itself (nor AWS_ENDPOINT_URL_SSO_OIDC / `[services]` sso_oidc, resolved
// into oidc_endpoint). An sso-session token within 15 minutes of its expiry is refreshed as
// botocore's SSOTokenProvider does: SSO-OIDC CreateToken (POST <oidc>/token, grant
// refresh_token, with the cached clientId, clientSecret and refreshToken, while the client
// registration is valid), and the cache file rewritten atomically (mode 0600, unknown fields
// kept, a symbolic link refused); once per process, whatever the threads. A failed refresh keeps
// a token that is still valid. Legacy sso_start_url profiles are not refreshed. An absent or
// expired token is a kMisconfigured error telling the user to run `aws sso login --sso-session
// NAME` (`--profile NAME` for legacy profiles). The portal's 401
// (UnauthorizedException: log in again) and 403 (ForbiddenException: no access to that role in
// that account) are kAccessDenied with a hint; 429 and 5xx are retried (3 attempts).
struct SsoProviderOptions {
  std::string profile_name;
  std::string sso_session_name;  // empty for legacy profiles
  std::string start_url;
  std::string sso_region;
  std::string account_id;
  std::string role_name;
  std::string portal_endpoint;  // empty: https://portal.sso.<sso_region>.amazonaws.com
  std::string oidc_endpoint;    // empty: https://oidc.<sso_region>.amazonaws.com
  std::string cache_dir;        // empty: $HOME/.aws/sso/cache (HOME from sys.env)
};
std::unique_ptr<CredentialsProvider> MakeSsoCredentialsProvider(const SystemContext& sys,
                                                                SsoProviderOptions options);

// ---- containers (ECS, EKS Pod Identity, CodeBuild) ---------------------------------------
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (http://169.254.170.2 + it; it must start with '/') or
// AWS_CONTAINER_CREDENTIALS_FULL_URI (https anywhere; http only to loopback — 127.0.0.0/8, ::1,
// the name localhost, not resolved — or the ECS and EKS link-local addresses 169.254.170.2 /
// 169.254.170.23 / fd00:ec2::23, else kMisconfigured); the relative URI wins when both are set,
// as in every SDK. The Authorization header comes from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
// (re-read and trimmed on every call; unreadable or empty: kMisconfigured) or
// AWS_CONTAINER_AUTHORIZATION_TOKEN; a token with a line break is refused. The answer is
// {"AccessKeyId", "SecretAccessKey", "Token"?, "Expiration"?}. Network failures, 429 and 5xx are
// retried (3 attempts of 2 s, backoff 100/200 ms via sys.clock); other statuses are reported with
// the endpoint's JSON code and message, never its raw body. Not configured when neither URI
// variable is set; any failure after that is an error (the chain stops). Describe():
// "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)" (or _RELATIVE_URI).
std::unique_ptr<CredentialsProvider> MakeContainerCredentialsProvider(const SystemContext& sys);

// ---- EC2 instance metadata (IMDSv2) ---------------------------------------------------------
// PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds: 21600; the token is kept in the
// provider until a minute before its TTL), then GET /latest/meta-data/iam/security-credentials/
// (role name, first line) and …/<role> ({"Code": "Success", "AccessKeyId", "SecretAccessKey",
// "Token", "Expiration"}), each with X-aws-ec2-metadata-token; a 401 fetches a new token once and
// repeats the GET. The endpoint is options.endpoint (e.g. ec2_metadata_service_endpoint), else
// AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254 (or http://[fd00:ec2::254] for
// AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6). AWS_METADATA_SERVICE_TIMEOUT (seconds, may be
// fractional) and AWS_METADATA_SERVICE_NUM_ATTEMPTS override the options; each request is tried
// up to `attempts` times on network errors, timeouts and 5xx.
// Not configured (the chain moves on) when: AWS_EC2_METADATA_DISABLED=true (any case); nothing
// answers the token PUT (refused, timed out: "no EC2 instance metadata service at … (timed out
// after 1 s)"); the PUT is answered 403 (IMDS turned off for the instance); the instance has no
// role (404 or empty listing). A PUT answered 404/405 falls back to IMDSv1 (no token) as
// botocore, the JS and the Go SDKs do, unless AWS_EC2_METADATA_V1_DISABLED=true (then
// kMisconfigured). A role without credentials (404) or a Code other than Success is
// kMisconfigured; other failures once IMDS has answered are errors too. Credentials always carry
// a session token and an expiration. Describe(): "EC2 instance metadata (role NAME)" after a
// success, "EC2 instance metadata" before.
struct ImdsProviderOptions {
  std::string endpoint;  // empty: from the environment as above
  std::chrono::milliseconds timeout{1000};
  int attempts = 1;
};
std::unique_ptr<CredentialsProvider> MakeImdsCredentialsProvider(const SystemContext& sys,
                                                                 ImdsProviderOptions options = {});

// ---- profiles --------------------------------------------------------------------------------
// MfaCodeReader and TerminalMfaCodeReader (the default: a prompt on /dev/tty, never stdout) are
// in assume_role_provider.h; the profile's role chain as data is in chain_plan.h.

struct ProfileProviderOptions {
  std::string profile_name;  // resolved already (see SelectedProfileName)
  bool explicit_profile = false;  // named by --profile / AWS_PROFILE: a missing one is an error
  MfaCodeReader mfa_reader;  // empty: TerminalMfaCodeReader()
  // STS for role_arn hops and web identity. An empty endpoint is resolved from the environment
  // and each profile's own region and endpoint settings (see config.h).
  StsClientOptions sts;
};
// One named profile, resolved as the SDKs do: role_arn with source_profile (chains of any
// depth, loops reported with their path) or credential_source (Environment, Ec2InstanceMetadata,
// EcsContainer), with external_id, role_session_name, duration_seconds, mfa_serial; or
// web_identity_token_file + role_arn; or sso_session / sso_start_url; or static keys; or
// credential_process. Not configured when the profile does not exist and was not named
// explicitly. `profiles` must outlive the provider.
std::unique_ptr<CredentialsProvider> MakeProfileCredentialsProvider(const SystemContext& sys,
                                                                    const ProfileSet& profiles,
                                                                    ProfileProviderOptions options);

// ---- the default chain -----------------------------------------------------------------------
struct DefaultChainOptions {
  std::string profile;  // --profile; when set the environment variables are skipped, as in the CLI
  MfaCodeReader mfa_reader;
  StsClientOptions sts;  // as in ProfileProviderOptions
};
// environment → the profile (AWS_PROFILE / default) → web identity from the environment →
// container → EC2 instance metadata. The first source that is present wins; a present but broken
// source stops the chain; when none is present the error lists every source and why it was
// skipped. Describe() names the source that supplied the credentials (after a success).
// `profiles` must outlive the provider.
std::unique_ptr<CredentialsProvider> MakeDefaultCredentialsChain(const SystemContext& sys,
                                                                 const ProfileSet& profiles,
                                                                 DefaultChainOptions options = {});

}  // namespace hubspoke
