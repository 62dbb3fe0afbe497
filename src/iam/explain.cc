// Decisions as text (see explain.h).
#include "iam/explain.h"

namespace hubspoke::iam {

std::string ExplainReasons(const std::vector<policy::Reason>& reasons) {
  std::string out;
  std::size_t shown = 0;
  for (const policy::Reason& r : reasons) {
    if (r.code == policy::ReasonCode::kNotApplicable) continue;  // noise, e.g. foreign SCPs
    if (shown == 8) {
      out += "; …";
      break;
    }
    if (!out.empty()) out += "; ";
    out += r.ToString();
    for (const policy::ConditionFailure& c : r.conditions) {
      const std::string text = c.ToString();
      if (r.message.find(text) == std::string::npos) out += " [" + text + "]";
    }
    ++shown;
  }
  return out;
}

std::string ExplainReason(const DecisionReason& reason) {
  std::string out = std::string("[") + SideName(reason.side) + "]";
  if (reason.code) out += std::string(" ") + policy::ReasonCodeName(*reason.code) + ":";
  if (!reason.policy.empty()) out += " " + reason.policy;
  if (reason.scp_node) {
    out += std::string(" (attached at the ") + ScpLevelName(reason.scp_node->level);
    if (reason.scp_node->level != ScpNode::Level::kRoot) {
      out += " " + reason.scp_node->id;
      if (!reason.scp_node->name.empty() && reason.scp_node->name != reason.scp_node->id) {
        out += " '" + reason.scp_node->name + "'";
      }
    }
    out += " governing account " + reason.scp_account + ")";
  }
  if (reason.statement_index) {
    out += ", statement #" + std::to_string(*reason.statement_index + 1);
    if (!reason.sid.empty()) out += " (Sid '" + reason.sid + "')";
  }
  out += (out.back() == ':' ? " " : ": ") + reason.message;
  for (const policy::ConditionFailure& c : reason.conditions) {
    const std::string text = c.ToString();
    if (reason.message.find(text) == std::string::npos) out += " [" + text + "]";
  }
  return out;
}

std::string ExplainDecision(const HopDecision& decision) {
  std::string out;
  if (decision.allowed()) {
    out = decision.action + " on " + (decision.role ? decision.role->arn : "?") + ": allowed";
  } else {
    out = decision.action + " on " + (decision.role ? decision.role->arn : "?") +
          ": refused by the " + SideName(decision.side) + " (" + RefusalName(decision.refusal) +
          ")";
  }
  for (const DecisionReason& r : decision.reasons) {
    if (r.code == policy::ReasonCode::kNotApplicable) continue;
    out += "\n  " + std::string(r.decisive ? "* " : "- ") + ExplainReason(r);
  }
  return out;
}

}  // namespace hubspoke::iam
