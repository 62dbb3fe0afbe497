// The AssumeRoleWithWebIdentity decision (see web_identity_decision.h), in the order STS checks.
#include "iam/web_identity_decision.h"

#include "core/strings.h"

namespace hubspoke::iam {
HopDecision DecideAssumeRoleWithWebIdentity(const Model& model, const WebIdentityInput& input) {
  HopDecision d;
  d.action = "sts:AssumeRoleWithWebIdentity";
  d.duration_seconds = input.duration_seconds.value_or(3600);
  std::string issuer = input.issuer;
  if (issuer.rfind("https://", 0) == 0) issuer = issuer.substr(8);
  while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();

  d.role = model.FindRole(input.role_arn);
  if (!d.role) {
    return Refuse(std::move(d), Refusal::kNoSuchRole, Side::kRole,
                  "AssumeRoleWithWebIdentity on " + Printable(input.role_arn) +
                      ": the model has no such role");
  }
  const Role& role = *d.role;
  d.oidc_provider = model.FindOidcProvider(role.account, issuer);
  if (!d.oidc_provider) {
    return Refuse(std::move(d), Refusal::kNoOidcProvider, Side::kRequest,
                  "the model lists no OIDC provider '" + Printable(issuer, 200) +
                      "' in account " + role.account);
  }
  const OidcProvider& provider = *d.oidc_provider;
  if (input.expires && input.time) {
    const auto now_s =
        std::chrono::duration_cast<std::chrono::seconds>(input.time->time_since_epoch());
    if (*input.expires <= now_s.count()) {
      return Refuse(std::move(d), Refusal::kTokenExpired, Side::kRequest,
                    "the token expired at " + std::to_string(*input.expires) + ", before " +
                        std::to_string(now_s.count()));
    }
  }
  bool audience_ok = provider.client_ids.empty();
  for (const std::string& aud : input.audiences) {
    for (const std::string& id : provider.client_ids) audience_ok = audience_ok || aud == id;
  }
  if (!audience_ok) {
    return Refuse(std::move(d), Refusal::kAudienceMismatch, Side::kRequest,
                  "the token's aud is not among the client ids of " + provider.arn);
  }

  policy::RequestContext context;
  context.principal =
      policy::Principal{.type = policy::PrincipalType::kWebIdentity, .arn = provider.arn};
  context.action = d.action;
  context.resource = role.arn;
  context.time = input.time;
  context.keys = input.keys;
  context.keys.Set(provider.url + ":sub", input.subject);
  context.keys.SetMulti(provider.url + ":aud", input.audiences);
  context.keys.Set("sts:RoleSessionName", input.session_name);
  std::vector<policy::NamedPolicy> trust = {role.trust_policy};
  policy::Evaluation ev = policy::Evaluate(trust, context);
  d.decision = ev.decision;
  d.policy_reasons = ev.reasons;
  d.message = ev.message;
  d.reasons = ResolveReasons(ev.reasons, d.action, {});
  if (ev.decision != policy::Decision::kAllow) {
    d.refusal = Refusal::kPolicy;
    d.side = d.reasons.empty() ? Side::kTrustPolicy : d.reasons.front().side;
    return d;
  }
  return CheckMaxSessionDuration(std::move(d), role);
}

}  // namespace hubspoke::iam
