// The lab's Identity Center endpoints (sso_service.h) with a manual clock: the device flow, the
// refresh grant within and after the sign-in session, access token expiry, assignments, the
// client secret, AWS's error shapes, and no token in the log.
#include "lab/sso_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hubspoke/http.h"
#include "lab/lab_testing.h"

namespace hubspoke::lab {
namespace {

using json = nlohmann::json;
using testing::ManualClock;

constexpr char kStartUrl[] = "https://lab-sso.awsapps.com/start";
constexpr char kRole[] = "AWSReservedSSO_ReadOnly_0123456789abcdef";

iam::Model ModelWithIdentityCenter(const json& identity_center) {
  json m = json::parse(R"({
    "accounts": [{"id": "111111111111", "name": "identity"}, {"id": "222222222222", "name": "other"}],
    "roles": [
      {"account": "111111111111", "name": "AWSReservedSSO_ReadOnly_0123456789abcdef",
       "path": "/aws-reserved/sso.amazonaws.com/", "max_session_duration": 7200,
       "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
         "Principal": {"Federated": "arn:aws:iam::111111111111:saml-provider/AWSSSO_x_DO_NOT_DELETE"},
         "Action": "sts:AssumeRoleWithSAML"}]}},
      {"account": "222222222222", "name": "Unassigned",
       "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]}}
    ]})");
  m["identity_center"] = identity_center;
  auto parsed = iam::ParseModel(m.dump(), "test model");
  EXPECT_TRUE(parsed) << parsed.error().message();
  return parsed ? std::move(parsed).value() : iam::Model{};
}

json DefaultIdentityCenter() {
  return {{"start_url", kStartUrl},
          {"session_seconds", 7200},
          {"access_token_seconds", 3600},
          {"users",
           {{{"name", "alice"},
             {"assignments", {{{"account", "111111111111"}, {"role", kRole}}}}},
            {{"name", "bob"}}}}};
}

class LabSso : public ::testing::Test {
 protected:
  LabSso()
      : sts_(ModelWithIdentityCenter(DefaultIdentityCenter()), clock_, log_,
             StsServiceOptions{.seed = 7}),
        sso_(sts_, log_) {}

  ServerResponse Post(const std::string& path, const json& body) {
    ServerRequest r{.method = "POST", .target = path, .path = path, .body = body.dump()};
    EXPECT_TRUE(SsoService::Handles(r));
    return sso_.Handle(r);
  }
  json Ok(const std::string& path, const json& body) {
    ServerResponse r = Post(path, body);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body << "\n" << log_.text();
    return json::parse(r.body, nullptr, false);
  }
  // An OIDC error: status, x-amzn-ErrorType and the OAuth body.
  void ExpectOidcError(const ServerResponse& r, int status, const std::string& type,
                       const std::string& error) {
    EXPECT_EQ(r.status, status) << r.body;
    const std::string* t = FindHeader(r.headers, "x-amzn-ErrorType");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->substr(0, t->find(':')), type);
    EXPECT_NE(FindHeader(r.headers, "x-amzn-RequestId"), nullptr);
    json body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(body.value("error", ""), error) << r.body;
    EXPECT_TRUE(body.contains("error_description"));
  }
  ServerResponse RoleCredentials(const std::string& token, const std::string& account,
                                 const std::string& role) {
    const std::string query = "account_id=" + account + "&role_name=" + role;
    ServerRequest r{.method = "GET",
                    .target = "/federation/credentials?" + query,
                    .path = "/federation/credentials",
                    .query = query,
                    .headers = {{"x-amz-sso_bearer_token", token}}};
    return sso_.Handle(r);
  }

  struct SignIn {
    json client;
    json tokens;
  };
  SignIn SignInAs() {
    json client = Ok("/client/register", {{"clientName", "botocore-client-corp"},
                                          {"clientType", "public"}});
    json device = Ok("/device_authorization", {{"clientId", client["clientId"]},
                                               {"clientSecret", client["clientSecret"]},
                                               {"startUrl", kStartUrl}});
    json tokens = Ok("/token", {{"clientId", client["clientId"]},
                                {"clientSecret", client["clientSecret"]},
                                {"grantType", "urn:ietf:params:oauth:grant-type:device_code"},
                                {"deviceCode", device["deviceCode"]}});
    return {client, tokens};
  }
  json Refresh(const SignIn& s, const json& refresh_token) {
    return {{"clientId", s.client["clientId"]},
            {"clientSecret", s.client["clientSecret"]},
            {"grantType", "refresh_token"},
            {"refreshToken", refresh_token}};
  }

  ManualClock clock_;
  hubspoke::testing::CapturingLogger log_;
  StsService sts_;
  SsoService sso_;
};

TEST_F(LabSso, DeviceFlowThenRoleCredentialsOfTheAssignedRole) {
  SignIn s = SignInAs();
  EXPECT_EQ(s.tokens["tokenType"], "Bearer");
  EXPECT_EQ(s.tokens["expiresIn"], 3600);
  EXPECT_TRUE(s.tokens["accessToken"].get<std::string>().starts_with("aoa"));
  EXPECT_TRUE(s.tokens["refreshToken"].get<std::string>().starts_with("aor"));
  ServerResponse r = RoleCredentials(s.tokens["accessToken"], "111111111111", kRole);
  ASSERT_EQ(r.status, 200) << r.body;
  json c = json::parse(r.body)["roleCredentials"];
  EXPECT_TRUE(c["accessKeyId"].get<std::string>().starts_with("ASIA"));
  // The role's own maximum (2 h here), in milliseconds.
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch()).count();
  EXPECT_EQ(c["expiration"].get<long long>(), now_ms + 7200 * 1000);
  // The session is a lab session of the role, named after the user.
  auto opened = sts_.sealer().Open(c["sessionToken"].get<std::string>());
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->claims.role_arn,
            "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/" + std::string(kRole));
  EXPECT_EQ(opened->claims.session_name, "alice");
  EXPECT_EQ(sso_.device_grants(), 1u);
  EXPECT_EQ(sso_.role_credentials(), 1u);
}

TEST_F(LabSso, RefreshWithinTheSessionThenInvalidGrantAfterIt) {
  SignIn s = SignInAs();
  clock_.Advance(std::chrono::minutes(70));  // the first access token has expired
  ServerResponse stale = RoleCredentials(s.tokens["accessToken"], "111111111111", kRole);
  EXPECT_EQ(stale.status, 401);
  json fresh = Ok("/token", Refresh(s, s.tokens["refreshToken"]));
  EXPECT_EQ(fresh["expiresIn"], 50 * 60) << "never beyond the 2 h sign-in session";
  EXPECT_NE(fresh["accessToken"], s.tokens["accessToken"]);
  EXPECT_EQ(RoleCredentials(fresh["accessToken"], "111111111111", kRole).status, 200);
  clock_.Advance(std::chrono::minutes(40));
  json last = Ok("/token", Refresh(s, fresh["refreshToken"]));
  EXPECT_EQ(last["expiresIn"], 10 * 60);
  EXPECT_EQ(sso_.refresh_grants(), 2u);
  // The session is over: every refresh token of it is refused.
  clock_.Advance(std::chrono::minutes(11));
  for (const json& token : {s.tokens["refreshToken"], last["refreshToken"]}) {
    ExpectOidcError(Post("/token", Refresh(s, token)), 400, "InvalidGrantException",
                    "invalid_grant");
  }
  EXPECT_EQ(sso_.refresh_grants(), 2u);
  EXPECT_NE(log_.text().find("the refresh token has expired"), std::string::npos);
}

TEST_F(LabSso, ClientSecretGrantAndTokenAreChecked) {
  SignIn s = SignInAs();
  SignIn other = SignInAs();
  json wrong_secret = Refresh(s, s.tokens["refreshToken"]);
  wrong_secret["clientSecret"] = other.client["clientSecret"];
  ExpectOidcError(Post("/token", wrong_secret), 401, "InvalidClientException", "invalid_client");
  // Another client's refresh token.
  ExpectOidcError(Post("/token", Refresh(s, other.tokens["refreshToken"])), 400,
                  "InvalidGrantException", "invalid_grant");
  // An altered one.
  std::string altered = s.tokens["refreshToken"];
  altered[5] = altered[5] == 'A' ? 'B' : 'A';
  ExpectOidcError(Post("/token", Refresh(s, altered)), 400, "InvalidGrantException",
                  "invalid_grant");
  json bad_grant = Refresh(s, s.tokens["refreshToken"]);
  bad_grant["grantType"] = "client_credentials";
  ExpectOidcError(Post("/token", bad_grant), 400, "UnsupportedGrantTypeException",
                  "unsupported_grant_type");
  ExpectOidcError(Post("/client/register", {{"clientName", "x"}, {"clientType", "confidential"}}),
                  400, "InvalidRequestException", "invalid_request");
  ExpectOidcError(Post("/device_authorization", {{"clientId", s.client["clientId"]},
                                                 {"clientSecret", s.client["clientSecret"]},
                                                 {"startUrl", "https://other.awsapps.com/start"}}),
                  400, "InvalidRequestException", "invalid_request");
  ServerRequest not_json{.method = "POST", .target = "/token", .path = "/token", .body = "{"};
  ExpectOidcError(sso_.Handle(not_json), 400, "InvalidRequestException", "invalid_request");
  // A device code is good for 10 minutes.
  json device = Ok("/device_authorization", {{"clientId", s.client["clientId"]},
                                             {"clientSecret", s.client["clientSecret"]},
                                             {"startUrl", kStartUrl}});
  clock_.Advance(std::chrono::minutes(11));
  ExpectOidcError(Post("/token", {{"clientId", s.client["clientId"]},
                                  {"clientSecret", s.client["clientSecret"]},
                                  {"grantType", "urn:ietf:params:oauth:grant-type:device_code"},
                                  {"deviceCode", device["deviceCode"]}}),
                  400, "ExpiredTokenException", "expired_token");
}

TEST_F(LabSso, OnlyAssignedRolesAndAValidTokenGetCredentials) {
  SignIn s = SignInAs();
  const std::string token = s.tokens["accessToken"];
  for (const auto& [account, role] : {std::pair{"222222222222", "Unassigned"},
                                      std::pair{"111111111111", "NoSuchRole"}}) {
    ServerResponse r = RoleCredentials(token, account, role);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(json::parse(r.body).value("message", ""), "No access");
  }
  ServerResponse forged = RoleCredentials("aoa" + token.substr(3, 20) + ".x", "111111111111", kRole);
  EXPECT_EQ(forged.status, 401);
  const std::string* type = FindHeader(forged.headers, "x-amzn-ErrorType");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->substr(0, type->find(':')), "UnauthorizedException");
  ServerRequest no_token{.method = "GET",
                         .target = "/federation/credentials?account_id=1&role_name=r",
                         .path = "/federation/credentials",
                         .query = "account_id=1&role_name=r"};
  EXPECT_EQ(sso_.Handle(no_token).status, 401);
  ServerRequest missing{.method = "GET", .target = "/federation/credentials",
                        .path = "/federation/credentials",
                        .headers = {{"x-amz-sso_bearer_token", token}}};
  EXPECT_EQ(sso_.Handle(missing).status, 400);
  EXPECT_EQ(sso_.role_credentials(), 0u);
}

TEST_F(LabSso, TheLogHasNoTokenOrSecret) {
  SignIn s = SignInAs();
  json fresh = Ok("/token", Refresh(s, s.tokens["refreshToken"]));
  ServerResponse r = RoleCredentials(fresh["accessToken"], "111111111111", kRole);
  ASSERT_EQ(r.status, 200);
  json c = json::parse(r.body)["roleCredentials"];
  const std::string log = log_.text();
  for (const json& secret : {s.client["clientSecret"], s.tokens["accessToken"],
                             s.tokens["refreshToken"], fresh["accessToken"], fresh["refreshToken"],
                             c["secretAccessKey"], c["sessionToken"]}) {
    EXPECT_EQ(log.find(secret.get<std::string>()), std::string::npos);
  }
  EXPECT_NE(log.find("access token #2"), std::string::npos) << log;
}

TEST(LabSsoModel, IdentityCenterIsValidated) {
  struct Case {
    const char* what;
    json edit;
    const char* error;
  };
  const Case cases[] = {
      {"no start URL", {{"start_url", nullptr}}, "missing required member \"start_url\""},
      {"http start URL", {{"start_url", "http://x"}}, "https://"},
      {"unknown key", {{"sessions", 1}}, "sessions"},
      {"session too long", {{"session_seconds", 90 * 86400 + 1}}, "session_seconds"},
      {"no users", {{"users", json::array()}}, "non-empty array"},
      {"bad login user", {{"login_user", "carol"}}, "not one of the users"},
      {"missing role",
       {{"users", {{{"name", "alice"},
                    {"assignments", {{{"account", "111111111111"}, {"role", "Nope"}}}}}}}},
       "no role Nope in account 111111111111"},
      {"bad user name", {{"users", {{{"name", "a b"}}}}}, "users[0].name"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    json ic = DefaultIdentityCenter();
    for (const auto& [k, v] : c.edit.items()) {
      if (v.is_null()) {
        ic.erase(k);
      } else {
        ic[k] = v;
      }
    }
    json m = {{"accounts", {{{"id", "111111111111"}, {"name", "identity"}}}},
              {"roles",
               {{{"account", "111111111111"},
                 {"name", kRole},
                 {"trust_policy",
                  {{"Version", "2012-10-17"},
                   {"Statement",
                    {{{"Effect", "Allow"},
                      {"Principal", {{"AWS", "arn:aws:iam::111111111111:root"}}},
                      {"Action", "sts:AssumeRole"}}}}}}}}},
              {"identity_center", ic}};
    auto parsed = iam::ParseModel(m.dump(), "m");
    ASSERT_FALSE(parsed);
    EXPECT_NE(parsed.error().message().find(c.error), std::string::npos)
        << parsed.error().message();
  }
}

TEST(LabSsoModel, WithoutIdentityCenterTheEndpointsAre404) {
  ManualClock clock;
  hubspoke::testing::CapturingLogger log;
  StsService sts(iam::BuiltinModel(), clock, log);
  SsoService sso(sts, log);
  ServerRequest r{.method = "POST", .target = "/token", .path = "/token", .body = "{}"};
  EXPECT_EQ(sso.Handle(r).status, 404);
}

}  // namespace
}  // namespace hubspoke::lab
