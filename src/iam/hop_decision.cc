// Names of sides and refusals, and policy reasons resolved into decision reasons.
#include "iam/hop_decision.h"

namespace hubspoke::iam {

const char* SideName(Side side) {
  switch (side) {
    case Side::kNone:
      return "none";
    case Side::kRequest:
      return "request";
    case Side::kRole:
      return "role";
    case Side::kCaller:
      return "caller";
    case Side::kIdentityPolicy:
      return "identity policy";
    case Side::kPermissionsBoundary:
      return "permissions boundary";
    case Side::kSessionPolicy:
      return "session policy";
    case Side::kScp:
      return "SCP";
    case Side::kTrustPolicy:
      return "trust policy";
  }
  return "";
}

const char* RefusalName(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone:
      return "None";
    case Refusal::kNoSuchRole:
      return "NoSuchRole";
    case Refusal::kMfaFailed:
      return "MfaFailed";
    case Refusal::kPolicy:
      return "Policy";
    case Refusal::kRoleChainingLimit:
      return "RoleChainingLimit";
    case Refusal::kMaxSessionDuration:
      return "MaxSessionDuration";
    case Refusal::kNoOidcProvider:
      return "NoOidcProvider";
    case Refusal::kTokenExpired:
      return "TokenExpired";
    case Refusal::kAudienceMismatch:
      return "AudienceMismatch";
    case Refusal::kSourceIdentityChanged:
      return "SourceIdentityChanged";
  }
  return "";
}

Side SideOf(const policy::Reason& reason) {
  if (reason.code == policy::ReasonCode::kRootCannotAssumeRole) return Side::kCaller;
  if (!reason.kind) return Side::kNone;
  switch (*reason.kind) {
    case policy::PolicyKind::kIdentity:
      return Side::kIdentityPolicy;
    case policy::PolicyKind::kPermissionsBoundary:
      return Side::kPermissionsBoundary;
    case policy::PolicyKind::kSession:
      return Side::kSessionPolicy;
    case policy::PolicyKind::kScp:
      return Side::kScp;
    case policy::PolicyKind::kTrust:
    case policy::PolicyKind::kResource:
      return Side::kTrustPolicy;
  }
  return Side::kNone;
}

std::vector<DecisionReason> ResolveReasons(const std::vector<policy::Reason>& reasons,
                                           const std::string& action,
                                           const ScpNodeIndex& scp_nodes) {
  std::vector<DecisionReason> out;
  for (const policy::Reason& r : reasons) {
    DecisionReason d;
    d.side = SideOf(r);
    d.code = r.code;
    d.decisive = out.empty();
    d.action = action;
    d.policy = r.policy;
    d.statement_index = r.statement_index;
    d.sid = r.sid;
    d.statement = r.statement;
    if (!r.scp_group.empty()) {
      for (const auto& [group, ref] : scp_nodes) {
        if (group != r.scp_group) continue;
        d.scp_node = ref.node;
        d.scp_account = ref.account;
        break;
      }
    }
    d.conditions = r.conditions;
    d.message = r.message;
    out.push_back(std::move(d));
  }
  return out;
}

HopDecision Refuse(HopDecision d, Refusal refusal, Side side, std::string message) {
  d.refusal = refusal;
  d.side = side;
  for (DecisionReason& earlier : d.reasons) earlier.decisive = false;
  DecisionReason r;
  r.side = side;
  r.decisive = true;
  r.message = message;
  d.reasons.insert(d.reasons.begin(), std::move(r));
  d.message = std::move(message);
  return d;
}

HopDecision CheckMaxSessionDuration(HopDecision d, const Role& role) {
  if (d.duration_seconds <= role.max_session_duration.count()) return d;
  const std::string message = role.arn + " has MaxSessionDuration " +
                              std::to_string(role.max_session_duration.count()) + " s, " +
                              std::to_string(d.duration_seconds) + " s requested";
  return Refuse(std::move(d), Refusal::kMaxSessionDuration, Side::kRole, message);
}

}  // namespace hubspoke::iam
