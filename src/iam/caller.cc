// The calling principal of a hop, from the world (see caller.h).
#include "iam/caller.h"

#include "core/strings.h"

namespace hubspoke::iam {
namespace {

Error CallerError(const std::string& what) { return Error(ErrorCode::kInvalidArgument, what); }

}  // namespace

std::string SessionArn(const Role& role, std::string_view session_name) {
  return "arn:aws:sts::" + role.account + ":assumed-role/" + role.name + "/" +
         std::string(session_name);
}

Result<policy::Principal> PrincipalOfUser(const Model& model, const User& user) {
  auto p = policy::PrincipalFromArn(user.arn);
  if (!p) return std::move(p).error();
  p->unique_id = user.unique_id;
  p->tags = user.tags;
  p->org_id = model.OrgIdOf(user.account);
  return p;
}

Result<policy::Principal> PrincipalOfSession(const Model& model, const Role& role,
                                             const SessionState& session) {
  auto p = policy::PrincipalFromArn(SessionArn(role, session.session_name), role.path);
  if (!p) return std::move(p).error();
  p->unique_id = role.unique_id;
  p->tags = role.tags;
  for (const auto& [k, v] : session.tags) p->tags[k] = v;  // session tags win
  p->org_id = model.OrgIdOf(role.account);
  p->mfa_present = session.mfa;
  if (session.mfa) p->mfa_time = session.mfa_time;
  p->source_identity = session.source_identity;
  return p;
}

std::vector<policy::NamedPolicy> ManagedSessionPolicies(const Model& model,
                                                        const std::vector<std::string>& arns) {
  std::vector<policy::NamedPolicy> out;
  for (const std::string& arn : arns) {
    if (const ManagedPolicy* p = model.FindManagedPolicy(arn)) {
      out.push_back(p->policy);
      continue;
    }
    auto stand_in = policy::ParseNamedPolicy(
        "managed session policy " + arn + " (not in the model: allows everything)",
        policy::PolicyKind::kSession,
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})");
    if (stand_in) out.push_back(std::move(*stand_in));
  }
  return out;
}

Result<Caller> CallerOfUser(const Model& model, const User& user) {
  auto principal = PrincipalOfUser(model, user);
  if (!principal) return std::move(principal).error();
  Caller c;
  c.principal = std::move(*principal);
  c.identity_policies = user.policies;
  c.permissions_boundary = user.permissions_boundary;
  c.mfa_devices = user.mfa_devices;
  c.user = &user;
  return c;
}

Result<Caller> CallerOfSession(const Model& model, const Role& role,
                               const SessionState& session) {
  auto principal = PrincipalOfSession(model, role, session);
  if (!principal) return std::move(principal).error();
  Caller c;
  c.principal = std::move(*principal);
  c.identity_policies = role.policies;
  c.permissions_boundary = role.permissions_boundary;
  // The caller's own session policies limit what it may do, AssumeRole included.
  c.session_policies = ManagedSessionPolicies(model, session.policy_arns);
  if (session.session_policy) {
    auto p = policy::ParseNamedPolicy("inline session policy of " + c.principal.arn,
                                      policy::PolicyKind::kSession, *session.session_policy);
    if (!p) return std::move(p).error();
    c.session_policies.push_back(std::move(*p));
  }
  c.role = &role;
  c.session = session;
  return c;
}

Result<Caller> CallerFromArn(const Model& model, std::string_view arn,
                             const SessionState& session) {
  std::vector<std::string> parts = Split(arn, ':');
  if (parts.size() < 6 || parts[0] != "arn") {
    return CallerError("'" + Printable(arn, 200) + "' is not an ARN");
  }
  const std::string& service = parts[2];
  const std::string& account = parts[4];
  std::string resource = parts[5];
  for (std::size_t i = 6; i < parts.size(); ++i) resource += ":" + parts[i];
  if (service == "iam" && resource.starts_with("user/")) {
    const User* user = model.FindUser(arn);
    if (!user) return CallerError("the model has no user " + Printable(arn, 200));
    return CallerOfUser(model, *user);
  }
  if (service == "iam" && resource.starts_with("role/")) {
    const Role* role = model.FindRole(arn);
    if (!role) return CallerError("the model has no role " + Printable(arn, 200));
    SessionState s = session;
    if (s.session_name.empty()) s.session_name = "session";
    return CallerOfSession(model, *role, s);
  }
  if (service == "sts" && resource.starts_with("assumed-role/")) {
    std::vector<std::string> segments = Split(resource, '/');
    if (segments.size() != 3 || segments[1].empty() || segments[2].empty()) {
      return CallerError("an assumed-role ARN is arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION");
    }
    const Role* role = model.FindRoleByName(account, segments[1]);
    if (!role) {
      return CallerError("the model has no role " + Printable(segments[1], 64) + " in account " +
                         Printable(account, 20));
    }
    SessionState s = session;
    s.session_name = segments[2];
    return CallerOfSession(model, *role, s);
  }
  if (service == "iam" && resource == "root") {
    auto p = policy::PrincipalFromArn(arn);
    if (!p) return std::move(p).error();
    Caller c;
    c.principal = std::move(*p);
    c.principal.org_id = model.OrgIdOf(account);
    return c;
  }
  return CallerError("'" + Printable(arn, 200) +
                     "' is not a user, role, assumed-role session or root ARN");
}

}  // namespace hubspoke::iam
