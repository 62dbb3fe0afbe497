// Terraform and CloudFormation renderings of the generated documents. Both are made from the
// JSON text itself (parsed back), so what they hold is by construction what `--format json`
// prints; the e2e tests parse them with HashiCorp's parser and PyYAML and compare.
#include "hubspoke/policy_documents.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace hubspoke {
namespace {

using ojson = nlohmann::ordered_json;

std::vector<std::string> AsList(const ojson& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& e : v) out.push_back(e.get<std::string>());
  } else {
    out.push_back(v.get<std::string>());
  }
  return out;
}

// An HCL quoted string: JSON escapes plus HCL's template sequences ("${" and "%{").
std::string Hcl(const std::string& s) {
  std::string q = ojson(s).dump();
  std::string out;
  for (std::size_t i = 0; i < q.size(); ++i) {
    if ((q[i] == '$' || q[i] == '%') && i + 1 < q.size() && q[i + 1] == '{') out += q[i];
    out += q[i];
  }
  return out;
}

std::string HclList(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + Hcl(values[i]);
  return out + "]";
}

std::string TfName(PolicyDocumentKind kind) {
  switch (kind) {
    case PolicyDocumentKind::kBase: return "base";
    case PolicyDocumentKind::kHubTrust: return "hub_trust";
    case PolicyDocumentKind::kHub: return "hub";
    case PolicyDocumentKind::kSpokeTrust: return "spoke_trust";
  }
  return "base";
}

// data "aws_iam_policy_document": one statement block per statement, principals and condition
// blocks (one per operator and key) as the provider converts them back to JSON.
std::string TfPolicyDocument(const std::string& name, const std::string& json_text) {
  const ojson doc = ojson::parse(json_text);
  std::string out = "data \"aws_iam_policy_document\" \"" + name + "\" {\n";
  for (const auto& s : doc["Statement"]) {
    out += "  statement {\n";
    out += "    sid       = " + Hcl(s["Sid"].get<std::string>()) + "\n";
    out += "    effect    = " + Hcl(s["Effect"].get<std::string>()) + "\n";
    out += "    actions   = " + HclList(AsList(s["Action"])) + "\n";
    if (s.contains("Resource")) out += "    resources = " + HclList(AsList(s["Resource"])) + "\n";
    if (s.contains("Principal")) {
      for (const auto& [type, ids] : s["Principal"].items()) {
        out += "\n    principals {\n      type        = " + Hcl(type) +
               "\n      identifiers = " + HclList(AsList(ids)) + "\n    }\n";
      }
    }
    if (s.contains("Condition")) {
      for (const auto& [test, keys] : s["Condition"].items()) {
        for (const auto& [key, values] : keys.items()) {
          out += "\n    condition {\n      test     = " + Hcl(test) +
                 "\n      variable = " + Hcl(key) + "\n      values   = " +
                 HclList(AsList(values)) + "\n    }\n";
        }
      }
    }
    out += "  }\n";
  }
  return out + "}\n";
}

std::string Comment(const std::string& prefix, const PolicyDocument& d) {
  return prefix + " " + d.name + ": " + d.purpose + ".\n" + prefix + " Goes into account " +
         d.account + ", as " + d.attaches_to + ".\n";
}

// YAML block style for a JSON value; strings and keys double-quoted (JSON string syntax is
// YAML's double-quoted scalar), so no value is ever read as a number, a bool or a tag.
void Yaml(const ojson& v, int indent, std::string& out);

// Plain keys (CloudFormation's own: Type, Properties, Statement) stay plain; keys with ':'
// (aws:PrincipalOrgID, Fn::Sub) are quoted.
std::string YamlKey(const std::string& k) {
  const bool plain = !k.empty() && std::isalpha(static_cast<unsigned char>(k[0])) &&
                     std::all_of(k.begin(), k.end(),
                                 [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
  return plain ? k : ojson(k).dump();
}

void YamlMapping(const ojson& v, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  for (const auto& [k, child] : v.items()) {
    out += pad + YamlKey(k) + ":";
    if (child.is_object() || child.is_array()) {
      out += "\n";
      Yaml(child, indent + 2, out);
    } else {
      out += " " + child.dump() + "\n";
    }
  }
}

void Yaml(const ojson& v, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (v.is_object()) {
    YamlMapping(v, indent, out);
  } else if (v.is_array()) {
    for (const auto& e : v) {
      if (e.is_object() && !e.empty()) {
        std::string item;
        YamlMapping(e, indent + 2, item);
        out += pad + "- " + item.substr(static_cast<std::size_t>(indent) + 2);
      } else if (e.is_array()) {
        out += pad + "-\n";
        Yaml(e, indent + 2, out);
      } else {
        out += pad + "- " + e.dump() + "\n";
      }
    }
  } else {
    out += pad + v.dump() + "\n";
  }
}

std::string YamlComment(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += "# " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

std::string RoleDescription(const ChainPolicies& p, bool hub) {
  return hub ? "Hub role of the assume-spoke-role chain: assumes " + p.spoke_role_name +
                   " in the spoke accounts"
             : "Spoke role of the assume-spoke-role chain: assumed by the hub role " +
                   p.hub_role_arn;
}

}  // namespace

std::string RenderTerraform(const ChainPolicies& p, const std::vector<PolicyDocumentKind>& kinds) {
  auto has = [&](PolicyDocumentKind k) {
    return std::find(kinds.begin(), kinds.end(), k) != kinds.end();
  };
  std::string out =
      "# The least-privilege IAM policies of the assume-spoke-role chain (assume-spoke-role "
      "policy).\n# The documents go into different accounts: apply each part with a provider "
      "for the account it names.\n";
  for (PolicyDocumentKind kind : kinds) {
    const PolicyDocument& d = p.Get(kind);
    if (d.json.empty()) continue;
    const std::string tf = TfName(kind);
    out += "\n" + Comment("#", d);
    out += TfPolicyDocument(tf, d.json);
    out += "\n";
    switch (kind) {
      case PolicyDocumentKind::kBase:
        out += "# Attach it to the base IAM user or role (aws_iam_user_policy_attachment / "
               "aws_iam_role_policy_attachment),\n# or use the document as the inline policy "
               "of an Identity Center permission set.\n";
        out += "resource \"aws_iam_policy\" \"base\" {\n  name        = " +
               Hcl(p.hub_role_name + "-assume") + "\n  description = " +
               Hcl("Assume the hub role " + p.hub_role_arn) +
               "\n  policy      = data.aws_iam_policy_document.base.json\n}\n";
        break;
      case PolicyDocumentKind::kHubTrust:
        out += "# The hub role, in the hub account " + p.hub_account_id + ".\n";
        out += "resource \"aws_iam_role\" \"hub\" {\n  name               = " +
               Hcl(p.hub_role_name) + "\n  path               = " + Hcl(p.hub_role_path) +
               "\n  description        = " + Hcl(RoleDescription(p, true)) +
               "\n  assume_role_policy = data.aws_iam_policy_document.hub_trust.json\n}\n";
        break;
      case PolicyDocumentKind::kHub:
        out += "# The hub role's only permission: assuming the spoke role.\n";
        out += "resource \"aws_iam_role_policy\" \"hub\" {\n  name   = \"assume-spoke-role\"\n"
               "  role   = " +
               (has(PolicyDocumentKind::kHubTrust) ? std::string("aws_iam_role.hub.id")
                                                   : Hcl(p.hub_role_name)) +
               "\n  policy = data.aws_iam_policy_document.hub.json\n}\n";
        break;
      case PolicyDocumentKind::kSpokeTrust:
        out += "# The spoke role, in every spoke account (one provider per account, or the "
               "CloudFormation StackSet).\n# Attach the permissions the automation needs "
               "there (e.g. ReadOnlyAccess).\n";
        out += "resource \"aws_iam_role\" \"spoke\" {\n  name               = " +
               Hcl(p.spoke_role_name) + "\n  path               = " + Hcl(p.spoke_role_path) +
               "\n  description        = " + Hcl(RoleDescription(p, false)) +
               "\n  assume_role_policy = data.aws_iam_policy_document.spoke_trust.json\n}\n";
        break;
    }
  }
  return out;
}

std::string RenderCloudFormationBase(const ChainPolicies& p) {
  ojson props;
  props["ManagedPolicyName"] = p.hub_role_name + "-assume";
  props["Description"] = "Assume the hub role " + p.hub_role_arn;
  props["PolicyDocument"] = ojson::parse(p.base.json);
  std::string out = YamlComment(
      "base: " + p.base.purpose + ".\nDeploy in account " + p.base.account +
      "; attach the managed policy to " + p.base.attaches_to.substr(std::string("an identity policy of ").size()) +
      "\n(Users / Roles properties, or the IAM console).");
  out += "AWSTemplateFormatVersion: \"2010-09-09\"\n";
  out += "Description: " + ojson("assume-spoke-role: the base identity's policy").dump() + "\n";
  out += "Resources:\n";
  out += "  # The base identity's only permission: assuming the hub role.\n";
  out += "  BasePolicy:\n    Type: \"AWS::IAM::ManagedPolicy\"\n    Properties:\n";
  Yaml(props, 6, out);
  out += "Outputs:\n  BasePolicyArn:\n    Value:\n      \"Ref\": \"BasePolicy\"\n";
  return out;
}

std::string RenderCloudFormationHub(const ChainPolicies& p) {
  ojson props;
  props["RoleName"] = p.hub_role_name;
  props["Path"] = p.hub_role_path;
  props["Description"] = RoleDescription(p, true);
  props["MaxSessionDuration"] = 3600;
  props["AssumeRolePolicyDocument"] = ojson::parse(p.hub_trust.json);
  ojson policy;
  policy["PolicyName"] = "assume-spoke-role";
  policy["PolicyDocument"] = ojson::parse(p.hub.json);
  props["Policies"] = ojson::array({policy});
  std::string out = YamlComment("The hub role " + p.hub_role_arn + ".\nDeploy in the hub account " +
                                p.hub_account_id + ".\nhub-trust: " + p.hub_trust.purpose +
                                ".\nhub: " + p.hub.purpose + ".");
  out += "AWSTemplateFormatVersion: \"2010-09-09\"\n";
  out += "Description: " + ojson("assume-spoke-role: the hub role").dump() + "\n";
  out += "Resources:\n";
  out += "  # Trust: the base identities. Policies: assuming the spoke role, nothing else.\n";
  out += "  HubRole:\n    Type: \"AWS::IAM::Role\"\n    Properties:\n";
  Yaml(props, 6, out);
  out += "Outputs:\n  HubRoleArn:\n    Value:\n      \"Fn::GetAtt\":\n        - \"HubRole\"\n"
         "        - \"Arn\"\n";
  return out;
}

std::string RenderCloudFormationSpokeStackSet(const ChainPolicies& p) {
  // The trust names the hub role through the parameters, so the one template fits every
  // account of the StackSet and a new hub is a parameter change.
  ojson trust = ojson::parse(p.spoke_trust.json);
  for (auto& s : trust["Statement"]) {
    s["Principal"]["AWS"] = ojson{
        {"Fn::Sub", "arn:${AWS::Partition}:iam::${HubAccountId}:role${HubRolePath}${HubRoleName}"}};
  }
  ojson params;
  params["HubAccountId"] = {{"Type", "String"},
                            {"Default", p.hub_account_id},
                            {"AllowedPattern", "^[0-9]{12}$"},
                            {"Description", "Account id of the hub role"}};
  params["HubRolePath"] = {{"Type", "String"},
                           {"Default", p.hub_role_path},
                           {"AllowedPattern", "^/(.+/)?$"},
                           {"Description", "Path of the hub role: / or /a/b/"}};
  params["HubRoleName"] = {{"Type", "String"},
                           {"Default", p.hub_role_name},
                           {"Description", "Name of the hub role"}};
  ojson props;
  props["RoleName"] = p.spoke_role_name;
  props["Path"] = p.spoke_role_path;
  props["Description"] = ojson{
      {"Fn::Sub",
       "Spoke role of the assume-spoke-role chain: assumed by the hub role "
       "arn:${AWS::Partition}:iam::${HubAccountId}:role${HubRolePath}${HubRoleName}"}};
  props["MaxSessionDuration"] = 3600;
  props["AssumeRolePolicyDocument"] = trust;
  std::string out = YamlComment(
      "spoke-trust: " + p.spoke_trust.purpose + ".\nA StackSet template: deploy it to " +
      p.spoke_trust.account +
      " (service-managed permissions,\nautomatic deployment to the organization or its OUs). "
      "Nothing in it is account-specific but the hub,\ngiven as Parameters. Add the spoke's "
      "permissions (ManagedPolicyArns, e.g. ReadOnlyAccess).");
  out += "AWSTemplateFormatVersion: \"2010-09-09\"\n";
  out += "Description: " + ojson("assume-spoke-role: the spoke role (StackSet)").dump() + "\n";
  out += "Parameters:\n";
  Yaml(params, 2, out);
  out += "Resources:\n";
  out += "  # Trust: the hub role only, with the spoke hop's conditions.\n";
  out += "  SpokeRole:\n    Type: \"AWS::IAM::Role\"\n    Properties:\n";
  Yaml(props, 6, out);
  out += "Outputs:\n  SpokeRoleArn:\n    Value:\n      \"Fn::GetAtt\":\n        - \"SpokeRole\"\n"
         "        - \"Arn\"\n";
  return out;
}

}  // namespace hubspoke
