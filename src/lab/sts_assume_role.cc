// The lab's AssumeRole: validation as STS does it, then the decision of iam/ (the role, MFA, the
// policies, the duration rules: role chaining ≤ 1 h, MaxSessionDuration), then a new session.
#include <algorithm>

#include "core/strings.h"
#include "core/time.h"
#include "lab/sts_service.h"
#include "lab/sts_validation.h"
#include "lab/sts_xml_writer.h"
#include "iam/assume_role_decision.h"
#include "iam/explain.h"

namespace hubspoke::lab {
namespace {

constexpr char kArnPattern[] =
    "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+";
constexpr char kSessionNamePattern[] = "[\\w+=,.@-]*";
constexpr char kPolicyPattern[] = "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+";
constexpr char kTagPattern[] = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+";

struct Parsed {
  std::string role_arn;
  std::string session_name;
  std::optional<long long> duration;
  std::optional<std::string> external_id;
  std::optional<std::string> policy;
  std::vector<std::string> policy_arns;
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::string> transitive_tag_keys;
  std::optional<std::string> serial_number;
  std::optional<std::string> token_code;
  std::optional<std::string> source_identity;
};

Result<Parsed> ValidateAssumeRole(const FormParams& params) {
  ValidationErrors v;
  Parsed out;
  const std::string* role_arn = FindParam(params, "RoleArn");
  v.Required(role_arn, "roleArn");
  if (role_arn) {
    v.Length(*role_arn, "roleArn", 20, 2048);
    v.Pattern(*role_arn, "roleArn", kArnPattern, PrintableOrUnicode);
    out.role_arn = *role_arn;
  }
  const std::string* session = FindParam(params, "RoleSessionName");
  v.Required(session, "roleSessionName");
  if (session) {
    v.Length(*session, "roleSessionName", 2, 64);
    v.Pattern(*session, "roleSessionName", kSessionNamePattern, SessionNameChar);
    out.session_name = *session;
  }
  if (const std::string* d = FindParam(params, "DurationSeconds")) {
    out.duration = v.Integer(*d, "durationSeconds", 900, 43200);
  }
  if (const std::string* e = FindParam(params, "ExternalId")) {
    v.Length(*e, "externalId", 2, 1224);
    v.Pattern(*e, "externalId", "[\\w+=,.@:\\/-]*", ExternalIdChar);
    out.external_id = *e;
  }
  if (const std::string* p = FindParam(params, "Policy")) {
    // The model says min 1; the prose caps the plaintext of session policies at 2048 [S1].
    v.Length(*p, "policy", 1, 2048);
    v.Pattern(*p, "policy", kPolicyPattern, PrintableOrUnicode);
    out.policy = *p;
  }
  out.policy_arns = ListParam(params, "PolicyArns", ".arn");
  if (out.policy_arns.size() > 10) {
    v.Add("Value at 'policyArns' failed to satisfy constraint: Member must have length less than "
          "or equal to 10");
  }
  for (std::size_t i = 0; i < out.policy_arns.size(); ++i) {
    v.Length(out.policy_arns[i], "policyArns." + std::to_string(i + 1) + ".member.arn", 20, 2048);
  }
  std::vector<std::string> keys = ListParam(params, "Tags", ".Key");
  std::vector<std::string> values = ListParam(params, "Tags", ".Value");
  if (keys.size() > 50) {
    v.Add("Value at 'tags' failed to satisfy constraint: Member must have length less than or "
          "equal to 50");
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string member = "tags." + std::to_string(i + 1) + ".member.key";
    v.Length(keys[i], member, 1, 128);
    v.Pattern(keys[i], member, kTagPattern, TagChar);
    std::string value = i < values.size() ? values[i] : "";
    const std::string vmember = "tags." + std::to_string(i + 1) + ".member.value";
    v.Length(value, vmember, 0, 256);
    v.Pattern(value, vmember, "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*", TagChar);
    out.tags.emplace_back(keys[i], value);
  }
  out.transitive_tag_keys = ListParam(params, "TransitiveTagKeys", "");
  if (out.transitive_tag_keys.size() > 50) {
    v.Add("Value at 'transitiveTagKeys' failed to satisfy constraint: Member must have length "
          "less than or equal to 50");
  }
  if (const std::string* s = FindParam(params, "SerialNumber")) {
    v.Length(*s, "serialNumber", 9, 256);
    v.Pattern(*s, "serialNumber", "[\\w+=/:,.@-]*", SerialNumberChar);
    out.serial_number = *s;
  }
  if (const std::string* t = FindParam(params, "TokenCode")) {
    v.Length(*t, "tokenCode", 6, 6);
    v.Pattern(*t, "tokenCode", "[\\d]*", [](unsigned char c) { return c >= '0' && c <= '9'; });
    out.token_code = *t;
  }
  if (const std::string* s = FindParam(params, "SourceIdentity")) {
    v.Length(*s, "sourceIdentity", 2, 64);
    v.Pattern(*s, "sourceIdentity", kSessionNamePattern, SessionNameChar);
    out.source_identity = *s;
  }
  std::vector<std::string> contexts = ListParam(params, "ProvidedContexts", ".ProviderArn");
  if (contexts.size() > 5) {
    v.Add("Value at 'providedContexts' failed to satisfy constraint: Member must have length "
          "less than or equal to 5");
  }
  if (!v.empty()) return v.ToError();
  return out;
}

std::string AccessDeniedMessage(const std::string& caller_arn, const std::string& action,
                                const std::string& role_arn) {
  return "User: " + caller_arn + " is not authorized to perform: " + action +
         " on resource: " + role_arn;
}

}  // namespace

Result<StsService::Reply> StsService::AssumeRole(const Caller& caller, const FormParams& params,
                                                 TimePoint now, const std::string& region,
                                                 const ServerRequest& request,
                                                 const std::string& request_id) {
  auto parsed = ValidateAssumeRole(params);
  if (!parsed) return std::move(parsed).error();
  const Parsed& in = *parsed;
  const std::string& caller_arn = caller.principal.arn;

  if (in.policy) {
    auto p = policy::ParseNamedPolicy("inline session policy", policy::PolicyKind::kSession,
                                      *in.policy);
    if (!p) {
      return StsError(400, "MalformedPolicyDocument", "Syntax errors in policy.",
                      "the session policy does not parse: " + p.error().message());
    }
  }

  auto who = caller.user ? iam::CallerOfUser(model_, *caller.user)
                         : iam::CallerOfSession(model_, *caller.session->role,
                                                StateOf(*caller.session));
  if (!who) return Error(ErrorCode::kInternal, "a session's own policy does not parse");
  iam::AssumeRoleInput input{.role_arn = in.role_arn,
                             .session_name = in.session_name,
                             .external_id = in.external_id,
                             .duration_seconds = in.duration,
                             .tags = in.tags,
                             .transitive_tag_keys = in.transitive_tag_keys,
                             .source_identity = in.source_identity,
                             .serial_number = in.serial_number,
                             .token_code = in.token_code,
                             .policy = in.policy,
                             .policy_arns = in.policy_arns,
                             .time = now};
  // The real STS is reached over TLS; a policy requiring aws:SecureTransport should behave as
  // there, even though the lab speaks plain HTTP on loopback.
  input.keys.Set("aws:SecureTransport", "true");
  input.keys.Set("aws:RequestedRegion", region);
  std::string peer = request.peer;
  if (auto colon = peer.rfind(':'); colon != std::string::npos) peer = peer.substr(0, colon);
  if (peer.size() > 2 && peer.front() == '[') peer = peer.substr(1, peer.size() - 2);
  if (!peer.empty()) input.keys.Set("aws:SourceIp", peer);

  const iam::HopDecision decision = iam::DecideAssumeRole(model_, *who, input);
  switch (decision.refusal) {
    case iam::Refusal::kNone:
      break;
    case iam::Refusal::kNoSuchRole:
      // STS does not reveal whether a role exists: a missing role is access denied.
      return StsError(403, "AccessDenied",
                      AccessDeniedMessage(caller_arn, "sts:AssumeRole", in.role_arn),
                      caller_arn + " → sts:AssumeRole on " + Printable(in.role_arn) +
                          ": the model has no such role");
    case iam::Refusal::kMfaFailed:
      return StsError(403, "AccessDenied",
                      "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
                      decision.message);
    case iam::Refusal::kPolicy:
      return StsError(403, "AccessDenied",
                      AccessDeniedMessage(caller_arn, decision.action, decision.role->arn),
                      caller_arn + " → " + decision.action + " on " + decision.role->arn + ": " +
                          policy::DecisionName(decision.decision) + ": " +
                          iam::ExplainReasons(decision.policy_reasons));
    case iam::Refusal::kSourceIdentityChanged:
      return StsError(403, "AccessDenied",
                      "The source identity of a role session cannot be changed by role "
                      "chaining.",
                      decision.message);
    case iam::Refusal::kRoleChainingLimit:
      return StsError(400, "ValidationError",
                      "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                      "assumed by role chaining.",
                      decision.message);
    case iam::Refusal::kMaxSessionDuration:
      return StsError(400, "ValidationError",
                      "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                      "role.",
                      decision.message);
    default:
      return Error(ErrorCode::kInternal, std::string("unexpected refusal ") +
                                             iam::RefusalName(decision.refusal));
  }
  const iam::Role* role = decision.role;
  const bool chained = decision.chained;
  const long long duration = decision.duration_seconds;
  const bool mfa = decision.mfa_authenticated;
  if (decision.mfa_step && in.serial_number) {
    // A code is good once (AWS answers a reused one as a wrong one). Steps more than a minute
    // old can no longer match and are forgotten.
    std::lock_guard<std::mutex> lock(mfa_mu_);
    auto& used = used_mfa_steps_[*in.serial_number];
    while (!used.empty() && *used.begin() + 2 < *decision.mfa_step) used.erase(used.begin());
    if (!used.insert(*decision.mfa_step).second) {
      return StsError(403, "AccessDenied",
                      "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
                      caller_arn + ": the TokenCode of " + *in.serial_number +
                          " was used already (a code is good once)");
    }
  }

  for (const std::string& arn : in.policy_arns) {
    if (model_.FindManagedPolicy(arn)) continue;
    Log(LogLevel::kWarning, request_id + " managed policy " + Printable(arn) +
                                " is not in the model: treated as allowing everything");
  }

  // PackedPolicySize: the lab's estimate of AWS's packed (compressed) form — about half the
  // plaintext of the policies and tags — as a percentage of the limit.
  std::optional<int> packed;
  if (in.policy || !in.policy_arns.empty() || !in.tags.empty()) {
    std::size_t bytes = in.policy ? in.policy->size() : 0;
    for (const auto& arn : in.policy_arns) bytes += arn.size();
    for (const auto& [k, val] : in.tags) bytes += k.size() + val.size() + 8;
    packed = static_cast<int>((bytes * 100 + 4095) / 4096);
    if (*packed > 100) {
      return StsError(400, "PackedPolicyTooLarge",
                      "Packed policy consumes " + std::to_string(*packed) +
                          "% of allotted space, please use smaller policy for this request.");
    }
  }

  LabSession session = SessionOf(*role, in.session_name);
  // Source identity persists through role chaining [STSKEYS].
  session.source_identity = in.source_identity.value_or(
      caller.session ? caller.session->source_identity : std::string());
  if (caller.session) {
    // Transitive tags are inherited by the next session of the chain [id_session-tags.md].
    for (const std::string& k : caller.session->transitive_tag_keys) {
      auto it = caller.session->tags.find(k);
      if (it != caller.session->tags.end()) session.tags[k] = it->second;
      session.transitive_tag_keys.push_back(k);
    }
  }
  for (const auto& [k, val] : in.tags) session.tags[k] = val;
  for (const std::string& k : in.transitive_tag_keys) session.transitive_tag_keys.push_back(k);
  // The session's policies travel in its token and are parsed again whenever it calls.
  session.session_policy = in.policy;
  session.policy_arns = in.policy_arns;
  session.mfa = mfa || (caller.session && caller.session->mfa);
  // aws:MultiFactorAuthAge counts from the code's check, along the whole chain.
  if (mfa) {
    session.mfa_time = std::chrono::time_point_cast<std::chrono::seconds>(now);
  } else if (caller.session) {
    session.mfa_time = caller.session->mfa_time;
  }

  auto issued = IssueSession(std::move(session), std::chrono::seconds(duration), now);
  Log(LogLevel::kInfo, request_id + " AssumeRole: " + caller_arn + " → " + issued.arn + " (" +
                           MaskKeyId(issued.access_key_id) + ", " +
                           std::to_string(duration) + " s, expires " +
                           FormatRfc3339(issued.expiration) + (chained ? ", chained" : "") + ")");
  IssuedCredentials credentials{.access_key_id = issued.access_key_id,
                                .secret_access_key = issued.secret_access_key,
                                .session_token = issued.session_token,
                                .expiration = issued.expiration};
  return Reply{200, AssumeRoleResponseXml(credentials,
                                          AssumedRoleUser{issued.arn, issued.assumed_role_id},
                                          packed, issued.source_identity, request_id)};
}

}  // namespace hubspoke::lab
