// The lab's STS: a thread-safe handler turning one HTTP request into one awsQuery response.
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
};

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

  Result<Caller> Authenticate(const ServerRequest& request, TimePoint now, std::string* region);
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
  std::string RandomString(std::string_view alphabet, std::size_t length);
  std::string NewRequestId();
  void Log(LogLevel level, const std::string& message);

  const iam::Model model_;
  const Clock& clock_;
  Logger& log_;
  const StsServiceOptions options_;

  const SessionSealer sealer_;  // keyed with options.session_key, else a key derived from the seed
  std::atomic<std::uint64_t> issued_{0};

  std::mutex mu_;  // guards rng_
  std::mt19937_64 rng_;
};

}  // namespace hubspoke::lab
