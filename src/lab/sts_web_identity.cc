// The lab's AssumeRoleWithWebIdentity. Security: the token's signature is NOT verified (see
// lab/jwt.h); its iss must name an OIDC provider of the role's account in the model, its aud
// one of the provider's client ids, its exp (when present) must lie ahead, and the role's trust
// policy decides with the keys <provider>:sub, <provider>:aud and sts:RoleSessionName.
#include "core/strings.h"
#include "core/time.h"
#include "iam/explain.h"
#include "iam/web_identity_decision.h"
#include "lab/jwt.h"
#include "lab/sts_service.h"
#include "lab/sts_validation.h"
#include "lab/sts_xml_writer.h"

namespace hubspoke::lab {

Result<StsService::Reply> StsService::AssumeRoleWithWebIdentity(const FormParams& params,
                                                                TimePoint now,
                                                                const std::string& request_id) {
  ValidationErrors v;
  const std::string* role_arn = FindParam(params, "RoleArn");
  v.Required(role_arn, "roleArn");
  if (role_arn) v.Length(*role_arn, "roleArn", 20, 2048);
  const std::string* session = FindParam(params, "RoleSessionName");
  v.Required(session, "roleSessionName");
  if (session) {
    v.Length(*session, "roleSessionName", 2, 64);
    v.Pattern(*session, "roleSessionName", "[\\w+=,.@-]*", SessionNameChar);
  }
  const std::string* token = FindParam(params, "WebIdentityToken");
  v.Required(token, "webIdentityToken");
  if (token) v.Length(*token, "webIdentityToken", 4, 20000);
  std::optional<long long> duration;
  if (const std::string* d = FindParam(params, "DurationSeconds")) {
    duration = v.Integer(*d, "durationSeconds", 900, 43200);
  }
  if (!v.empty()) return v.ToError();

  auto claims = DecodeJwtClaims(*token);
  if (!claims) {
    return StsError(400, "InvalidIdentityToken", "The web identity token is malformed.",
                    "web identity token: " + claims.error().message());
  }
  const std::string denied_message = "Not authorized to perform sts:AssumeRoleWithWebIdentity";
  iam::WebIdentityInput input{.role_arn = *role_arn,
                              .session_name = *session,
                              .issuer = claims->iss,
                              .subject = claims->sub,
                              .audiences = claims->aud,
                              .expires = claims->exp,
                              .duration_seconds = duration,
                              .time = now};
  input.keys.Set("aws:SecureTransport", "true");
  const iam::HopDecision decision = iam::DecideAssumeRoleWithWebIdentity(model_, input);
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  switch (decision.refusal) {
    case iam::Refusal::kNone:
      break;
    case iam::Refusal::kNoSuchRole:
      return StsError(403, "AccessDenied", denied_message, decision.message);
    case iam::Refusal::kNoOidcProvider:
      return StsError(400, "InvalidIdentityToken",
                      "No OpenIDConnect provider found in your account for " +
                          Printable(claims->iss, 200),
                      decision.message);
    case iam::Refusal::kTokenExpired:
      return StsError(400, "ExpiredTokenException",
                      "Token expired: current date/time " + std::to_string(now_s.count()) +
                          " must be before the expiration date/time " +
                          std::to_string(claims->exp.value_or(0)));
    case iam::Refusal::kAudienceMismatch:
      return StsError(400, "InvalidIdentityToken", "Incorrect token audience", decision.message);
    case iam::Refusal::kPolicy:
      return StsError(403, "AccessDenied", denied_message,
                      "web identity (" + decision.oidc_provider->url + ", sub " +
                          Printable(claims->sub, 200) + ") → sts:AssumeRoleWithWebIdentity on " +
                          decision.role->arn + ": " + policy::DecisionName(decision.decision) +
                          ": " + iam::ExplainReasons(decision.policy_reasons));
    case iam::Refusal::kMaxSessionDuration:
      return StsError(400, "ValidationError",
                      "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                      "role.");
    default:
      return Error(ErrorCode::kInternal, std::string("unexpected refusal ") +
                                             iam::RefusalName(decision.refusal));
  }
  const iam::Role* role = decision.role;
  const iam::OidcProvider* provider = decision.oidc_provider;
  const long long seconds = decision.duration_seconds;

  auto issued = IssueSession(SessionOf(*role, *session), std::chrono::seconds(seconds), now);
  Log(LogLevel::kInfo, request_id + " AssumeRoleWithWebIdentity: " + provider->url + " sub " +
                           Printable(claims->sub, 200) + " → " + issued.arn + " (" +
                           MaskKeyId(issued.access_key_id) + ", expires " +
                           FormatRfc3339(issued.expiration) + ")");
  IssuedCredentials credentials{.access_key_id = issued.access_key_id,
                                .secret_access_key = issued.secret_access_key,
                                .session_token = issued.session_token,
                                .expiration = issued.expiration};
  return Reply{200, AssumeRoleWithWebIdentityResponseXml(
                        credentials, AssumedRoleUser{issued.arn, issued.assumed_role_id},
                        claims->sub, provider->url,
                        claims->aud.empty() ? std::string() : claims->aud.front(), std::nullopt,
                        request_id)};
}

}  // namespace hubspoke::lab
