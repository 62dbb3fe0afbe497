#include "iam/iam_export.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "iam/iam_export_reader.h"

namespace hubspoke::iam {
namespace {

using nlohmann::json;

const json kAllowAll = {{"Version", "2012-10-17"},
                        {"Statement", {{{"Effect", "Allow"}, {"Action", "*"}, {"Resource", "*"}}}}};

json Statement(const std::string& effect, const std::string& action, const std::string& resource) {
  return {{"Version", "2012-10-17"},
          {"Statement", {{{"Effect", effect}, {"Action", action}, {"Resource", resource}}}}};
}

json Trust(const std::string& principal) {
  return {{"Version", "2012-10-17"},
          {"Statement",
           {{{"Effect", "Allow"},
             {"Principal", {{"AWS", principal}}},
             {"Action", "sts:AssumeRole"}}}}};
}

// RFC 3986 encoding, as the raw IAM API returns documents.
std::string UrlEncode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The identity account: a user in a group, with inline, customer managed (two versions, the
// second the default) and boundary policies; AWS adds members the reader must ignore.
json IdentityAccount() {
  return {
      {"UserDetailList",
       {{{"Path", "/automation/"},
         {"UserName", "sys-automation"},
         {"UserId", "AIDAEXAMPLEEXAMPLE001"},
         {"Arn", "arn:aws:iam::111111111111:user/automation/sys-automation"},
         {"CreateDate", "2024-01-01T00:00:00+00:00"},
         {"UserPolicyList",
          {{{"PolicyName", "assume-hub"},
            {"PolicyDocument",
             Statement("Allow", "sts:AssumeRole", "arn:aws:iam::999999999999:role/hub")}}}},
         {"GroupList", {"automation"}},
         {"AttachedManagedPolicies",
          {{{"PolicyName", "read-s3"},
            {"PolicyArn", "arn:aws:iam::111111111111:policy/read-s3"}}}},
         {"PermissionsBoundary",
          {{"PermissionsBoundaryType", "Policy"},
           {"PermissionsBoundaryArn", "arn:aws:iam::111111111111:policy/boundary"}}},
         {"Tags", {{{"Key", "team"}, {"Value", "platform"}}}},
         {"SomeFieldAwsAddsLater", 42}}}},
      {"GroupDetailList",
       {{{"Path", "/"},
         {"GroupName", "automation"},
         {"GroupId", "AGPAEXAMPLE"},
         {"Arn", "arn:aws:iam::111111111111:group/automation"},
         {"GroupPolicyList",
          {{{"PolicyName", "group-inline"},
            {"PolicyDocument", Statement("Allow", "sts:GetCallerIdentity", "*").dump()}}}},
         {"AttachedManagedPolicies",
          {{{"PolicyName", "ReadOnlyAccess"},
            {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}}}}}}},
      {"RoleDetailList", json::array()},
      {"Policies",
       {{{"PolicyName", "read-s3"},
         {"PolicyId", "ANPAEXAMPLE1"},
         {"Arn", "arn:aws:iam::111111111111:policy/read-s3"},
         {"Path", "/"},
         {"DefaultVersionId", "v2"},
         {"AttachmentCount", 1},
         {"IsAttachable", true},
         {"PolicyVersionList",
          {{{"Document", Statement("Allow", "s3:GetObject", "*")},
            {"VersionId", "v2"},
            {"IsDefaultVersion", true}},
           {{"Document", Statement("Allow", "s3:*", "*")},
            {"VersionId", "v1"},
            {"IsDefaultVersion", false}}}}},
        {{"PolicyName", "boundary"},
         {"Arn", "arn:aws:iam::111111111111:policy/boundary"},
         {"DefaultVersionId", "v1"},
         {"PolicyVersionList",
          {{{"Document", UrlEncode(kAllowAll.dump())},
            {"VersionId", "v1"},
            {"IsDefaultVersion", true}}}}},
        {{"PolicyName", "ReadOnlyAccess"},
         {"Arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
         {"Path", "/"},
         {"DefaultVersionId", "v3"},
         {"PolicyVersionList",
          {{{"Document", Statement("Allow", "ec2:Describe*", "*")},
            {"VersionId", "v3"},
            {"IsDefaultVersion", true}}}}}}},
      {"IsTruncated", false}};
}

json HubAccount() {
  return {
      {"UserDetailList", json::array()},
      {"GroupDetailList", json::array()},
      {"RoleDetailList",
       {{{"Path", "/"},
         {"RoleName", "hub"},
         {"RoleId", "AROAEXAMPLEHUB0000001"},
         {"Arn", "arn:aws:iam::999999999999:role/hub"},
         {"AssumeRolePolicyDocument",
          UrlEncode(Trust("arn:aws:iam::111111111111:user/automation/sys-automation").dump())},
         {"InstanceProfileList",
          {{{"InstanceProfileName", "hub"},
            {"Arn", "arn:aws:iam::999999999999:instance-profile/hub"},
            {"Roles", json::array()}}}},
         {"RolePolicyList",
          {{{"PolicyName", "spokes"},
            {"PolicyDocument",
             Statement("Allow", "sts:AssumeRole", "arn:aws:iam::*:role/spoke")}}}},
         {"AttachedManagedPolicies",
          {{{"PolicyName", "ReadOnlyAccess"},
            {"PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}}}},
         {"PermissionsBoundary",
          {{"PermissionsBoundaryType", "Policy"},
           {"PermissionsBoundaryArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"}}},
         {"Tags", {{{"Key", "role"}, {"Value", "hub"}}}},
         {"RoleLastUsed", {{"LastUsedDate", "2024-01-01T00:00:00+00:00"}}}}}},
      {"Policies", json::array()}};
}

json SpokeAccount(const std::string& account) {
  return {{"RoleDetailList",
           {{{"Path", "/automation/"},
             {"RoleName", "spoke"},
             {"Arn", "arn:aws:iam::" + account + ":role/automation/spoke"},
             {"AssumeRolePolicyDocument", Trust("arn:aws:iam::999999999999:role/hub")}}}}};
}

std::vector<ExportFile> Files(std::vector<std::pair<std::string, json>> docs) {
  std::vector<ExportFile> out;
  for (auto& [name, doc] : docs) out.push_back(ExportFile{name, doc.dump()});
  return out;
}

std::vector<ExportFile> StandardIam() {
  return Files({{"111111111111.json", IdentityAccount()},
                {"hub/999999999999.json", HubAccount()},
                {"spokes-888888888888.json", SpokeAccount("888888888888")},
                {"spokes-777777777777.json", SpokeAccount("777777777777")}});
}

Result<Model> Build(const std::vector<ExportFile>& iam, const std::vector<ExportFile>& scp = {}) {
  return ModelFromExports(iam, scp, "--iam-export in", "--scp-export scp");
}

std::string ErrorOf(const std::vector<ExportFile>& iam, const std::vector<ExportFile>& scp = {}) {
  auto m = Build(iam, scp);
  if (m) return "(no error)";
  EXPECT_EQ(m.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(m.error().message().find('\n'), std::string::npos) << m.error().message();
  return m.error().message();
}

bool Allows(const policy::NamedPolicy& p, const std::string& action) {
  return p.document.statements.size() == 1 &&
         p.document.statements[0].actions.size() == 1 &&
         p.document.statements[0].actions[0] == action;
}

TEST(IamExport, ParsesUsersGroupsManagedPoliciesAndBoundaries) {
  auto m = Build(StandardIam());
  ASSERT_TRUE(m) << m.error().message();
  ASSERT_EQ(m->accounts.size(), 4u);
  EXPECT_TRUE(m->organization_id.empty());
  EXPECT_FALSE(m->accounts[0].in_organization);
  const User* user = m->FindUser("arn:aws:iam::111111111111:user/automation/sys-automation");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->path, "/automation/");
  EXPECT_EQ(user->unique_id, "AIDAEXAMPLEEXAMPLE001");
  EXPECT_TRUE(user->access_keys.empty());
  EXPECT_EQ(user->tags.at("team"), "platform");
  // Inline, attached (default version v2, not the first listed), the group's inline and the
  // group's attached AWS managed policy.
  ASSERT_EQ(user->policies.size(), 4u);
  EXPECT_EQ(user->policies[0].name, "identity policy 'assume-hub' of user sys-automation");
  EXPECT_EQ(user->policies[1].name, "managed policy arn:aws:iam::111111111111:policy/read-s3");
  EXPECT_TRUE(Allows(user->policies[1], "s3:GetObject"));
  EXPECT_EQ(user->policies[2].name, "identity policy 'group-inline' of group automation");
  EXPECT_EQ(user->policies[3].name, "managed policy arn:aws:iam::aws:policy/ReadOnlyAccess");
  EXPECT_EQ(user->policies[1].kind, policy::PolicyKind::kIdentity);
  ASSERT_TRUE(user->permissions_boundary.has_value());
  EXPECT_EQ(user->permissions_boundary->kind, policy::PolicyKind::kPermissionsBoundary);
  EXPECT_TRUE(Allows(*user->permissions_boundary, "*"));  // URL-encoded in the export

  const Role* hub = m->FindRole("arn:aws:iam::999999999999:role/hub");
  ASSERT_NE(hub, nullptr);
  EXPECT_EQ(hub->unique_id, "AROAEXAMPLEHUB0000001");
  EXPECT_EQ(hub->trust_policy.kind, policy::PolicyKind::kTrust);
  ASSERT_EQ(hub->policies.size(), 2u);
  EXPECT_TRUE(Allows(hub->policies[1], "ec2:Describe*"));  // from the identity account's file
  ASSERT_TRUE(hub->permissions_boundary.has_value());
  EXPECT_EQ(hub->tags.at("role"), "hub");
  EXPECT_EQ(hub->max_session_duration, std::chrono::seconds(3600));
  const Role* spoke = m->FindRole("arn:aws:iam::888888888888:role/automation/spoke");
  ASSERT_NE(spoke, nullptr);
  EXPECT_EQ(spoke->path, "/automation/");
  EXPECT_EQ(spoke->unique_id.rfind("AROA", 0), 0u);  // derived: the export had no RoleId
  EXPECT_EQ(spoke->unique_id.size(), 21u);
  // Every exported managed policy, usable in PolicyArns.
  ASSERT_EQ(m->managed_policies.size(), 3u);
  ASSERT_NE(m->FindManagedPolicy("arn:aws:iam::111111111111:policy/read-s3"), nullptr);
  EXPECT_EQ(m->FindManagedPolicy("arn:aws:iam::111111111111:policy/read-s3")->policy.kind,
            policy::PolicyKind::kSession);
}

TEST(IamExport, DefaultVersionByIsDefaultVersionWithoutDefaultVersionId) {
  json identity = IdentityAccount();
  json& read_s3 = identity["Policies"][0];
  read_s3.erase("DefaultVersionId");
  read_s3["PolicyVersionList"][0]["IsDefaultVersion"] = false;
  read_s3["PolicyVersionList"][1]["IsDefaultVersion"] = true;
  auto m = Build(Files({{"a.json", identity}}));
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_TRUE(Allows(m->users[0].policies[1], "s3:*"));
}

TEST(IamExport, DocumentsAsJsonTextAndUrlEncodedText) {
  const std::string doc = Trust("arn:aws:iam::111111111111:root").dump();
  for (const json& encoded : {json(doc), json(UrlEncode(doc)), json::parse(doc)}) {
    json spoke = SpokeAccount("888888888888");
    spoke["RoleDetailList"][0]["AssumeRolePolicyDocument"] = encoded;
    auto m = Build(Files({{"s.json", spoke}}));
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_EQ(m->roles[0].trust_policy.document.statements.size(), 1u);
  }
  EXPECT_EQ(export_reader::UrlDecode("%7B%22a%22%3A1%7D").value(), "{\"a\":1}");
  EXPECT_FALSE(export_reader::UrlDecode("%7"));
  EXPECT_FALSE(export_reader::UrlDecode("%zz"));
}

TEST(IamExport, AccountFromTheFileNameWhenNoArnNamesIt) {
  auto m = Build(Files({{"sub/123456789012.json",
                         {{"UserDetailList", json::array()}, {"RoleDetailList", json::array()}}}}));
  ASSERT_TRUE(m) << m.error().message();
  ASSERT_EQ(m->accounts.size(), 1u);
  EXPECT_EQ(m->accounts[0].id, "123456789012");
  EXPECT_NE(ErrorOf(Files({{"empty.json", json::object()}})).find(
                "--iam-export in: empty.json: $: no ARN names the account"),
            std::string::npos);
}

TEST(IamExport, OrganizationFileMakesTheAccountsMembers) {
  auto iam = StandardIam();
  iam.push_back(ExportFile{"organization.json",
                           R"({"Organization": {"Id": "o-a1b2c3d4e5", "Arn": "x",
                               "FeatureSet": "ALL", "MasterAccountId": "555555555555"}})"});
  auto m = Build(iam);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->organization_id, "o-a1b2c3d4e5");
  EXPECT_EQ(m->root_id, "r-a1b2");
  EXPECT_EQ(m->management_account, "555555555555");
  EXPECT_EQ(m->OrgIdOf("888888888888"), "o-a1b2c3d4e5");
  ASSERT_NE(m->FindAccount("555555555555"), nullptr);  // the management account, added
  EXPECT_TRUE(m->ScpsFor("888888888888").empty());
}

// The SCP export of an organization r-root → ou-root-workload1 → ou-root-prod0001 → 888…,
// 777… under the root, with SCPs at the root, both OUs and one account.
std::vector<ExportFile> StandardScp() {
  auto scp = [](const std::string& id, const std::string& name, const json& doc) {
    return std::make_pair("policies/" + id + ".json",
                          json{{"Policy",
                                {{"PolicySummary",
                                  {{"Id", id}, {"Name", name}, {"Type", "SERVICE_CONTROL_POLICY"},
                                   {"AwsManaged", id == "p-FullAWSAccess"}}},
                                 {"Content", doc.dump()}}}});
  };
  auto targets = [](const std::string& id, json list) {
    return std::make_pair("targets/" + id + ".json", json{{"Targets", std::move(list)}});
  };
  auto target = [](const std::string& id, const std::string& type) {
    return json{{"TargetId", id}, {"Arn", "arn:x"}, {"Name", id}, {"Type", type}};
  };
  return Files({
      {"organization.json",
       {{"Organization", {{"Id", "o-a1b2c3d4e5"}, {"MasterAccountId", "999999999999"}}}}},
      {"roots.json", {{"Roots", {{{"Id", "r-root"}, {"Name", "Root"}}}}}},
      {"policies.json",
       {{"Policies",
         {{{"Id", "p-FullAWSAccess"}, {"Name", "FullAWSAccess"}, {"Type", "SERVICE_CONTROL_POLICY"}},
          {{"Id", "p-denysts1"}, {"Name", "DenySts"}, {"Type", "SERVICE_CONTROL_POLICY"}},
          {{"Id", "p-tag00001"}, {"Name", "Tagging"}, {"Type", "TAG_POLICY"}}}}}},
      scp("p-FullAWSAccess", "FullAWSAccess", kAllowAll),
      scp("p-denysts1", "DenySts", Statement("Deny", "sts:AssumeRole", "*")),
      targets("p-FullAWSAccess",
              {target("r-root", "ROOT"), target("ou-root-workload1", "ORGANIZATIONAL_UNIT"),
               target("ou-root-prod0001", "ORGANIZATIONAL_UNIT"),
               target("777777777777", "ACCOUNT")}),
      targets("p-denysts1", {target("888888888888", "ACCOUNT")}),
      {"ous/r-root.json",
       {{"OrganizationalUnits", {{{"Id", "ou-root-workload1"}, {"Name", "Workloads"}}}}}},
      {"ous/ou-root-workload1.json",
       {{"OrganizationalUnits", {{{"Id", "ou-root-prod0001"}, {"Name", "Prod"}}}}}},
      {"ous/ou-root-prod0001.json", {{"OrganizationalUnits", json::array()}}},
      {"accounts/r-root.json",
       {{"Accounts",
         {{{"Id", "111111111111"}, {"Name", "identity"}, {"Email", "id@example.com"},
           {"Status", "ACTIVE"}},
          {{"Id", "999999999999"}, {"Name", "hub"}, {"Email", "hub@example.com"}},
          {{"Id", "777777777777"}, {"Name", "spoke-b"}, {"Email", "b@example.com"},
           {"Status", "SUSPENDED"}}}}}},
      {"accounts/ou-root-prod0001.json",
       {{"Accounts", {{{"Id", "888888888888"}, {"Name", "spoke-a"}, {"Email", "a@example.com"}}}}}},
  });
}

TEST(IamExport, ScpsAtRootOuAndAccountReachTheAccountsThroughTheTree) {
  auto m = Build(StandardIam(), StandardScp());
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->organization_id, "o-a1b2c3d4e5");
  EXPECT_EQ(m->root_id, "r-root");
  EXPECT_EQ(m->management_account, "999999999999");
  const Account* a = m->FindAccount("888888888888");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name, "spoke-a");
  EXPECT_EQ(a->email, "a@example.com");
  EXPECT_EQ(a->parent_ou, "ou-root-prod0001");
  EXPECT_EQ(m->FindAccount("777777777777")->status, AccountStatus::kSuspended);
  auto nodes = m->ScpNodesFor("888888888888");
  ASSERT_EQ(nodes.size(), 4u);
  EXPECT_EQ(nodes[0].node.level, ScpNode::Level::kRoot);
  EXPECT_EQ(nodes[1].node.id, "ou-root-workload1");
  EXPECT_EQ(nodes[2].node.id, "ou-root-prod0001");
  EXPECT_EQ(nodes[3].node.level, ScpNode::Level::kAccount);
  ASSERT_EQ(nodes[3].scps.size(), 1u);
  EXPECT_EQ(nodes[3].scps[0].name, "SCP 'DenySts' of account 888888888888");
  EXPECT_EQ(nodes[3].scps[0].scp_group, "account 888888888888");
  EXPECT_EQ(nodes[1].scps[0].scp_group, "OU ou-root-workload1");
  EXPECT_EQ(m->ScpNodesFor("777777777777").size(), 2u);  // root and the account itself
  EXPECT_EQ(m->organization_scps.size(), 1u);             // the tag policy is not an SCP
}

TEST(IamExport, AccountsOutsideTheTreeAreOutsideTheOrganization) {
  auto iam = StandardIam();
  iam.push_back(ExportFile{"444444444444.json", "{}"});
  auto m = Build(iam, StandardScp());
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->OrgIdOf("444444444444"), "");
  EXPECT_EQ(m->OrgIdOf("111111111111"), "o-a1b2c3d4e5");
}

std::vector<ExportFile> WithFile(std::vector<ExportFile> files, const std::string& name,
                                 const std::string& text) {
  for (ExportFile& f : files) {
    if (f.name == name) {
      f.text = text;
      return files;
    }
  }
  files.push_back(ExportFile{name, text});
  return files;
}

std::vector<ExportFile> Without(std::vector<ExportFile> files, const std::string& name) {
  std::erase_if(files, [&](const ExportFile& f) { return f.name == name; });
  return files;
}

TEST(IamExport, ErrorsNameTheFileAndTheJsonPath) {
  const auto iam = StandardIam();
  EXPECT_NE(ErrorOf(WithFile(iam, "bad.json", "{\"UserDetailList\": [")).find(
                "--iam-export in: bad.json: not valid JSON at byte"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(WithFile(iam, "bad.json", "[]")),
            "--iam-export in: bad.json: $: expected an object, got array");

  json hub = HubAccount();
  hub["RoleDetailList"][0]["AssumeRolePolicyDocument"] = 7;
  EXPECT_EQ(ErrorOf(WithFile(iam, "hub/999999999999.json", hub.dump())),
            "--iam-export in: hub/999999999999.json: $.RoleDetailList[0].AssumeRolePolicyDocument: "
            "expected a policy document (object or string), got number");
  hub = HubAccount();
  hub["RoleDetailList"][0]["AssumeRolePolicyDocument"] = "%7B%zz";
  EXPECT_NE(ErrorOf(WithFile(iam, "hub/999999999999.json", hub.dump()))
                .find("hub/999999999999.json: $.RoleDetailList[0].AssumeRolePolicyDocument: a "
                      "URL-encoded policy document with a bad percent escape"),
            std::string::npos);
  hub = HubAccount();
  hub["RoleDetailList"][0]["RolePolicyList"] = "x";
  EXPECT_EQ(ErrorOf(WithFile(iam, "hub/999999999999.json", hub.dump())),
            "--iam-export in: hub/999999999999.json: $.RoleDetailList[0].RolePolicyList: "
            "expected an array, got string");
  hub = HubAccount();
  hub["RoleDetailList"][0]["Tags"][0]["Value"] = 1;
  EXPECT_EQ(ErrorOf(WithFile(iam, "hub/999999999999.json", hub.dump())),
            "--iam-export in: hub/999999999999.json: $.RoleDetailList[0].Tags[0].Value: "
            "expected a string, got number");
  hub = HubAccount();
  hub["RoleDetailList"][0]["RoleName"] = "bad name!";
  EXPECT_NE(ErrorOf(WithFile(iam, "hub/999999999999.json", hub.dump()))
                .find("hub/999999999999.json: $.RoleDetailList[0].RoleName"),
            std::string::npos);
  hub = HubAccount();
  hub["RoleDetailList"][0]["Arn"] = "arn:aws:iam::222222222222:role/hub";
  hub["RoleDetailList"].push_back(SpokeAccount("999999999999")["RoleDetailList"][0]);
  EXPECT_EQ(ErrorOf(WithFile(iam, "hub/999999999999.json", hub.dump())),
            "--iam-export in: hub/999999999999.json: $.RoleDetailList[1].Arn: account "
            "999999999999 differs from account 222222222222 of $.RoleDetailList[0].Arn (one file "
            "per account, as exported)");

  // An AWS managed policy attached in the hub, exported with --filter (no Policies anywhere).
  json identity = IdentityAccount();
  identity["Policies"].erase(2);
  identity["GroupDetailList"][0]["AttachedManagedPolicies"] = json::array();
  const std::string missing =
      ErrorOf(WithFile(iam, "111111111111.json", identity.dump()));
  EXPECT_NE(missing.find("--iam-export in: hub/999999999999.json: "
                         "$.RoleDetailList[0].AttachedManagedPolicies[0].PolicyArn: managed policy "
                         "arn:aws:iam::aws:policy/ReadOnlyAccess is in no export file's Policies"),
            std::string::npos)
      << missing;
  EXPECT_NE(missing.find("without --filter"), std::string::npos);

  identity = IdentityAccount();
  identity["Policies"][0]["DefaultVersionId"] = "v9";
  EXPECT_EQ(ErrorOf(WithFile(iam, "111111111111.json", identity.dump())),
            "--iam-export in: 111111111111.json: $.Policies[0].PolicyVersionList: the default "
            "version v9 is not in the list");
  identity = IdentityAccount();
  identity["Policies"][0]["PolicyVersionList"][0]["Document"] = {{"Statement", 1}};
  EXPECT_NE(ErrorOf(WithFile(iam, "111111111111.json", identity.dump()))
                .find("--iam-export in: 111111111111.json: "
                      "$.Policies[0].PolicyVersionList[0].Document: "),
            std::string::npos);
  identity = IdentityAccount();
  identity["UserDetailList"][0]["GroupList"] = {"admins"};
  EXPECT_EQ(ErrorOf(WithFile(iam, "111111111111.json", identity.dump())),
            "--iam-export in: 111111111111.json: $.UserDetailList[0].GroupList[0]: group admins "
            "is not in $.GroupDetailList");
  EXPECT_EQ(ErrorOf(WithFile(iam, "again.json", SpokeAccount("888888888888").dump())),
            "--iam-export in: again.json: $: account 888888888888 is also exported in "
            "spokes-888888888888.json");
  json evil = SpokeAccount("888888888888");
  evil["RoleDetailList"][0]["RoleName"] = "bad\nname\x1b[31m";
  EXPECT_EQ(ErrorOf(WithFile(iam, "new\nline.json", evil.dump())).find('\x1b'),
            std::string::npos);
  EXPECT_EQ(ErrorOf({}), "--iam-export in: no account export (*.json written by aws iam "
                         "get-account-authorization-details) in it");
}

TEST(IamExport, ScpExportErrorsNameTheFileAndTheJsonPath) {
  const auto iam = StandardIam();
  const auto scp = StandardScp();
  EXPECT_EQ(ErrorOf(iam, WithFile(scp, "targets/p-denysts1.json",
                                  R"({"Targets": [{"TargetId": "ou-root-nothere1",
                                                   "Type": "ORGANIZATIONAL_UNIT"}]})")),
            "--scp-export scp: targets/p-denysts1.json: $.Targets[0].TargetId: unknown target: OU "
            "ou-root-nothere1 is in no ous/<parent>.json");
  EXPECT_EQ(ErrorOf(iam, WithFile(scp, "targets/p-denysts1.json",
                                  R"({"Targets": [{"TargetId": "444444444444",
                                                   "Type": "ACCOUNT"}]})")),
            "--scp-export scp: targets/p-denysts1.json: $.Targets[0].TargetId: unknown target: "
            "account 444444444444 is in no accounts/<parent>.json");
  EXPECT_EQ(ErrorOf(iam, WithFile(scp, "targets/p-denysts1.json",
                                  R"({"Targets": [{"TargetId": "r-other", "Type": "ROOT"}]})")),
            "--scp-export scp: targets/p-denysts1.json: $.Targets[0].TargetId: unknown target: "
            "root r-other is not r-root (roots.json)");
  EXPECT_EQ(ErrorOf(iam, WithFile(scp, "targets/p-denysts1.json", R"({"Targets": {}})")),
            "--scp-export scp: targets/p-denysts1.json: $.Targets: expected an array, got object");
  EXPECT_NE(ErrorOf(iam, Without(scp, "policies/p-denysts1.json"))
                .find("--scp-export scp: policies/p-denysts1.json: missing (the output of aws "
                      "organizations describe-policy --policy-id p-denysts1"),
            std::string::npos);
  EXPECT_NE(ErrorOf(iam, Without(scp, "roots.json")).find("roots.json: missing"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(iam, WithFile(scp, "policies/p-denysts1.json",
                                  R"({"Policy": {"Content": {"Version": "2012-10-17"}}})")),
            "--scp-export scp: policies/p-denysts1.json: $.Policy.Content: expected the policy's "
            "JSON as a string");
  EXPECT_NE(ErrorOf(iam, WithFile(scp, "policies/p-denysts1.json",
                                  R"({"Policy": {"Content": "{\"Statement\": 3}"}})"))
                .find("--scp-export scp: policies/p-denysts1.json: $.Policy.Content: "),
            std::string::npos);
  EXPECT_EQ(ErrorOf(iam, WithFile(scp, "targets/p-gone0001.json", R"({"Targets": []})")),
            "--scp-export scp: targets/p-gone0001.json: $: policy p-gone0001 (from the file name) "
            "is not a SERVICE_CONTROL_POLICY listed in policies.json");
  EXPECT_EQ(ErrorOf(iam, WithFile(scp, "accounts/ou-root-nothere1.json", R"({"Accounts": []})")),
            "--scp-export scp: accounts/ou-root-nothere1.json: $: parent ou-root-nothere1 (from "
            "the file name) is neither the root r-root nor an OU listed in ous/");
  EXPECT_EQ(ErrorOf(iam, WithFile(scp, "organization.json", R"({"Organization": {"Id": "x"}})")),
            "--scp-export scp: organization.json: $.Organization.Id: \"x\" is not an organization "
            "id (o- followed by 10–32 lower-case letters or digits)");
  EXPECT_EQ(ErrorOf(iam, WithFile(scp, "roots.json", R"({"Roots": []})")),
            "--scp-export scp: roots.json: $.Roots: expected exactly one root (an organization "
            "has one)");
}

TEST(IamExport, ExportedUsersGetDerivedKeysAndACredentialsFile) {
  auto m = Build(StandardIam());
  ASSERT_TRUE(m);
  Model again = *m;
  SecretString file = AddExportedUserKeys(*m, "seed-one");
  ASSERT_EQ(m->users[0].access_keys.size(), 1u);
  const AccessKey& key = m->users[0].access_keys[0];
  EXPECT_EQ(key.id.size(), 20u);
  EXPECT_EQ(key.id.rfind("AKIA", 0), 0u);
  EXPECT_EQ(key.secret.reveal().size(), 40u);
  EXPECT_EQ(file.reveal(), "[111111111111-sys-automation]\naws_access_key_id = " + key.id +
                               "\naws_secret_access_key = " + std::string(key.secret.reveal()) + "\n\n");
  const AccessKey* found = nullptr;
  EXPECT_EQ(m->FindUserByAccessKey(key.id, &found), &m->users[0]);
  // Deterministic for one seed (a restarted lab keeps them), different for another.
  Model same = again;
  AddExportedUserKeys(same, "seed-one");
  EXPECT_EQ(same.users[0].access_keys[0].id, key.id);
  EXPECT_EQ(same.users[0].access_keys[0].secret.reveal(), key.secret.reveal());
  AddExportedUserKeys(again, "seed-two");
  EXPECT_NE(again.users[0].access_keys[0].id, key.id);
  // A user with a key keeps it and gets no profile.
  EXPECT_EQ(AddExportedUserKeys(*m, "seed-one").reveal(), "");
}

}  // namespace
}  // namespace hubspoke::iam
