// Generated spoke accounts (see generated_spokes.h for the layout).
#include "iam/generated_spokes.h"

#include <array>
#include <cstdio>
#include <unordered_set>

#include "crypto/sha256.h"

namespace hubspoke::iam {
namespace {

// As model_parse.cc derives them: AROA + 17 base32 characters of SHA-256 of the ARN.
std::string RoleUniqueId(std::string_view arn) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  crypto::Digest d = crypto::Sha256(arn);
  std::string out = "AROA";
  for (int i = 0; i < 17; ++i) out += kAlphabet[d[static_cast<std::size_t>(i)] % 32];
  return out;
}

std::string TrustPolicyJson(const std::string& org_id) {
  const std::string hub = std::string("arn:aws:iam::") + kBuiltinHubAccount + ":role/" +
                          kBuiltinHubRole;
  return R"({"Version": "2012-10-17", "Statement": [{"Sid": "TrustTheHubRole", "Effect": "Allow",
    "Principal": {"AWS": ")" + hub + R"("}, "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": ")" + org_id +
         R"(", "sts:ExternalId": ")" + kBuiltinExternalId + R"("}}}]})";
}

constexpr char kReadOnlyJson[] = R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": ["ec2:Describe*", "iam:Get*", "iam:List*", "s3:Get*", "s3:List*"],
    "Resource": "*"}]})";

}  // namespace

Status AddGeneratedSpokes(Model& model, std::size_t count, std::string_view field) {
  const std::string f(field);
  if (count < 1 || count > kMaxGeneratedSpokes) {
    return Error(ErrorCode::kInvalidArgument,
                 f + ": " + std::to_string(count) + " is not a number of spokes from 1 to " +
                     std::to_string(kMaxGeneratedSpokes));
  }
  if (model.organization_id.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 f + ": the model has no organization ($.organization) to put spokes in");
  }
  if (model.generated_spokes != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 f + ": the model already has " + std::to_string(model.generated_spokes) +
                     " generated spokes ($.organization.spokes); give one or the other");
  }
  const std::string r = model.root_id.substr(2);
  struct Ou {
    const char* suffix;
    const char* name;
    int parent;  // index into kOus, -1: the root
  };
  static constexpr std::array<Ou, 4> kOus{{{"workloads", "Workloads", -1},
                                           {"prodaccts", "Prod", 0},
                                           {"nonprodaccts", "NonProd", 0},
                                           {"sandboxes", "Sandbox", -1}}};
  std::array<std::string, 4> ou_ids;
  for (std::size_t i = 0; i < kOus.size(); ++i) {
    ou_ids[i] = "ou-" + r + "-" + kOus[i].suffix;
    if (model.FindOrganizationalUnit(ou_ids[i])) {
      return Error(ErrorCode::kInvalidArgument,
                   f + ": the model already has OU " + ou_ids[i] + ", which generated spokes use");
    }
  }
  for (std::size_t i = 0; i < kOus.size(); ++i) {
    model.organizational_units.push_back(OrganizationalUnit{
        .id = ou_ids[i],
        .name = kOus[i].name,
        .parent = kOus[i].parent < 0 ? "" : ou_ids[static_cast<std::size_t>(kOus[i].parent)],
        .scps = {}});
  }
  // Spoke i goes to Prod, NonProd, Sandbox, Workloads, Prod, … (1-based: i % 4 == 1 → Prod).
  static constexpr std::array<std::size_t, 4> kPlacementOu{1, 2, 3, 0};

  auto trust = policy::ParseNamedPolicy("", policy::PolicyKind::kTrust,
                                        TrustPolicyJson(model.organization_id));
  auto read_only = policy::ParseNamedPolicy("identity policy 'read-only' of role " +
                                                std::string(kBuiltinSpokeRole),
                                            policy::PolicyKind::kIdentity, kReadOnlyJson);
  if (!trust || !read_only) {
    return Error(ErrorCode::kInternal, f + ": the generated spoke policies do not parse");
  }
  std::unordered_set<std::string> taken;
  taken.reserve(model.accounts.size());
  for (const Account& a : model.accounts) taken.insert(a.id);
  model.accounts.reserve(model.accounts.size() + count);
  model.roles.reserve(model.roles.size() + count);
  long long next_id = 200000000001LL;
  for (std::size_t i = 1; i <= count; ++i) {
    std::string id = std::to_string(next_id++);
    while (taken.count(id)) id = std::to_string(next_id++);
    char name[32];
    std::snprintf(name, sizeof name, "spoke-%04zu", i);
    Account account;
    account.id = id;
    account.name = name;
    account.email = "aws+" + id + "@example.com";
    account.parent_ou = ou_ids[kPlacementOu[(i - 1) % 4]];
    model.accounts.push_back(std::move(account));

    Role role;
    role.account = id;
    role.name = kBuiltinSpokeRole;
    role.arn = "arn:aws:iam::" + id + ":role/" + kBuiltinSpokeRole;
    role.unique_id = RoleUniqueId(role.arn);
    role.trust_policy = *trust;
    role.trust_policy.name = "trust policy of " + role.arn;
    role.policies.push_back(*read_only);
    model.roles.push_back(std::move(role));
  }
  model.generated_spokes = count;
  return Ok();
}

}  // namespace hubspoke::iam
