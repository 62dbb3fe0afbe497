// The lab's Organizations API called directly (StsService::Handle) with JSON 1.1 requests
// signed by our SigV4 signer for service "organizations".
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "iam/generated_spokes.h"
#include "lab/lab_testing.h"
#include "lab/sts_service.h"
#include "sts/sts_xml.h"

namespace hubspoke::lab {
namespace {

using nlohmann::json;
using testing::BuiltinUserCredentials;
using testing::ManualClock;
using testing::SignedOrganizationsRequest;
using testing::SignedRequest;

// The management account 999999999999 (admin may list, nobody has no organizations policy),
// a delegated administrator 555555555555 (auditor) whose SCPs deny ListRoots, a member
// 888888888888, a SUSPENDED member, an account outside the organization, and 10 generated spokes.
constexpr char kModel[] = R"({
  "organization": {
    "id": "o-a1b2c3d4e5",
    "management_account": "999999999999",
    "delegated_administrators": ["555555555555"],
    "spokes": 10,
    "scps": [
      {"name": "FullAWSAccess", "document": {"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
      {"name": "DenyListRoots", "document": {"Version": "2012-10-17",
        "Statement": [{"Sid": "NoRoots", "Effect": "Deny", "Action": "organizations:ListRoots", "Resource": "*"}]}}
    ],
    "organizational_units": [{"id": "ou-a1b2-security1", "name": "Security"}]
  },
  "accounts": [
    {"id": "999999999999", "name": "management", "email": "root@example.com"},
    {"id": "555555555555", "name": "audit", "parent": "ou-a1b2-security1"},
    {"id": "888888888888", "name": "member"},
    {"id": "777777777777", "name": "closed", "status": "SUSPENDED", "parent": "ou-a1b2-security1"},
    {"id": "444444444444", "name": "outsider", "organization": false}
  ],
  "users": [
    {"account": "999999999999", "name": "admin",
     "access_keys": [{"id": "AKIAMGMTADMIN0000001", "secret": "secret/mgmt/admin/0001"}],
     "policies": [{"name": "org-read", "document": {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": ["organizations:List*", "organizations:Describe*"], "Resource": "*"}]}}]},
    {"account": "999999999999", "name": "nobody",
     "access_keys": [{"id": "AKIAMGMTNOBODY000001", "secret": "secret/mgmt/nobody/01"}],
     "policies": [{"name": "s3", "document": {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}]},
    {"account": "555555555555", "name": "auditor",
     "access_keys": [{"id": "AKIAAUDITOR000000001", "secret": "secret/audit/auditor1"}],
     "policies": [{"name": "org-read", "document": {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": "organizations:*", "Resource": "*"}]}}]},
    {"account": "888888888888", "name": "member",
     "access_keys": [{"id": "AKIAMEMBER0000000001", "secret": "secret/member/member1"}],
     "policies": [{"name": "org-read", "document": {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": "organizations:*", "Resource": "*"}]}}]},
    {"account": "444444444444", "name": "outsider",
     "access_keys": [{"id": "AKIAOUTSIDER00000001", "secret": "secret/outside/user01"}],
     "policies": [{"name": "org-read", "document": {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": "organizations:*", "Resource": "*"}]}}]}
  ]
})";

Credentials Key(const char* id, const char* secret) {
  Credentials c;
  c.access_key_id = id;
  c.secret_access_key = SecretString(secret);
  return c;
}
const Credentials kAdmin = Key("AKIAMGMTADMIN0000001", "secret/mgmt/admin/0001");
const Credentials kNobody = Key("AKIAMGMTNOBODY000001", "secret/mgmt/nobody/01");
const Credentials kAuditor = Key("AKIAAUDITOR000000001", "secret/audit/auditor1");
const Credentials kMember = Key("AKIAMEMBER0000000001", "secret/member/member1");
const Credentials kOutsider = Key("AKIAOUTSIDER00000001", "secret/outside/user01");

iam::Model TestModel() {
  auto m = iam::ParseModel(kModel, "test model");
  EXPECT_TRUE(m) << m.error().message();
  return m ? std::move(m).value() : iam::Model{};
}

class LabOrganizations : public ::testing::Test {
 protected:
  explicit LabOrganizations(iam::Model model = TestModel())
      : service_(std::move(model), clock_, log_,
                 StsServiceOptions{.seed = 42, .log_requests = true}) {}

  ServerResponse Raw(const Credentials& c, const std::string& operation, const json& input) {
    return service_.Handle(SignedOrganizationsRequest(c, operation, input.dump(), clock_.Now()));
  }
  // The 200 response's body.
  json Ok(const Credentials& c, const std::string& operation, const json& input = json::object()) {
    ServerResponse r = Raw(c, operation, input);
    EXPECT_EQ(r.status, 200) << operation << ": " << r.body << "\n" << log_.text();
    return json::parse(r.body, nullptr, false);
  }
  // The error response's body, checked for AWS's shape: 400 (unless told), JSON, a request id.
  json Err(const Credentials& c, const std::string& operation, const json& input,
           const std::string& type, int status = 400) {
    ServerResponse r = Raw(c, operation, input);
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_NE(FindHeader(r.headers, "x-amzn-RequestId"), nullptr);
    const std::string* ct = FindHeader(r.headers, "Content-Type");
    EXPECT_TRUE(ct && *ct == "application/x-amz-json-1.1");
    json body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(body.value("__type", ""), type) << r.body;
    EXPECT_TRUE(body.contains("Message")) << r.body;
    return body;
  }
  // Every item of a paginated listing, asking for `page` items at a time.
  std::vector<json> All(const Credentials& c, const std::string& operation, json input,
                        const char* key, int page) {
    std::vector<json> out;
    input["MaxResults"] = page;
    for (int calls = 0; calls < 1000; ++calls) {
      json r = Ok(c, operation, input);
      EXPECT_LE(r[key].size(), static_cast<std::size_t>(page));
      for (const json& item : r[key]) out.push_back(item);
      if (!r.contains("NextToken")) return out;
      input["NextToken"] = r["NextToken"];
    }
    ADD_FAILURE() << "pagination does not end";
    return out;
  }
  std::vector<std::string> Ids(const std::vector<json>& items) {
    std::vector<std::string> ids;
    for (const json& i : items) ids.push_back(i["Id"].get<std::string>());
    return ids;
  }

  ManualClock clock_;
  hubspoke::testing::CapturingLogger log_;
  StsService service_;
};

TEST_F(LabOrganizations, ListAccountsInPagesOfTwoListsEveryAccountOfTheOrganization) {
  std::vector<json> accounts = All(kAdmin, "ListAccounts", json::object(), "Accounts", 2);
  // 4 model accounts in the organization (not the outsider) and 10 generated spokes.
  ASSERT_EQ(accounts.size(), 14u);
  const json& mgmt = accounts[0];
  EXPECT_EQ(mgmt["Id"], "999999999999");
  EXPECT_EQ(mgmt["Arn"], "arn:aws:organizations::999999999999:account/o-a1b2c3d4e5/999999999999");
  EXPECT_EQ(mgmt["Email"], "root@example.com");
  EXPECT_EQ(mgmt["Name"], "management");
  EXPECT_EQ(mgmt["Status"], "ACTIVE");
  EXPECT_EQ(mgmt["JoinedMethod"], "INVITED");
  EXPECT_TRUE(mgmt["JoinedTimestamp"].is_number());
  // SUSPENDED accounts are listed with their Status: filtering them is the client's job.
  EXPECT_EQ(accounts[3]["Id"], "777777777777");
  EXPECT_EQ(accounts[3]["Status"], "SUSPENDED");
  EXPECT_EQ(accounts[4]["Id"], "200000000001");
  EXPECT_EQ(accounts[4]["Name"], "spoke-0001");
  EXPECT_EQ(accounts[4]["Email"], "aws+200000000001@example.com");
  EXPECT_EQ(accounts[4]["JoinedMethod"], "CREATED");
  for (const json& a : accounts) EXPECT_NE(a["Id"], "444444444444");
  // The same listing in one page (the default is 20).
  json one = Ok(kAdmin, "ListAccounts");
  EXPECT_EQ(one["Accounts"].size(), 14u);
  EXPECT_FALSE(one.contains("NextToken"));
  EXPECT_NE(log_.text().find("service=organizations action=ListAccounts caller=999999999999 "
                             "status=200"),
            std::string::npos)
      << log_.text();
}

TEST_F(LabOrganizations, MaxResultsOutsideOneToTwentyIsInvalidInput) {
  json low = Err(kAdmin, "ListAccounts", {{"MaxResults", 0}}, "InvalidInputException");
  EXPECT_EQ(low["Reason"], "MIN_VALUE_EXCEEDED");
  json high = Err(kAdmin, "ListAccounts", {{"MaxResults", 21}}, "InvalidInputException");
  EXPECT_EQ(high["Reason"], "MAX_VALUE_EXCEEDED");
  EXPECT_EQ(Ok(kAdmin, "ListAccounts", {{"MaxResults", 20}})["Accounts"].size(), 14u);
}

TEST_F(LabOrganizations, ABadNextTokenIsInvalidInput) {
  json first = Ok(kAdmin, "ListAccounts", {{"MaxResults", 3}});
  ASSERT_TRUE(first.contains("NextToken"));
  std::string token = first["NextToken"];
  std::string altered = token;
  altered[0] = altered[0] == 'a' ? 'b' : 'a';
  for (const std::string& bad : {std::string("garbage"), altered, token + "x"}) {
    json e = Err(kAdmin, "ListAccounts", {{"NextToken", bad}}, "InvalidInputException");
    EXPECT_EQ(e["Reason"], "INVALID_NEXT_TOKEN");
  }
  // A token of one listing is no token of another.
  Err(kAdmin, "ListAccountsForParent", {{"ParentId", "r-a1b2"}, {"NextToken", token}},
      "InvalidInputException");
  // The real one continues where the first page ended.
  json second = Ok(kAdmin, "ListAccounts", {{"MaxResults", 3}, {"NextToken", token}});
  EXPECT_EQ(second["Accounts"][0]["Id"], "777777777777");
}

TEST_F(LabOrganizations, ListChildrenAndAccountsForParentFollowTheTree) {
  auto ous = Ids(All(kAdmin, "ListChildren",
                     {{"ParentId", "r-a1b2"}, {"ChildType", "ORGANIZATIONAL_UNIT"}}, "Children",
                     1));
  EXPECT_EQ(ous, (std::vector<std::string>{"ou-a1b2-security1", "ou-a1b2-workloads",
                                           "ou-a1b2-sandboxes"}));
  json children = Ok(kAdmin, "ListChildren", {{"ParentId", "r-a1b2"}, {"ChildType", "ACCOUNT"}});
  EXPECT_EQ(children["Children"],
            json::parse(R"([{"Id": "999999999999", "Type": "ACCOUNT"},
                            {"Id": "888888888888", "Type": "ACCOUNT"}])"));
  auto nested = Ids(All(kAdmin, "ListChildren",
                        {{"ParentId", "ou-a1b2-workloads"}, {"ChildType", "ORGANIZATIONAL_UNIT"}},
                        "Children", 20));
  EXPECT_EQ(nested, (std::vector<std::string>{"ou-a1b2-prodaccts", "ou-a1b2-nonprodaccts"}));
  EXPECT_EQ(Ids(All(kAdmin, "ListAccountsForParent", {{"ParentId", "ou-a1b2-security1"}},
                    "Accounts", 1)),
            (std::vector<std::string>{"555555555555", "777777777777"}));
  // Spokes 1, 5, 9 are in Prod; 4, 8 directly in Workloads.
  EXPECT_EQ(Ids(All(kAdmin, "ListAccountsForParent", {{"ParentId", "ou-a1b2-prodaccts"}},
                    "Accounts", 2)),
            (std::vector<std::string>{"200000000001", "200000000005", "200000000009"}));
  EXPECT_EQ(Ids(All(kAdmin, "ListAccountsForParent", {{"ParentId", "ou-a1b2-workloads"}},
                    "Accounts", 2)),
            (std::vector<std::string>{"200000000004", "200000000008"}));
  Err(kAdmin, "ListAccountsForParent", {{"ParentId", "ou-a1b2-nosuchou1"}},
      "ParentNotFoundException");
  json e = Err(kAdmin, "ListChildren", {{"ParentId", "r-a1b2"}, {"ChildType", "POLICY"}},
               "InvalidInputException");
  EXPECT_EQ(e["Reason"], "INVALID_ENUM");
}

TEST_F(LabOrganizations, ListRootsAndDescribeOrganizationInBotocoresShapes) {
  json roots = Ok(kAdmin, "ListRoots");
  EXPECT_EQ(roots, json::parse(R"({"Roots": [{"Id": "r-a1b2",
      "Arn": "arn:aws:organizations::999999999999:root/o-a1b2c3d4e5/r-a1b2", "Name": "Root",
      "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]})"));
  json org = Ok(kAdmin, "DescribeOrganization")["Organization"];
  EXPECT_EQ(org["Id"], "o-a1b2c3d4e5");
  EXPECT_EQ(org["Arn"], "arn:aws:organizations::999999999999:organization/o-a1b2c3d4e5");
  EXPECT_EQ(org["MasterAccountId"], "999999999999");
  EXPECT_EQ(org["MasterAccountArn"],
            "arn:aws:organizations::999999999999:account/o-a1b2c3d4e5/999999999999");
  EXPECT_EQ(org["MasterAccountEmail"], "root@example.com");
  EXPECT_EQ(org["FeatureSet"], "ALL");
}

TEST_F(LabOrganizations, PermissionsAsAwsChecksThem) {
  // A member account may not list, whatever its policies say; it may describe.
  Err(kMember, "ListAccounts", json::object(), "AccessDeniedException");
  EXPECT_NE(log_.text().find("only the management account (999999999999) and delegated "
                             "administrators"),
            std::string::npos)
      << log_.text();
  EXPECT_EQ(Ok(kMember, "DescribeOrganization")["Organization"]["Id"], "o-a1b2c3d4e5");
  // In the management account, the identity policy must allow the action.
  Err(kNobody, "ListAccounts", json::object(), "AccessDeniedException");
  EXPECT_NE(log_.text().find("organizations:ListAccounts"), std::string::npos);
  EXPECT_NE(log_.text().find("no identity-based policy allows"), std::string::npos)
      << log_.text();
  // Outside any organization.
  Err(kOutsider, "ListAccounts", json::object(), "AWSOrganizationsNotInUseException");
  Err(kOutsider, "DescribeOrganization", json::object(), "AWSOrganizationsNotInUseException");
  // A delegated administrator lists, within its account's SCPs; the management account is not
  // bound by SCPs.
  EXPECT_EQ(Ok(kAuditor, "ListAccounts")["Accounts"].size(), 14u);
  Err(kAuditor, "ListRoots", json::object(), "AccessDeniedException");
  EXPECT_NE(log_.text().find("NoRoots"), std::string::npos) << log_.text();
  EXPECT_EQ(Ok(kAdmin, "ListRoots")["Roots"].size(), 1u);
  EXPECT_NE(log_.text().find("service=organizations action=ListAccounts caller=888888888888 "
                             "status=400 code=AccessDeniedException"),
            std::string::npos)
      << log_.text();
}

TEST_F(LabOrganizations, SignedForAnotherServiceOrNotAtAllIsRefusedInJson) {
  ServerResponse r = service_.Handle(
      SignedOrganizationsRequest(kAdmin, "ListAccounts", "{}", clock_.Now(),
                                 {.region = "us-east-1", .service = "sts"}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["__type"], "InvalidSignatureException");
  ServerRequest unsigned_request =
      SignedOrganizationsRequest(kAdmin, "ListAccounts", "{}", clock_.Now());
  std::erase_if(unsigned_request.headers,
                [](const HttpHeader& h) { return EqualsIgnoreCase(h.name, "Authorization"); });
  r = service_.Handle(unsigned_request);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(json::parse(r.body)["__type"], "MissingAuthenticationTokenException");
  Err(Key("AKIAUNKNOWNKEY000001", "secret/unknown/key0001"), "ListAccounts", json::object(),
      "UnrecognizedClientException");
  Err(kAdmin, "CreateAccount", json::object(), "UnknownOperationException");
  // No secret reaches the log.
  EXPECT_EQ(log_.text().find("secret/"), std::string::npos);
}

class LabOrganizationsLarge : public LabOrganizations {
 protected:
  static iam::Model Large() {
    iam::Model m = iam::BuiltinModel();
    EXPECT_TRUE(iam::AddGeneratedSpokes(m, 2000, "--spokes"));
    return m;
  }
  LabOrganizationsLarge() : LabOrganizations(Large()) {}
};

TEST_F(LabOrganizationsLarge, TwoThousandSpokesListInAHundredPagesOfTwenty) {
  FormParams p = {{"Action", "AssumeRole"},
                  {"RoleArn", "arn:aws:iam::999999999999:role/automation-hub-role"},
                  {"RoleSessionName", "test"}};
  ServerResponse r = service_.Handle(SignedRequest(BuiltinUserCredentials(), p, clock_.Now()));
  auto hub = sts::ParseAssumeRoleResponse(r.body);
  ASSERT_TRUE(hub) << r.body;
  std::vector<json> accounts =
      All(hub->credentials, "ListAccounts", json::object(), "Accounts", 20);
  ASSERT_EQ(accounts.size(), 2004u);
  EXPECT_EQ(accounts.back()["Name"], "spoke-2000");
  EXPECT_EQ(Ids(All(hub->credentials, "ListChildren",
                    {{"ParentId", "r-a1b2"}, {"ChildType", "ORGANIZATIONAL_UNIT"}}, "Children",
                    20)),
            (std::vector<std::string>{"ou-a1b2-workloads", "ou-a1b2-sandboxes"}));
}

class LabOrganizationsBuiltin : public LabOrganizations {
 protected:
  LabOrganizationsBuiltin() : LabOrganizations(iam::BuiltinModel()) {}
  Credentials Assume(const Credentials& c, const std::string& role) {
    FormParams p = {{"Action", "AssumeRole"}, {"RoleArn", role}, {"RoleSessionName", "test"}};
    ServerResponse r = service_.Handle(SignedRequest(c, p, clock_.Now()));
    EXPECT_EQ(r.status, 200) << r.body << "\n" << log_.text();
    auto parsed = sts::ParseAssumeRoleResponse(r.body);
    return parsed ? parsed->credentials : Credentials{};
  }
};

TEST_F(LabOrganizationsBuiltin, TheHubRoleAndOrgReaderRoleListTheBuiltinOrganization) {
  Credentials hub = Assume(BuiltinUserCredentials(),
                           "arn:aws:iam::999999999999:role/automation-hub-role");
  EXPECT_EQ(Ok(hub, "ListAccounts")["Accounts"].size(), 4u);
  Credentials reader =
      Assume(BuiltinUserCredentials(), "arn:aws:iam::999999999999:role/org-reader-role");
  EXPECT_EQ(Ok(reader, "ListRoots")["Roots"][0]["Id"], "r-a1b2");
  EXPECT_EQ(Ok(reader, "DescribeOrganization")["Organization"]["MasterAccountId"],
            "999999999999");
  // The base user's account (111111111111) is a member, not the management account.
  Err(BuiltinUserCredentials(), "ListAccounts", json::object(), "AccessDeniedException");
}

}  // namespace
}  // namespace hubspoke::lab
