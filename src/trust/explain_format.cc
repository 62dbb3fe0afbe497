// FormatChainExplanation and ChainExplanationJson (explain.h).
#include "core/json.h"
#include "core/strings.h"
#include "hubspoke/explain.h"

namespace hubspoke {
namespace {

std::string StatementOf(const ExplainedReason& r) {
  if (!r.statement_index) return "";
  std::string s = "statement #" + std::to_string(*r.statement_index + 1);
  if (!r.sid.empty()) s += " (Sid '" + r.sid + "')";
  return s;
}

std::string ReasonLine(const ExplainedReason& r) {
  std::string out = r.side == "none" ? std::string() : "[" + r.side + "] ";
  if (!r.code.empty()) out += r.code + ":";
  if (!r.policy.empty()) out += " " + r.policy;
  if (!r.scp_target.empty()) out += " (attached at the " + r.scp_target + ")";
  if (const std::string st = StatementOf(r); !st.empty()) out += ", " + st;
  out += (out.back() == ':' ? " " : ": ") + r.message;
  for (const ExplainedCondition& c : r.conditions) {
    if (r.message.find(c.text) == std::string::npos) out += " [" + c.text + "]";
  }
  return out;
}

std::string Strings(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += (i ? ", " : "") + JsonQuote(values[i]);
  }
  return out + "]";
}

}  // namespace

std::string FormatChainExplanation(const ChainExplanation& e) {
  // Every name here came from files (a model, exports): made printable before it reaches a
  // terminal.
  std::string out = "chain: " + Printable(e.base_principal, 2048);
  for (const HopExplanation& h : e.hops) out += " → " + Printable(h.role_arn, 2048);
  out += "\n";
  int n = 0;
  for (const HopExplanation& h : e.hops) {
    out += "\nhop " + std::to_string(++n) + " (" + h.hop + "): " + Printable(h.caller_arn, 2048) +
           " → " + h.action + " on " + Printable(h.role_arn, 2048) + ": ";
    if (h.allowed) {
      out += "allowed\n";
    } else if (h.refusal == "NotEvaluated") {
      out += "not evaluated\n";
    } else {
      out += "DENIED by the " + h.side + " (" + h.refusal +
             (h.sts_error.empty() ? "" : "; STS answers " + h.sts_error) + ")\n";
    }
    for (const ExplainedReason& r : h.reasons) {
      out += std::string("  ") + (r.decisive ? "* " : "- ") + Printable(ReasonLine(r), 2000) +
             "\n";
    }
    if (!h.fix.empty()) out += "  fix: " + Printable(h.fix, 2000) + "\n";
  }
  if (e.allowed()) {
    out += "\nresult: the chain would succeed\n";
  } else {
    std::string failed;
    for (const HopExplanation& h : e.hops) {
      if (!h.allowed) failed += (failed.empty() ? "" : " and ") + h.hop;
    }
    out += "\nresult: the chain would fail at the " + failed + " hop\n";
  }
  return out;
}

std::string ChainExplanationJson(const ChainExplanation& e) {
  std::string out = "{\"base_principal\": " + JsonQuote(e.base_principal) +
                    ", \"allowed\": " + (e.allowed() ? "true" : "false") + ", \"hops\": [";
  for (std::size_t i = 0; i < e.hops.size(); ++i) {
    const HopExplanation& h = e.hops[i];
    out += (i ? ", " : "");
    out += "{\"hop\": " + JsonQuote(h.hop) + ", \"caller_arn\": " + JsonQuote(h.caller_arn) +
           ", \"role_arn\": " + JsonQuote(h.role_arn) + ", \"action\": " + JsonQuote(h.action) +
           ", \"allowed\": " + (h.allowed ? "true" : "false") +
           ", \"refusal\": " + JsonQuote(h.refusal) + ", \"side\": " + JsonQuote(h.side) +
           ", \"sts_error\": " + JsonQuote(h.sts_error) + ", \"fix\": " + JsonQuote(h.fix) +
           ", \"reasons\": [";
    for (std::size_t j = 0; j < h.reasons.size(); ++j) {
      const ExplainedReason& r = h.reasons[j];
      out += (j ? ", " : "");
      out += "{\"decisive\": " + std::string(r.decisive ? "true" : "false") +
             ", \"side\": " + JsonQuote(r.side) + ", \"code\": " + JsonQuote(r.code) +
             ", \"action\": " + JsonQuote(r.action) + ", \"policy\": " + JsonQuote(r.policy) +
             ", \"statement_index\": " +
             (r.statement_index ? std::to_string(*r.statement_index) : "null") +
             ", \"sid\": " + JsonQuote(r.sid) + ", \"scp_target\": " + JsonQuote(r.scp_target) +
             ", \"message\": " + JsonQuote(r.message) + ", \"conditions\": [";
      for (std::size_t k = 0; k < r.conditions.size(); ++k) {
        const ExplainedCondition& c = r.conditions[k];
        out += (k ? ", " : "");
        out += "{\"operator\": " + JsonQuote(c.operator_name) + ", \"key\": " + JsonQuote(c.key) +
               ", \"redacted\": " + (c.redacted ? "true" : "false") +
               ", \"expected\": " + Strings(c.expected) +
               ", \"actual\": " + (c.actual ? Strings(*c.actual) : "null") +
               ", \"text\": " + JsonQuote(c.text) + "}";
      }
      out += "]}";
    }
    out += "]}";
  }
  return out + "]}\n";
}

}  // namespace hubspoke
