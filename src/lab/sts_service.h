// The lab's STS: a thread-safe handler turning one HTTP request into one awsQuery response.
// AssumeRole (all parameters), GetCallerIdentity and AssumeRoleWithWebIdentity, with SigV4
// verification, policy evaluation (trust + identity + boundary + session policies + SCPs, via
// src/policy/), AWS's validation and error bodies, a sessions table and a clock. Every refusal
// is logged with its reason (policy, statement, condition); the HTTP body says only what AWS
// says.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/percent_encoding.h"
#include "hubspoke/result.h"
#include "hubspoke/system.h"
#include "lab/model.h"
#include "lab/sigv4_verify.h"
#include "policy/request_context.h"
#include "server/http_server.h"

namespace hubspoke::lab {

struct StsServiceOptions {
  std::uint64_t seed = 0;  // ids, keys and tokens come from a generator seeded with this
  std::string region;      // empty: accept any well-formed signing region
  // The lab's clock runs this far ahead of `clock` (negative: behind), e.g. from --faults skew=.
  std::chrono::seconds clock_skew{0};
  // Expired sessions are forgotten this long after expiry (until then: ExpiredToken).
  std::chrono::seconds keep_expired{3600};
  // Test mode (--session-lifetime): issued sessions expire after at most this long, whatever
  // duration was asked for and whatever the response says is the usual minimum, so that
  // refreshing clients can be tested in seconds. 0: the requested duration.
  std::chrono::seconds max_session_lifetime{0};
  // Room for this many sessions from the start: rehashing a map of hundreds of thousands of
  // sessions stalls every worker (it happens under the service's lock).
  std::size_t expected_sessions = 0;
};

// One issued session (a role session from AssumeRole or AssumeRoleWithWebIdentity).
struct LabSession {
  std::string access_key_id;  // ASIA… (20 characters)
  std::string secret_access_key;
  std::string session_token;
  TimePoint expiration;
  const Role* role = nullptr;  // points into the service's model
  std::string session_name;
  std::string arn;              // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
  std::string assumed_role_id;  // AROA…:SESSION
  std::string source_identity;
  std::map<std::string, std::string> tags;      // session tags (incl. inherited transitive)
  std::vector<std::string> transitive_tag_keys;
  std::vector<policy::NamedPolicy> session_policies;
  bool mfa = false;  // aws:MultiFactorAuthPresent of the session
};

// The lab's explanation of a policy decision, one line: every reason with its policy,
// statement and failed conditions ("trust policy of arn:…, statement 'TrustTheHubRole':
// … [StringEquals sts:ExternalId: …]").
std::string ExplainReasons(const std::vector<policy::Reason>& reasons);

class StsService {
 public:
  // `clock` and `log` must outlive the service.
  StsService(Model model, const Clock& clock, Logger& log, StsServiceOptions options = {});
  StsService(const StsService&) = delete;
  StsService& operator=(const StsService&) = delete;

  // Thread-safe. Never throws.
  ServerResponse Handle(const ServerRequest& request);
  // A Handler for HttpServer::Start; the service must outlive the server.
  Handler AsHandler();

  const Model& model() const { return model_; }
  std::size_t session_count() const;
  TimePoint Now() const;  // the lab's clock (with skew)

 private:
  struct Caller {
    policy::Principal principal;
    const User* user = nullptr;
    std::shared_ptr<const LabSession> session;
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
  // Issues credentials for a new session of `role` and stores it.
  std::shared_ptr<const LabSession> IssueSession(LabSession session, std::chrono::seconds duration,
                                                 TimePoint now);
  std::optional<KeyInfo> LookupKey(std::string_view access_key_id) const;
  std::string RandomString(std::string_view alphabet, std::size_t length);
  std::string NewRequestId();
  void Log(LogLevel level, const std::string& message);

  const Model model_;
  const Clock& clock_;
  Logger& log_;
  const StsServiceOptions options_;

  mutable std::mutex mu_;  // guards everything below
  std::mt19937_64 rng_;
  std::unordered_map<std::string, std::shared_ptr<const LabSession>> sessions_;
  // The sessions by expiration, soonest first, so forgetting old ones costs O(log n) per
  // session instead of a scan of all of them.
  using Expiry = std::pair<TimePoint, std::string>;
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> expiries_;
};

}  // namespace hubspoke::lab
