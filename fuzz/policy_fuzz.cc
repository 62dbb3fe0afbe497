// IAM policy documents (models, --policy files, session policies sent to the lab): parse, check
// for every kind, then write the parsed document back as JSON and parse that again. Parsing is
// a projection: the second parse must succeed and give the same document.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_util.h"
#include "policy/policy.h"

namespace {

namespace policy = hubspoke::policy;
using nlohmann::json;

json Write(const policy::PolicyDocument& doc) {
  json out = json::object();
  if (!doc.version.empty()) out["Version"] = doc.version;
  if (!doc.id.empty()) out["Id"] = doc.id;
  json statements = json::array();
  for (const policy::Statement& s : doc.statements) {
    json st = json::object();
    if (!s.sid.empty()) st["Sid"] = s.sid;
    st["Effect"] = s.effect == policy::Effect::kAllow ? "Allow" : "Deny";
    if (s.principal) {
      json p;
      if (s.principal->everyone) {
        p = "*";
      } else {
        p = json::object();
        for (const auto& [type, values] : s.principal->values) p[type] = values;
      }
      st[s.not_principal ? "NotPrincipal" : "Principal"] = p;
    }
    st[s.not_action ? "NotAction" : "Action"] = s.actions;
    if (s.resources) st[s.not_resource ? "NotResource" : "Resource"] = *s.resources;
    if (!s.conditions.empty()) {
      json c = json::object();
      for (const policy::ConditionClause& clause : s.conditions) {
        c[clause.op.name][clause.key] = clause.values;
      }
      st["Condition"] = c;
    }
    statements.push_back(st);
  }
  out["Statement"] = statements;
  return out;
}

bool Same(const policy::PolicyDocument& a, const policy::PolicyDocument& b) {
  if (a.version != b.version || a.id != b.id || a.statements.size() != b.statements.size()) {
    return false;
  }
  for (size_t i = 0; i < a.statements.size(); ++i) {
    const auto& x = a.statements[i];
    const auto& y = b.statements[i];
    if (x.index != y.index || x.sid != y.sid || x.effect != y.effect ||
        x.principal.has_value() != y.principal.has_value() || x.not_principal != y.not_principal ||
        x.actions != y.actions || x.not_action != y.not_action || x.resources != y.resources ||
        x.not_resource != y.not_resource || x.conditions.size() != y.conditions.size()) {
      return false;
    }
    if (x.principal && (x.principal->everyone != y.principal->everyone ||
                        x.principal->values != y.principal->values)) {
      return false;
    }
    for (size_t j = 0; j < x.conditions.size(); ++j) {
      const auto& c = x.conditions[j];
      const auto& d = y.conditions[j];
      if (c.op.op != d.op.op || c.op.set != d.op.set || c.op.if_exists != d.op.if_exists ||
          c.op.name != d.op.name || c.key != d.key || c.values != d.values) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = policy::ParsePolicy(text);
  if (!doc) return 0;
  for (auto kind : {policy::PolicyKind::kIdentity, policy::PolicyKind::kResource,
                    policy::PolicyKind::kTrust, policy::PolicyKind::kScp,
                    policy::PolicyKind::kPermissionsBoundary, policy::PolicyKind::kSession}) {
    (void)policy::ValidatePolicyForKind(*doc, kind);
  }
  for (const auto& s : doc->statements) {
    FUZZ_CHECK(!s.actions.empty());
    (void)s.Label();
  }
  std::string again = Write(*doc).dump();
  auto reparsed = policy::ParsePolicy(again);
  if (!reparsed) {
    std::fprintf(stderr, "reparse of %s failed: %s\n", again.c_str(),
                 reparsed.error().message().c_str());
  }
  FUZZ_CHECK(reparsed.has_value());
  FUZZ_CHECK(Same(*doc, *reparsed));
  return 0;
}
