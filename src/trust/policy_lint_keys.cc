// Condition keys in an AssumeRole request. Sources (the IAM User Guide copy in
// ../shared/testdata/iam/docs/, summarised in ../shared/testdata/iam/FACTS.md §5):
// - global keys: reference_policies_condition-keys.md (live:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
//   plus the newer aws:SourceOrgID/SourceOrgPaths, aws:Vpce* and aws:SourceVpcArn of the live page;
// - STS keys: reference_policies_iam-condition-keys.md "Available keys for AWS STS": sts:ExternalId,
//   sts:RoleSessionName, sts:SourceIdentity, sts:TransitiveTagKeys are set by AssumeRole;
//   sts:AWSServiceName and sts:DurationSeconds exist only for bearer tokens ("The key is not
//   present for AWS STS assume-role operations");
// - aws:SourceAccount/SourceArn (and SourceOrgID/SourceOrgPaths): "included in the request
//   context only if accessing a resource triggers an AWS service to call another service on
//   behalf of the resource owner": a service principal assuming the role, never an IAM user or
//   role session;
// - aws:ResourceOrgID/ResourceOrgPaths/ResourceAccount/ResourceTag: the resource of AssumeRole is
//   the role itself, so in its own trust policy they compare the role with itself.
// aws:SourceIp, aws:SourceVpc, aws:SourceVpce, aws:VpcSourceIp and aws:RequestedRegion are set
// for AssumeRole (STS has regional and VPC endpoints), so they are not flagged.
#include "trust/policy_lint_keys.h"

#include <algorithm>
#include <iterator>
#include <vector>

#include "core/strings.h"

namespace hubspoke::trust {
namespace {

// Known keys as AWS spells them (the suggestion keeps this spelling).
constexpr std::string_view kGlobalKeys[] = {
    "aws:CalledVia",          "aws:CalledViaFirst",
    "aws:CalledViaLast",      "aws:CurrentTime",
    "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:EpochTime",          "aws:FederatedProvider",
    "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",   "aws:PrincipalArn",
    "aws:PrincipalIsAWSService", "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",  "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList", "aws:PrincipalType",
    "aws:referer",            "aws:RequestedRegion",
    "aws:ResourceAccount",    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",   "aws:SecureTransport",
    "aws:SourceAccount",      "aws:SourceArn",
    "aws:SourceIdentity",     "aws:SourceIp",
    "aws:SourceOrgID",        "aws:SourceOrgPaths",
    "aws:SourceVpc",          "aws:SourceVpce",
    "aws:SourceVpcArn",       "aws:TagKeys",
    "aws:TokenIssueTime",     "aws:UserAgent",
    "aws:userid",             "aws:username",
    "aws:ViaAWSService",      "aws:VpcSourceIp",
    "aws:VpceAccount",        "aws:VpceOrgID",
    "aws:VpceOrgPaths",
};
// Keys whose name continues after the slash with a tag key.
constexpr std::string_view kTagPrefixes[] = {"aws:PrincipalTag/", "aws:RequestTag/",
                                                          "aws:ResourceTag/"};
constexpr std::string_view kStsKeys[] = {"sts:ExternalId", "sts:RoleSessionName",
                                                      "sts:SourceIdentity",
                                                      "sts:TransitiveTagKeys"};
constexpr std::string_view kStsNotForAssumeRole[] = {"sts:AWSServiceName",
                                                                  "sts:DurationSeconds"};
constexpr std::string_view kServiceOnly[] = {"aws:SourceAccount", "aws:SourceArn",
                                                          "aws:SourceOrgID", "aws:SourceOrgPaths"};

struct RoleKey {
  std::string_view key;
  std::string_view instead;
};
constexpr RoleKey kDescribesRole[] = {
    {"aws:ResourceOrgID", "aws:PrincipalOrgID"},
    {"aws:ResourceOrgPaths", "aws:PrincipalOrgPaths"},
    {"aws:ResourceAccount", "aws:PrincipalAccount"},
};

bool In(std::string_view key, auto const& list) {
  return std::any_of(std::begin(list), std::end(list),
                     [&](std::string_view k) { return EqualsIgnoreCase(k, key); });
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// The closest known key within distance 2, as AWS spells it; a tag key keeps its tag part.
std::optional<std::string> Closest(std::string_view key) {
  std::optional<std::string> best;
  std::size_t best_distance = 3;
  auto consider = [&](std::string_view candidate, std::string_view written,
                      std::string_view tail) {
    const std::size_t d = CappedEditDistance(written, candidate, 2);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(candidate) + std::string(tail);
    }
  };
  const std::size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    for (std::string_view prefix : kTagPrefixes) {
      consider(prefix, key.substr(0, slash + 1), key.substr(slash + 1));
    }
    return best;
  }
  for (std::string_view k : kGlobalKeys) consider(k, key, "");
  for (std::string_view k : kStsKeys) consider(k, key, "");
  for (std::string_view k : kStsNotForAssumeRole) consider(k, key, "");
  return best;
}

}  // namespace

std::size_t CappedEditDistance(std::string_view a, std::string_view b, std::size_t limit) {
  const std::string x = ToLower(a);
  const std::string y = ToLower(b);
  const std::size_t gap = x.size() > y.size() ? x.size() - y.size() : y.size() - x.size();
  if (gap > limit) return limit + 1;
  std::vector<std::size_t> prev(y.size() + 1), cur(y.size() + 1);
  for (std::size_t j = 0; j <= y.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= x.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= y.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return std::min(prev[y.size()], limit + 1);
}

KeyCheck CheckConditionKey(std::string_view key) {
  const std::size_t colon = key.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    if (auto near = Closest(key); near) return {KeyVerdict::kMisspelt, *near};
    return {KeyVerdict::kUnknown, ""};
  }
  const std::string prefix = ToLower(key.substr(0, colon));
  if (prefix == "aws") {
    for (const RoleKey& r : kDescribesRole) {
      if (EqualsIgnoreCase(r.key, key)) return {KeyVerdict::kDescribesRole, std::string(r.instead)};
    }
    if (StartsWithIgnoreCase(key, "aws:ResourceTag/")) {
      return {KeyVerdict::kDescribesRole, "aws:PrincipalTag/" + std::string(key.substr(16))};
    }
    if (In(key, kServiceOnly)) return {KeyVerdict::kServiceOnly, ""};
    if (In(key, kGlobalKeys)) return {KeyVerdict::kFine, ""};
    for (std::string_view p : kTagPrefixes) {
      if (StartsWithIgnoreCase(key, p) && key.size() > p.size()) return {KeyVerdict::kFine, ""};
    }
  } else if (prefix == "sts") {
    if (In(key, kStsKeys)) return {KeyVerdict::kFine, ""};
    if (In(key, kStsNotForAssumeRole)) return {KeyVerdict::kNotSet, ""};
  } else if (prefix == "saml" || prefix.find('.') != std::string::npos ||
             prefix.find('/') != std::string::npos) {
    // SAML keys and web-identity providers' keys (accounts.google.com:aud,
    // token.actions.githubusercontent.com:sub, oidc.eks.…/id/…:sub): AssumeRoleWithSAML /
    // WithWebIdentity set them (reference_policies_iam-condition-keys.md).
    return {KeyVerdict::kFine, ""};
  } else {
    // Another service's keys (s3:, ec2:, iam:, kms:, …): only that service's requests carry
    // them; an STS request carries aws: and sts: keys.
    return {KeyVerdict::kNotSet, ""};
  }
  if (auto near = Closest(key); near) return {KeyVerdict::kMisspelt, *near};
  return {KeyVerdict::kUnknown, ""};
}

}  // namespace hubspoke::trust
