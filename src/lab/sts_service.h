// The lab's STS: a thread-safe handler turning one HTTP request into one awsQuery response.
// Requests with `X-Amz-Target: AWSOrganizationsV20161128.<Action>` go to the lab's AWS
// Organizations API instead (JSON 1.1, organizations_service.cc), decided by
// iam/organizations_decision.h. STS requests are rate-limited per calling account
// (rate_limiter.h) when sts_rate is set.
// AssumeRole (all parameters), GetCallerIdentity and AssumeRoleWithWebIdentity, with SigV4
// verification, the authorization decisions of src/iam/ (trust + identity + boundary + session
// policies + SCPs; iam/assume_role_decision.h, iam/web_identity_decision.h), AWS's validation
// and error bodies, stateless sessions (lab/session_token.h) and a clock. Every refusal is
// logged with its reason (policy, statement, condition, iam/explain.h); the HTTP body says only
// what AWS says.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/percent_encoding.h"
#include "hubspoke/result.h"
#include "hubspoke/system.h"
#include "iam/caller.h"
#include "iam/model.h"
#include "lab/rate_limiter.h"
#include "lab/session_token.h"
#include "lab/sigv4_verify.h"
#include "policy/request_context.h"
#include "http_server/http_server.h"

namespace hubspoke::lab {

struct StsServiceOptions {
  std::uint64_t seed = 0;  // ids, keys and tokens come from a generator seeded with this
  // The key session tokens are sealed with (session_token.h). Empty: derived from `seed`, so a
  // seeded lab is reproducible and accepts its predecessor's sessions. Security: a lab without
  // --seed gets 32 random bytes here; a seed is guessable, a random key is not.
  std::string session_key;
  std::string region;      // empty: accept any well-formed signing region
  // The lab's clock runs this far ahead of `clock` (negative: behind), e.g. from --faults skew=.
  std::chrono::seconds clock_skew{0};
  // Test mode (--session-lifetime): issued sessions expire after at most this long, whatever
  // duration was asked for and whatever the response says is the usual minimum, so that
  // refreshing clients can be tested in seconds. 0: the requested duration.
  std::chrono::seconds max_session_lifetime{0};
  // --sts-rate / --sts-burst: signed STS requests per second per calling account (token bucket,
  // rate_limiter.h); 0: unlimited. Over the limit: 400 Throttling "Rate exceeded".
  double sts_rate = 0;
  double sts_burst = 0;  // 0: sts_rate rounded up
  // --sts-latency: added to every STS response by LabServer through the HTTP server's
  // non-blocking fault delay (no worker thread waits). Not applied by Handle itself.
  std::chrono::milliseconds sts_latency{0};
  // --log-requests: one line per STS and Organizations request on the log (kInfo):
  // "lab: request t=1764842000.123 service=sts action=AssumeRole caller=999999999999 status=400
  // code=Throttling" (caller "-" when the request was not authenticated). Never a secret.
  bool log_requests = false;
};

// The X-Amz-Target prefix of the Organizations API.
inline constexpr char kOrganizationsTargetPrefix[] = "AWSOrganizationsV20161128.";
// Whether `request` is for the Organizations API (by its X-Amz-Target header), not STS.
bool IsOrganizationsRequest(const ServerRequest& request);

// One session (from AssumeRole or AssumeRoleWithWebIdentity), as issued or as read back from
// the session token a caller signs with.
struct LabSession {
  std::string access_key_id;  // ASIA… (20 characters)
  std::string secret_access_key;
  std::string session_token;
  TimePoint expiration;
  const iam::Role* role = nullptr;  // points into the service's model
  std::string session_name;
  std::string arn;              // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
  std::string assumed_role_id;  // AROA…:SESSION
  std::string source_identity;
  std::map<std::string, std::string> tags;      // session tags (incl. inherited transitive)
  std::vector<std::string> transitive_tag_keys;
  std::optional<std::string> session_policy;  // the inline Policy it was issued with
  std::vector<std::string> policy_arns;       // and the managed ones (PolicyArns)
  bool mfa = false;  // aws:MultiFactorAuthPresent of the session
  std::optional<TimePoint> mfa_time;  // when its MFA code was checked: aws:MultiFactorAuthAge
};

// A new session of `role` named `session_name`: role, name, assumed-role ARN and role id set.
LabSession SessionOf(const iam::Role& role, std::string session_name);
// What the IAM decision needs of a session: name, source identity, tags, policies, MFA.
iam::SessionState StateOf(const LabSession& session);

class StsService {
 public:
  // `clock` and `log` must outlive the service.
  StsService(iam::Model model, const Clock& clock, Logger& log, StsServiceOptions options = {});
  StsService(const StsService&) = delete;
  StsService& operator=(const StsService&) = delete;

  // Thread-safe. Never throws.
  ServerResponse Handle(const ServerRequest& request);
  // A Handler for HttpServer::Start; the service must outlive the server.
  Handler AsHandler();

  const iam::Model& model() const { return model_; }
  // Sessions issued since the start (the lab keeps none of them: see session_token.h).
  std::uint64_t sessions_issued() const { return issued_.load(std::memory_order_relaxed); }
  TimePoint Now() const;  // the lab's clock (with skew)
  const StsServiceOptions& options() const { return options_; }
  // The sealer of this lab's session tokens, for the lab's other endpoints that take a session
  // (the console federation endpoint, federation_service.h).
  const SessionSealer& sealer() const { return sealer_; }
  // A new session of `role` named `session_name`, for Identity Center's GetRoleCredentials
  // (sso_service.h; the account assignment is its authorization: no caller, no policy).
  LabSession IssueRoleSession(const iam::Role& role, std::string session_name,
                              std::chrono::seconds duration);
  // Identifiers, not secrets (from the lab's seeded generator): `length` letters of `alphabet`,
  // and a request id like AWS's (a version-4 UUID). Thread-safe.
  std::string RandomString(std::string_view alphabet, std::size_t length);
  std::string NewRequestId();

 private:
  struct Caller {
    policy::Principal principal;
    const iam::User* user = nullptr;
    std::optional<LabSession> session;
  };
  struct Reply {
    int status = 200;
    std::string body;
  };

  Result<Caller> Authenticate(const ServerRequest& request, TimePoint now, std::string* region,
                              const std::string& service = "sts");
  // The Organizations API (organizations_service.cc): the whole response, and the caller's
  // account (empty when not authenticated), its action and error code for the request log.
  ServerResponse HandleOrganizations(const ServerRequest& request, TimePoint now,
                                     const std::string& request_id, std::string* action,
                                     std::string* caller_account, std::string* error_code);
  void LogRequest(TimePoint now, std::string_view service, std::string_view action,
                  std::string_view caller_account, int status, std::string_view error_code);
  Result<Reply> GetCallerIdentity(const Caller& caller, const std::string& request_id);
  Result<Reply> AssumeRole(const Caller& caller, const FormParams& params, TimePoint now,
                           const std::string& region, const ServerRequest& request,
                           const std::string& request_id);
  Result<Reply> AssumeRoleWithWebIdentity(const FormParams& params, TimePoint now,
                                          const std::string& request_id);
  // Issues the access key, secret and token of a new session of `session.role`.
  LabSession IssueSession(LabSession session, std::chrono::seconds duration, TimePoint now);
  // The request's key: a model user's, or a session's read from its token.
  Result<KeyInfo> LookupKey(std::string_view access_key_id, const std::string* token,
                            std::optional<LabSession>* session) const;
  void Log(LogLevel level, const std::string& message);

  const iam::Model model_;
  const Clock& clock_;
  Logger& log_;
  const StsServiceOptions options_;

  const SessionSealer sealer_;
  RateLimiter sts_limiter_;  // keyed with options.session_key, else a key derived from the seed
  std::atomic<std::uint64_t> issued_{0};

  std::mutex mu_;  // guards rng_
  // The TOTP steps each seeded MFA device has used: STS takes a code once.
  std::mutex mfa_mu_;
  std::map<std::string, std::set<std::uint64_t>> used_mfa_steps_;
  std::mt19937_64 rng_;
};

}  // namespace hubspoke::lab
