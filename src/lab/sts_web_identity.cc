// The lab's AssumeRoleWithWebIdentity. Security: the token's signature is NOT verified (see
// lab/jwt.h); its iss must name an OIDC provider of the role's account in the model, its aud
// one of the provider's client ids, its exp (when present) must lie ahead, and the role's trust
// policy decides with the keys <provider>:sub, <provider>:aud and sts:RoleSessionName.
#include "core/strings.h"
#include "core/time.h"
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
  std::string issuer = claims->iss;
  if (issuer.rfind("https://", 0) == 0) issuer = issuer.substr(8);
  while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
  const std::string denied_message = "Not authorized to perform sts:AssumeRoleWithWebIdentity";
  const Role* role = model_.FindRole(*role_arn);
  if (!role) {
    return StsError(403, "AccessDenied", denied_message,
                    "AssumeRoleWithWebIdentity on " + Printable(*role_arn) +
                        ": the model has no such role");
  }
  const OidcProvider* provider = model_.FindOidcProvider(role->account, issuer);
  if (!provider) {
    return StsError(400, "InvalidIdentityToken",
                    "No OpenIDConnect provider found in your account for " +
                        Printable(claims->iss, 200),
                    "the model lists no OIDC provider '" + Printable(issuer, 200) +
                        "' in account " + role->account);
  }
  if (claims->exp) {
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
    if (*claims->exp <= now_s.count()) {
      return StsError(400, "ExpiredTokenException",
                      "Token expired: current date/time " + std::to_string(now_s.count()) +
                          " must be before the expiration date/time " +
                          std::to_string(*claims->exp));
    }
  }
  bool audience_ok = provider->client_ids.empty();
  for (const std::string& aud : claims->aud) {
    for (const std::string& id : provider->client_ids) audience_ok = audience_ok || aud == id;
  }
  if (!audience_ok) {
    return StsError(400, "InvalidIdentityToken", "Incorrect token audience",
                    "the token's aud is not among the client ids of " + provider->arn);
  }

  policy::RequestContext context;
  context.principal = policy::Principal{.type = policy::PrincipalType::kWebIdentity,
                                        .arn = provider->arn};
  context.action = "sts:AssumeRoleWithWebIdentity";
  context.resource = role->arn;
  context.time = now;
  context.keys.Set(provider->url + ":sub", claims->sub);
  context.keys.SetMulti(provider->url + ":aud", claims->aud);
  context.keys.Set("sts:RoleSessionName", *session);
  context.keys.Set("aws:SecureTransport", "true");
  std::vector<policy::NamedPolicy> trust = {role->trust_policy};
  policy::Evaluation ev = policy::Evaluate(trust, context);
  if (ev.decision != policy::Decision::kAllow) {
    return StsError(403, "AccessDenied", denied_message,
                    "web identity (" + provider->url + ", sub " + Printable(claims->sub, 200) +
                        ") → sts:AssumeRoleWithWebIdentity on " + role->arn + ": " +
                        policy::DecisionName(ev.decision) + ": " + ExplainReasons(ev.reasons));
  }
  const long long seconds = duration.value_or(3600);
  if (seconds > role->max_session_duration.count()) {
    return StsError(400, "ValidationError",
                    "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                    "role.");
  }

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
