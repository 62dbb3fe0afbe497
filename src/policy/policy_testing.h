// Test helpers for the policy tables: principals, contexts and parsed policies. Tests only.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "policy/evaluate.h"
#include "policy/request_context.h"

namespace hubspoke::policy::testing {

inline constexpr char kUserAccount[] = "111111111111";   // where sys-automation lives
inline constexpr char kHubAccount[] = "999999999999";    // seed: ASSUME_ROLE_HUB_ACCOUNT
inline constexpr char kSpokeAccount[] = "888888888888";  // seed: --spoke-account
inline constexpr char kOrgId[] = "o-zzzzzzzzzz";

inline Principal User(const std::string& account, const std::string& name) {
  return Principal{.type = PrincipalType::kUser,
                   .arn = "arn:aws:iam::" + account + ":user/" + name,
                   .account = account};
}

inline Principal Session(const std::string& account, const std::string& role,
                         const std::string& session, const std::string& path = "/") {
  return Principal{.type = PrincipalType::kRoleSession,
                   .arn = "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session,
                   .account = account,
                   .role_arn = "arn:aws:iam::" + account + ":role" + path + role};
}

inline Principal Root(const std::string& account) {
  return Principal{
      .type = PrincipalType::kRoot, .arn = "arn:aws:iam::" + account + ":root", .account = account};
}

inline Principal Service(const std::string& name) {
  return Principal{.type = PrincipalType::kService, .arn = name};
}

inline Principal InOrg(Principal p, const std::string& org = kOrgId) {
  p.org_id = org;
  return p;
}

inline Principal Tagged(Principal p, std::vector<std::pair<std::string, std::string>> tags) {
  for (auto& [k, v] : tags) p.tags[k] = v;
  return p;
}

inline Principal WithMfa(Principal p, bool present) {
  p.mfa_present = present;
  return p;
}

inline std::string RoleArn(const std::string& account, const std::string& name) {
  return "arn:aws:iam::" + account + ":role/" + name;
}

using KeyValues = std::vector<std::pair<std::string, std::vector<std::string>>>;

inline ContextKeys Keys(const KeyValues& values) {
  ContextKeys keys;
  for (const auto& [k, v] : values) keys.SetMulti(k, v);
  return keys;
}

inline RequestContext Ctx(Principal p, std::string action, std::string resource,
                          const KeyValues& keys = {}) {
  return RequestContext{.principal = std::move(p),
                        .action = std::move(action),
                        .resource = std::move(resource),
                        .keys = Keys(keys)};
}

inline RequestContext At(RequestContext ctx, std::int64_t epoch_seconds) {
  ctx.time = TimePoint(std::chrono::seconds(epoch_seconds));
  return ctx;
}

// A policy of a table row: its kind and JSON; the name defaults to "<kind> #<n>".
struct PolicySpec {
  PolicyKind kind = PolicyKind::kIdentity;
  std::string json;
  std::string name;
  std::string scp_group;
};

inline NamedPolicy MustParse(const PolicySpec& spec, std::size_t n = 0) {
  std::string name = spec.name.empty()
                         ? std::string(PolicyKindName(spec.kind)) + " #" + std::to_string(n + 1)
                         : spec.name;
  auto parsed = ParseNamedPolicy(name, spec.kind, spec.json, spec.scp_group);
  EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error().message());
  if (!parsed) return NamedPolicy{.name = name, .kind = spec.kind, .document = {}};
  return std::move(*parsed);
}

inline std::vector<NamedPolicy> MustParseAll(const std::vector<PolicySpec>& specs) {
  std::vector<NamedPolicy> out;
  for (std::size_t i = 0; i < specs.size(); ++i) out.push_back(MustParse(specs[i], i));
  return out;
}

// Every reason and the message on one line each, for substring checks and failure output.
inline std::string Explain(const std::vector<Reason>& reasons, const std::string& message) {
  std::string out = message + "\n";
  for (const Reason& r : reasons) {
    out += std::string("  [") + ReasonCodeName(r.code) + "] " + r.ToString() + "\n";
  }
  return out;
}

// An identity policy allowing every action on every resource under `condition` (the text
// inside "Condition": {…}).
inline std::string AllowIf(const std::string& condition,
                           const std::string& version = "2012-10-17") {
  return R"({"Version": ")" + version +
         R"(", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {)" +
         condition + "}}}";
}

// An evaluation table row.
struct EvalCase {
  std::string name;
  std::vector<PolicySpec> policies;
  RequestContext context;
  Decision want = Decision::kAllow;
  ReasonCode code = ReasonCode::kAllowed;  // of reasons[0]
  std::string reason_part;                 // must appear in the explanation
};

inline void PrintTo(const EvalCase& c, std::ostream* os) { *os << c.name; }

inline std::string CaseName(const ::testing::TestParamInfo<EvalCase>& info) {
  std::string out;
  for (char c : info.param.name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

inline void CheckCase(const EvalCase& c) {
  const std::vector<NamedPolicy> policies = MustParseAll(c.policies);
  const Evaluation ev = Evaluate(policies, c.context);
  const std::string explanation = Explain(ev.reasons, ev.message);
  EXPECT_EQ(DecisionName(ev.decision), std::string(DecisionName(c.want))) << explanation;
  ASSERT_FALSE(ev.reasons.empty()) << explanation;
  EXPECT_EQ(ReasonCodeName(ev.reasons[0].code), std::string(ReasonCodeName(c.code))) << explanation;
  EXPECT_NE(explanation.find(c.reason_part), std::string::npos)
      << "want \"" << c.reason_part << "\" in:\n"
      << explanation;
  EXPECT_FALSE(ev.message.empty());
}

}  // namespace hubspoke::policy::testing
