// SmallestFix: from the decisive reason of a refusal (and, for a trust policy that allows no
// one, from its statements' own reasons) to one change. The order of preference follows what
// is least privileged and least work: fix a request parameter before a policy, narrow a deny
// before removing it, add a principal to an existing statement before writing a new one.
#include "trust/explain_fix.h"

#include "core/strings.h"

namespace hubspoke::trust {
namespace {

using policy::ReasonCode;

std::string Statement(const iam::DecisionReason& r) {
  std::string s = r.statement_index ? "statement #" + std::to_string(*r.statement_index + 1)
                                    : std::string("a statement");
  if (!r.sid.empty()) s += " (Sid '" + r.sid + "')";
  return s;
}

std::string Quoted(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += ", ";
    out += "\"" + Printable(v, 200) + "\"";
  }
  return out;
}

std::string ExternalIdFlag(const FixContext& ctx) {
  return ctx.hop == "hub" ? "--hub-external-id (or --external-id, ASSUME_ROLE_EXTERNAL_ID)"
                          : "--spoke-external-id (or --external-id, ASSUME_ROLE_EXTERNAL_ID)";
}

// What the trust policy should name for this caller: the user, or the role of a session.
std::string TrustedArn(const FixContext& ctx) {
  if (ctx.caller == nullptr) return "the caller";
  if (ctx.caller->role) return ctx.caller->role->arn;
  return ctx.caller->principal.arn;
}

std::string ConditionFix(const iam::DecisionReason& r, const policy::ConditionFailure& c,
                         const FixContext& ctx, const iam::Model& model) {
  const std::string where = Statement(r) + " of " + r.policy;
  const std::string key = ToLower(c.key);
  if (key == "sts:externalid") {
    if (!c.actual) {
      return "pass the external id that " + where + " requires: " + ExternalIdFlag(ctx);
    }
    return "the external id passed does not match the one " + where + " requires: pass that "
           "one with " + ExternalIdFlag(ctx) + ", or change the condition";
  }
  if (key == "aws:principalorgid") {
    const std::string caller_account = ctx.caller ? ctx.caller->principal.account : "";
    if (!c.actual) {
      return "the caller's account " + caller_account + " is in no organization, but " + where +
             " requires aws:PrincipalOrgID " + Quoted(c.expected) +
             ": move the account into the organization, or trust it another way";
    }
    return where + " requires aws:PrincipalOrgID " + Quoted(c.expected) + " but the caller is in " +
           Quoted(*c.actual) + ": put the organization id " +
           (model.organization_id.empty() ? Quoted(*c.actual) : "\"" + model.organization_id + "\"") +
           " in the condition";
  }
  if (key == "aws:principalarn") {
    return "add " + TrustedArn(ctx) + " to the " + c.operator_name + " aws:PrincipalArn values of " +
           where;
  }
  if (key == "aws:multifactorauthpresent" || key == "aws:multifactorauthage") {
    return where + " requires MFA (" + c.operator_name + " " + c.key +
           "): call with an MFA device of the user, or drop the condition for this automation";
  }
  if (key == "aws:sourceidentity" || key == "sts:sourceidentity") {
    return "set the source identity " + where + " expects (--source-identity), or change its " +
           c.key + " condition";
  }
  if (key == "sts:rolesessionname") {
    return "use a session name " + where + " accepts (--session-string), or change its " +
           c.key + " condition";
  }
  std::string have = !c.actual ? std::string("the request has no ") + c.key
                               : "the request has " + Quoted(*c.actual);
  return "make the request satisfy " + c.operator_name + " " + c.key +
         (c.redacted ? std::string() : " " + Quoted(c.expected)) + " of " + where + " (" + have +
         "), or change the condition";
}

// A trust policy allowed no one: the statement that came closest decides the fix.
std::string TrustFix(const iam::HopDecision& d, const iam::Model& model, const FixContext& ctx) {
  const iam::DecisionReason* condition = nullptr;
  const iam::DecisionReason* action = nullptr;
  const iam::DecisionReason* principal = nullptr;
  for (const iam::DecisionReason& r : d.reasons) {
    if (r.side != iam::Side::kTrustPolicy || !r.code) continue;
    if (*r.code == ReasonCode::kConditionNotMet && !condition) condition = &r;
    if (*r.code == ReasonCode::kActionNotMatched && !action) action = &r;
    if (*r.code == ReasonCode::kPrincipalNotMatched && !principal) principal = &r;
  }
  if (condition && !condition->conditions.empty()) {
    return ConditionFix(*condition, condition->conditions.front(), ctx, model);
  }
  const std::string role = d.role ? d.role->arn : ctx.role_arn;
  if (action) {
    return "add " + d.action + " to the Action of " + Statement(*action) +
           " of the trust policy of " + role;
  }
  if (principal) {
    return "add " + TrustedArn(ctx) + " to the Principal of " + Statement(*principal) +
           " of the trust policy of " + role;
  }
  return "add a statement to the trust policy of " + role + " that allows " + d.action +
         " for " + TrustedArn(ctx) + " (`assume-spoke-role policy " +
         (ctx.hop == "hub" ? "hub-trust" : "spoke-trust") + "` prints one)";
}

// The policy a policy-level reason is about: its own name, else the first supporting reason's
// of the same side ("permissions boundary of role hub"), else `fallback`.
std::string PolicyOf(const iam::HopDecision& d, const iam::DecisionReason& r,
                     const std::string& fallback) {
  if (!r.policy.empty()) return r.policy;
  for (const iam::DecisionReason& other : d.reasons) {
    if (other.side == r.side && !other.policy.empty()) return other.policy;
  }
  return fallback;
}

}  // namespace

std::string SmallestFix(const iam::HopDecision& d, const iam::Model& model,
                        const FixContext& ctx) {
  const std::string role = d.role ? d.role->arn : ctx.role_arn;
  const std::string caller = ctx.caller ? ctx.caller->principal.arn : std::string("the caller");
  switch (d.refusal) {
    case iam::Refusal::kNone:
      return "";
    case iam::Refusal::kNoSuchRole:
      return "create the role " + role + " (`assume-spoke-role policy " +
             (ctx.hop == "hub" ? "hub-trust" : "spoke-trust") +
             "` prints its trust policy), or fix the " + ctx.hop + " account and role flags";
    case iam::Refusal::kMfaFailed:
      return "give an MFA device the world lists for " + caller + " with a 6-digit code";
    case iam::Refusal::kSourceIdentityChanged:
      return "drop --source-identity, or pass the one the calling session already carries: a "
             "role chain cannot change it";
    case iam::Refusal::kRoleChainingLimit:
      return "ask for 3600 s or less (--duration): role chaining caps sessions at 1 h";
    case iam::Refusal::kMaxSessionDuration:
      return "ask for at most " + std::to_string(d.role ? d.role->max_session_duration.count() : 3600) +
             " s (--duration), or raise the MaxSessionDuration of " + role;
    case iam::Refusal::kPolicy:
      break;
    default:
      return "";
  }
  if (d.reasons.empty() || !d.reasons.front().code) return "";
  const iam::DecisionReason& r = d.reasons.front();
  switch (*r.code) {
    case ReasonCode::kExplicitDeny:
      if (r.side == iam::Side::kScp) {
        return r.policy + " denies " + d.action + " in " + Statement(r) + ": exempt " +
               TrustedArn(ctx) +
               " (e.g. a condition ArnNotLike aws:PrincipalArn on that statement) or detach it";
      }
      return "remove or narrow " + Statement(r) + " of " + r.policy + ", which denies " +
             d.action + " for this request";
    case ReasonCode::kNoScpAllow:
      return "no SCP attached at " + (r.scp_node ? std::string(iam::ScpLevelName(r.scp_node->level)) +
                                                       (r.scp_node->level == iam::ScpNode::Level::kRoot
                                                            ? std::string()
                                                            : " " + r.scp_node->id)
                                                 : std::string("a node")) +
             " allows " + d.action + ": attach FullAWSAccess there, or an SCP that allows it";
    case ReasonCode::kNoIdentityAllow:
      return "add to an identity policy of " + caller + ": {\"Effect\": \"Allow\", \"Action\": \"" +
             d.action + "\", \"Resource\": \"" + role + "\"}";
    case ReasonCode::kNoBoundaryAllow:
      return "allow " + d.action + " on " + role + " in the " +
             PolicyOf(d, r, "permissions boundary of " + caller);
    case ReasonCode::kNoSessionPolicyAllow:
      return "the calling session's own policies (" +
             PolicyOf(d, r, "its session policies") + ") must allow " + d.action +
             " on " + role + ": widen them (--policy / --policy-arn of the call that made it)";
    case ReasonCode::kNoResourcePolicyAllow:
      return TrustFix(d, model, ctx);
    case ReasonCode::kRootCannotAssumeRole:
      return "call as an IAM user or role: the account root user cannot assume roles";
    default:
      return "";
  }
}

}  // namespace hubspoke::trust
