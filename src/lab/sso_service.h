// The lab's IAM Identity Center endpoints, so that SSO profiles (the AWS CLI's `aws sso login`
// cache, and its refresh) are tested offline against the model's `identity_center`:
//   SSO OIDC (restJson, unsigned, as botocore's "sso-oidc" client sends them):
//     POST /client/register        RegisterClient {clientName, clientType: "public"}
//     POST /device_authorization   StartDeviceAuthorization {clientId, clientSecret, startUrl};
//                                  the lab has no browser sign-in: the authorization is approved
//                                  at once, as the model's login_user
//     POST /token                  CreateToken, grantType
//                                  "urn:ietf:params:oauth:grant-type:device_code" {deviceCode} or
//                                  "refresh_token" {refreshToken}: a new access token (and a new
//                                  refresh token), the client's secret checked each time
//   SSO portal:
//     GET /federation/credentials?account_id=&role_name=   GetRoleCredentials, the access token in
//                                  x-amz-sso_bearer_token: a lab session of the assigned role,
//                                  named after the user
// An Identity Center sign-in session lasts session_seconds from the device authorization:
// refresh tokens die with it (InvalidGrantException, as AWS answers an expired or unknown one),
// access tokens last access_token_seconds and never beyond it. Tokens are stateless: an HMAC under
// a key the service draws at start (a restarted lab forgets every sign-in, as if signed out).
// Errors are AWS's: x-amzn-ErrorType, {"error","error_description"} (OIDC) or {"message"}
// (portal). Every refusal is logged with its reason; never a token or a secret.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "http_server/http_server.h"
#include "hubspoke/system.h"
#include "lab/field_sealer.h"
#include "lab/sts_service.h"

namespace hubspoke::lab {

class SsoService {
 public:
  // `sts` (its model, clock and sessions) and `log` must outlive the service.
  SsoService(StsService& sts, Logger& log);

  // Whether `request` is for these endpoints (by path).
  static bool Handles(const ServerRequest& request);
  // Thread-safe. Never throws.
  ServerResponse Handle(const ServerRequest& request);

  // For tests: clients registered, CreateToken calls that issued tokens (by grant), role
  // credentials served.
  std::uint64_t clients_registered() const { return clients_.load(); }
  std::uint64_t device_grants() const { return device_grants_.load(); }
  std::uint64_t refresh_grants() const { return refresh_grants_.load(); }
  std::uint64_t role_credentials() const { return role_credentials_.load(); }

 private:
  ServerResponse RegisterClient(const std::string& body, TimePoint now);
  ServerResponse StartDeviceAuthorization(const std::string& body, TimePoint now);
  ServerResponse CreateToken(const std::string& body, TimePoint now);
  ServerResponse GetRoleCredentials(const ServerRequest& request, TimePoint now);
  // The tokens of a sign-in session of `user` ending at `session_end`, as CreateToken answers.
  ServerResponse IssueTokens(const std::string& client_id, const std::string& user,
                             TimePoint session_end, TimePoint now, const char* grant);

  // Whether `secret` is the unexpired client secret this lab gave `client_id`.
  bool ClientIsValid(const std::string& client_id, const std::string& secret, TimePoint now) const;
  ServerResponse OidcError(int status, const char* type, const char* error,
                           const std::string& description, const std::string& reason);
  ServerResponse PortalError(int status, const char* type, const std::string& message,
                             const std::string& reason);
  // A JSON answer with AWS's headers (a request id).
  ServerResponse Answer(int status, std::string body);
  void Log(const std::string& message);

  StsService& sts_;
  Logger& log_;
  const FieldSealer sealer_;  // client secrets, device codes, access and refresh tokens
  std::atomic<std::uint64_t> clients_{0};
  std::atomic<std::uint64_t> device_grants_{0};
  std::atomic<std::uint64_t> refresh_grants_{0};
  std::atomic<std::uint64_t> role_credentials_{0};
  std::atomic<std::uint64_t> access_tokens_{0};  // numbers the access tokens in the log
};

}  // namespace hubspoke::lab
