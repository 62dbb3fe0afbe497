// The lab's console federation endpoint (signin.aws.amazon.com/federation, as documented in the
// IAM user guide, id_roles_providers_enable-console-custom-url), so that `assume-spoke-role
// console` is tested offline:
//   GET /federation?Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}
//     → 200 {"SigninToken": "…"} for a valid, unexpired lab session (its token opens under the
//     lab's key, and the key id and secret are the session's); 400 otherwise, as AWS refuses
//     long-term keys and bad sessions. SessionDuration is refused (400): AWS refuses it for
//     role-chained sessions, and the lab, which keeps no record of how a session was made,
//     treats every session as chained (the spoke sessions it serves are).
//   GET /federation?Action=login&SigninToken=…&Destination=URL[&Issuer=…]
//     → 302 to Destination for a valid sign-in token (15 minutes to use it); 400 otherwise.
// Sign-in tokens are stateless (an HMAC under a key the service draws at start), like sessions.
// Every refusal is logged with its reason; never a credential or a token.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "http_server/http_server.h"
#include "hubspoke/system.h"
#include "lab/field_sealer.h"
#include "lab/sts_service.h"

namespace hubspoke::lab {

class FederationService {
 public:
  // `sts` (its sealer and clock) and `log` must outlive the service.
  FederationService(const StsService& sts, Logger& log);

  // Whether `request` is for this endpoint (the path /federation).
  static bool Handles(const ServerRequest& request);
  // Thread-safe. Never throws.
  ServerResponse Handle(const ServerRequest& request);

  // Calls answered so far, for tests: sign-in tokens issued, logins accepted.
  std::uint64_t tokens_issued() const { return tokens_issued_.load(); }
  std::uint64_t logins() const { return logins_.load(); }

 private:
  ServerResponse GetSigninToken(const FormParams& params, TimePoint now);
  ServerResponse Login(const FormParams& params, TimePoint now);
  ServerResponse Refuse(int status, const std::string& public_text, const std::string& reason);

  const StsService& sts_;
  Logger& log_;
  const FieldSealer sealer_;  // sign-in tokens
  std::atomic<std::uint64_t> tokens_issued_{0};
  std::atomic<std::uint64_t> logins_{0};
};

}  // namespace hubspoke::lab
