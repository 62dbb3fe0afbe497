// The calling principal of a hop as the AssumeRole decision sees it: who it is (its principal,
// with tags, organization, MFA and source identity) and the policies that limit it (identity
// policies, permissions boundary, the session policies of a calling session). Built from the
// world by ARN, so a tool that has no access key (explain) can evaluate a hop as well as the
// lab, which finds the user by its access key.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/result.h"
#include "iam/model.h"
#include "policy/evaluate.h"
#include "policy/request_context.h"

namespace hubspoke::iam {

// What a role session carries from the AssumeRole call that made it.
struct SessionState {
  std::string session_name;
  std::string source_identity;                  // aws:SourceIdentity; persists along a chain
  std::map<std::string, std::string> tags;      // session tags (incl. inherited transitive)
  std::vector<std::string> transitive_tag_keys;
  std::optional<std::string> session_policy;    // the inline Policy it was issued with
  std::vector<std::string> policy_arns;         // and the managed ones (PolicyArns)
  bool mfa = false;                             // aws:MultiFactorAuthPresent of the session
  std::optional<TimePoint> mfa_time;            // when its MFA code was checked
};

struct Caller {
  // arn, account, unique id, tags (role tags with session tags on top), org id (empty outside
  // the organization; a caller may override it), MFA, source identity.
  policy::Principal principal;
  std::vector<policy::NamedPolicy> identity_policies;
  std::optional<policy::NamedPolicy> permissions_boundary;
  std::vector<policy::NamedPolicy> session_policies;  // of the calling session
  std::vector<std::string> mfa_devices;  // a user's: the MFA serial numbers it may present
  const User* user = nullptr;            // the calling user, or
  const Role* role = nullptr;            // the role of the calling session
  std::optional<SessionState> session;   // set for a role session

  bool is_session() const { return session.has_value(); }
};

// "arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION" (the session ARN has no role path).
std::string SessionArn(const Role& role, std::string_view session_name);

// The principal of a user / of a session of `role`, with the keys policies see.
Result<policy::Principal> PrincipalOfUser(const Model& model, const User& user);
Result<policy::Principal> PrincipalOfSession(const Model& model, const Role& role,
                                             const SessionState& session);

// The caller with its policies. A session's managed session policies come from the model (an
// ARN the model lacks stands for an allow-everything policy, see ManagedSessionPolicies); its
// inline policy is parsed again (kInvalidArgument when it does not parse).
Result<Caller> CallerOfUser(const Model& model, const User& user);
Result<Caller> CallerOfSession(const Model& model, const Role& role, const SessionState& session);

// By ARN, without any key: a user ARN (arn:aws:iam::A:user/path/NAME), an assumed-role session
// ARN (arn:aws:sts::A:assumed-role/ROLE/SESSION: the session name comes from the ARN) or a role
// ARN (arn:aws:iam::A:role/path/NAME: a session of it named session.session_name, "session" when
// empty), or the account root (arn:aws:iam::A:root, which has no policies). `session` fills the
// session's state. kInvalidArgument for other ARNs and when the model has no such user or role.
Result<Caller> CallerFromArn(const Model& model, std::string_view arn,
                             const SessionState& session = {});

// The managed session policies named by PolicyArns: from the model, else (AWS managed policies
// and unknown ARNs) an allow-everything stand-in, since the world cannot know their contents.
// The effective permissions are still limited by the role's own policies.
std::vector<policy::NamedPolicy> ManagedSessionPolicies(const Model& model,
                                                        const std::vector<std::string>& arns);

}  // namespace hubspoke::iam
