// ExplainSpokeChain: the chain's two hops decided by iam::DecideAssumeRole, the lab's own
// decision, with the requests the client would send (PlanSpokeChain: the same validation, role
// ARNs, session names and parameters as GetSpokeCredentials) and the keys the lab's STS adds.
#include "hubspoke/explain.h"

#include "chain/spoke_session_cache_plan.h"
#include "iam/assume_role_decision.h"
#include "iam/caller.h"
#include "iam/model.h"
#include "trust/explain_fix.h"

namespace hubspoke {
namespace {

ExplainedReason ToExplained(const iam::DecisionReason& r) {
  ExplainedReason e;
  e.decisive = r.decisive;
  e.side = iam::SideName(r.side);
  if (r.code) e.code = policy::ReasonCodeName(*r.code);
  e.action = r.action;
  e.policy = r.policy;
  e.statement_index = r.statement_index;
  e.sid = r.sid;
  if (r.scp_node) {
    e.scp_target = iam::ScpLevelName(r.scp_node->level);
    if (r.scp_node->level != iam::ScpNode::Level::kRoot) {
      e.scp_target += " " + r.scp_node->id;
      if (!r.scp_node->name.empty() && r.scp_node->name != r.scp_node->id) {
        e.scp_target += " '" + r.scp_node->name + "'";
      }
    }
  }
  for (const policy::ConditionFailure& c : r.conditions) {
    e.conditions.push_back(ExplainedCondition{.operator_name = c.operator_name,
                                              .key = c.key,
                                              .expected = c.redacted ? std::vector<std::string>{}
                                                                     : c.expected,
                                              .actual = c.redacted ? std::nullopt : c.actual,
                                              .redacted = c.redacted,
                                              .text = c.ToString()});
  }
  e.message = r.message;
  return e;
}

const char* StsErrorOf(iam::Refusal refusal) {
  switch (refusal) {
    case iam::Refusal::kNone:
      return "";
    case iam::Refusal::kRoleChainingLimit:
    case iam::Refusal::kMaxSessionDuration:
      return "ValidationError";
    default:
      return "AccessDenied";
  }
}

iam::AssumeRoleInput InputOf(const AssumeRoleRequest& request, const std::string& region,
                             const std::optional<TimePoint>& time) {
  iam::AssumeRoleInput in;
  in.role_arn = request.role_arn;
  in.session_name = request.role_session_name;
  if (!request.external_id.empty()) in.external_id = request.external_id;
  if (request.duration) in.duration_seconds = request.duration->count();
  for (const SessionTag& t : request.tags) in.tags.emplace_back(t.key, t.value);
  in.transitive_tag_keys = request.transitive_tag_keys;
  if (!request.source_identity.empty()) in.source_identity = request.source_identity;
  if (!request.serial_number.empty()) in.serial_number = request.serial_number;
  if (!request.token_code.empty()) in.token_code = request.token_code;
  if (!request.policy.empty()) in.policy = request.policy;
  in.policy_arns = request.policy_arns;
  in.time = time;
  // As the lab's STS sets them (lab/sts_assume_role.cc): STS is reached over TLS, in a Region.
  // aws:SourceIp depends on where the call comes from and stays absent.
  in.keys.Set("aws:SecureTransport", "true");
  in.keys.Set("aws:RequestedRegion", region);
  return in;
}

HopExplanation Explain(const std::string& hop, const std::string& caller_arn,
                       const iam::HopDecision& d, const iam::Model& model,
                       const trust::FixContext& fix) {
  HopExplanation h;
  h.hop = hop;
  h.caller_arn = caller_arn;
  h.role_arn = d.role ? d.role->arn : fix.role_arn;
  h.action = d.action;
  h.allowed = d.allowed();
  if (!h.allowed) {
    h.refusal = iam::RefusalName(d.refusal);
    h.side = iam::SideName(d.side);
    h.sts_error = StsErrorOf(d.refusal);
  }
  for (const iam::DecisionReason& r : d.reasons) {
    if (r.code == policy::ReasonCode::kNotApplicable) continue;
    h.reasons.push_back(ToExplained(r));
  }
  if (!h.allowed) h.fix = trust::SmallestFix(d, model, fix);
  return h;
}

}  // namespace

bool ChainExplanation::allowed() const {
  if (hops.empty()) return false;
  for (const HopExplanation& h : hops) {
    if (!h.allowed) return false;
  }
  return true;
}

Result<ChainExplanation> ExplainSpokeChain(const IamWorld& world,
                                           const SpokeCredentialsInput& input,
                                           const Environment& env, const ProfileSet& profiles,
                                           const ExplainOptions& options) {
  const iam::Model& model = world.model();
  // The session string the client would use when none is given is "<user>-<time>"; a trust
  // policy rarely constrains it, and explain is reproducible with a fixed one.
  auto plan = PlanSpokeChain(input, env, profiles,
                             DefaultSessionString(env, options.time.value_or(TimePoint{})));
  if (!plan) return std::move(plan).error();
  if (options.base_principal.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the base principal is missing");
  }
  if (!options.base_session_policy.empty()) {
    auto parsed = policy::ParseNamedPolicy("base session policy", policy::PolicyKind::kSession,
                                           options.base_session_policy);
    if (!parsed) return Error(ErrorCode::kInvalidArgument, parsed.error().message());
  }
  iam::SessionState base_session;
  if (!options.base_session_policy.empty()) base_session.session_policy = options.base_session_policy;
  base_session.policy_arns = options.base_session_policy_arns;
  auto base = iam::CallerFromArn(model, options.base_principal, base_session);
  if (!base) return base.error().Wrap("base principal");
  if (!base->is_session() &&
      (!options.base_session_policy.empty() || !options.base_session_policy_arns.empty())) {
    return Error(ErrorCode::kInvalidArgument,
                 "base session policy: only a role session has session policies; the base "
                 "principal " + options.base_principal + " is not one");
  }

  ChainExplanation out;
  out.base_principal = options.base_principal;
  const std::string& region = plan->endpoint.region;

  const iam::AssumeRoleInput hub_in = InputOf(plan->hub, region, options.time);
  const iam::HopDecision hub = iam::DecideAssumeRole(model, *base, hub_in);
  out.hops.push_back(Explain("hub", base->principal.arn, hub, model,
                             trust::FixContext{.hop = "hub",
                                               .role_arn = plan->hub.role_arn,
                                               .caller = &*base,
                                               .external_id_sent = hub_in.external_id.has_value(),
                                               .duration_seconds = hub_in.duration_seconds}));

  // The spoke hop is evaluated as if the hub hop had succeeded: its caller is a session of the
  // hub role with the state the hub's AssumeRole gives it (lab/sts_assume_role.cc).
  const iam::Role* hub_role = model.FindRole(plan->hub.role_arn);
  const iam::AssumeRoleInput spoke_in = InputOf(plan->spoke, region, options.time);
  if (hub_role == nullptr) {
    HopExplanation h;
    h.hop = "spoke";
    h.caller_arn = plan->hub.role_arn;
    h.role_arn = plan->spoke.role_arn;
    h.action = "sts:AssumeRole";
    h.refusal = "NotEvaluated";
    h.side = "role";
    h.sts_error = "";
    h.fix = "create the hub role " + plan->hub.role_arn +
            " first (see the hub hop); its sessions make this call";
    out.hops.push_back(std::move(h));
    return out;
  }
  iam::SessionState state{.session_name = plan->hub.role_session_name,
                          .source_identity = plan->hub.source_identity,
                          .mfa = hub.mfa_authenticated};
  // The spoke hop follows the hub's at once: aws:MultiFactorAuthAge 0 (when there is a time).
  if (hub.mfa_authenticated) state.mfa_time = options.time;
  for (const SessionTag& t : plan->hub.tags) state.tags[t.key] = t.value;
  state.transitive_tag_keys = plan->hub.transitive_tag_keys;
  if (!plan->hub.policy.empty()) state.session_policy = plan->hub.policy;
  state.policy_arns = plan->hub.policy_arns;
  auto hub_session = iam::CallerOfSession(model, *hub_role, state);
  if (!hub_session) return hub_session.error().Wrap("hub session");
  const iam::HopDecision spoke = iam::DecideAssumeRole(model, *hub_session, spoke_in);
  out.hops.push_back(Explain("spoke", hub_session->principal.arn, spoke, model,
                             trust::FixContext{.hop = "spoke",
                                               .role_arn = plan->spoke.role_arn,
                                               .caller = &*hub_session,
                                               .external_id_sent =
                                                   spoke_in.external_id.has_value(),
                                               .duration_seconds = spoke_in.duration_seconds}));
  return out;
}

Result<std::string> ResolveBasePrincipal(const IamWorld& world, const std::string& access_key_id,
                                         const std::string& caller_arn, const std::string& flag) {
  if (!access_key_id.empty()) {
    if (std::string user = world.UserWithAccessKey(access_key_id); !user.empty()) return user;
  }
  if (!caller_arn.empty()) return caller_arn;
  const iam::Model& model = world.model();
  if (access_key_id.empty() && model.users.size() == 1) return model.users.front().arn;
  if (!access_key_id.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 flag + ": the base credentials' access key is not in the IAM world and their "
                        "identity is unknown: name the base identity (an IAM user or role ARN)");
  }
  return Error(ErrorCode::kInvalidArgument,
               flag + ": name the base identity (an IAM user or role ARN, or an assumed-role "
                      "session ARN): no base credentials were found and the world has " +
                   std::to_string(model.users.size()) + " IAM users");
}

}  // namespace hubspoke
