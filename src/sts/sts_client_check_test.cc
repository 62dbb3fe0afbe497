// ctest-label: threads
// The STS client against a scripted STS that answers 200 with hostile or broken credentials:
// each is refused with one clear line that names the field and never the secret; the response
// shapes real STS, moto, the lab and STS-compatible servers send still pass.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "testing/fake_process_runner.h"
#include "core/percent_encoding.h"
#include "core/time.h"
#include "http/test_server.h"
#include "hubspoke/http.h"
#include "hubspoke/hubspoke.h"
#include "hubspoke/sts_client.h"
#include "sts/sts_response_check.h"
#include "testing/fake_sts.h"
#include "testing/memory_file_system.h"
#include "testing/testdata.h"

namespace hubspoke {
namespace {

using Params = std::map<std::string, std::string>;

constexpr char kRole[] = "arn:aws:iam::888888888888:role/automation-spoke-role";
constexpr char kSession[] = "888888888888-me@example.com";
constexpr char kArn[] =
    "arn:aws:sts::888888888888:assumed-role/automation-spoke-role/888888888888-me@example.com";
constexpr char kKey[] = "ASIAQ3EGRBZKXN7YW2LT";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY";
constexpr char kToken[] =
    "IQoJb3JpZ2luX2VjEHYaCXVzLWVhc3QtMSJHMEUCIQD6m0Rk2b/8xW+0yV3qT1nGkz6yVQ7mNfE3aP0Zp4cRtwIgW"
    "3n8sJk+Vd1Y0b9r2uPq5rZ/3Xo7cL1mHh9KfTgN0aYq7gIIHxABGgw5OTk5OTk5OTk5OTkiDA==";

// A clock set at a fixed time (the real-STS sample is from 2019).
using FixedClock = testing::FakeClock;

std::string XmlText(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// What the scripted STS puts in a 200 response.
struct Reply {
  std::string key = kKey;
  std::string secret = kSecret;
  std::string token = kToken;
  std::string expiration;  // empty: an hour from the real clock
  std::string arn = kArn;
  std::string role_id = std::string("AROAQ3EGRBZKSPOKE0001:") + kSession;
};

std::string Body(const std::string& action, const Reply& r) {
  const std::string expiration =
      r.expiration.empty()
          ? FormatRfc3339(std::chrono::system_clock::now() + std::chrono::hours(1))
          : r.expiration;
  return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action +
         "Result><AssumedRoleUser><Arn>" + XmlText(r.arn) + "</Arn><AssumedRoleId>" +
         XmlText(r.role_id) + "</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>" +
         XmlText(r.key) + "</AccessKeyId><SecretAccessKey>" + XmlText(r.secret) +
         "</SecretAccessKey><SessionToken>" + XmlText(r.token) + "</SessionToken><Expiration>" +
         XmlText(expiration) + "</Expiration></Credentials></" + action +
         "Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></" + action +
         "Response>";
}

// A loopback STS whose every answer is 200 with responder(params of the request).
class ScriptedSts {
 public:
  using Responder = std::function<std::string(const Params&)>;
  explicit ScriptedSts(Responder responder)
      : responder_(std::move(responder)),
        server_([this](http_test::ServerConn& conn, int) {
          while (auto request = conn.ReadRequest()) {
            Params params;
            if (auto form = FormDecode(request->body)) {
              for (auto& [k, v] : *form) params[k] = v;
            }
            const std::string body = responder_(params);
            if (!conn.Write(http_test::Reply(200, body, "Content-Type: text/xml\r\n"))) return;
          }
        }) {}
  std::string url() const { return server_.Url("http", "/"); }

 private:
  Responder responder_;
  http_test::LoopbackServer server_;
};

class StsResponseCheckTest : public ::testing::Test {
 protected:
  StsResponseCheckTest()
      : http_(MakeHttpClient({})),
        env_(MakeMapEnvironment({})),
        log_(MakeNullLogger()) {}

  Result<AssumeRoleResponse> AssumeRole(const std::string& body,
                                        TimePoint now = std::chrono::system_clock::now(),
                                        std::string role = kRole,
                                        std::string session = kSession) {
    ScriptedSts sts([&](const Params&) { return body; });
    FixedClock clock(now);
    SystemContext sys{clock, *env_, *http_, *log_, random_, files_, processes_};
    StsClient client(sys, StsClientOptions{.endpoint = sts.url(),
                                           .signing_region = "us-east-1",
                                           .max_attempts = 1});
    Credentials caller;
    caller.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    caller.secret_access_key = SecretString("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
    return client.AssumeRole(caller, AssumeRoleRequest{.role_arn = std::move(role),
                                                       .role_session_name = std::move(session)});
  }

  Result<AssumeRoleResponse> AssumeRoleWithWebIdentity(const std::string& body,
                                                       std::string role, std::string session) {
    ScriptedSts sts([&](const Params&) { return body; });
    FixedClock clock(std::chrono::system_clock::now());
    SystemContext sys{clock, *env_, *http_, *log_, random_, files_, processes_};
    StsClient client(sys, StsClientOptions{.endpoint = sts.url(),
                                           .signing_region = "us-east-1",
                                           .max_attempts = 1});
    return client.AssumeRoleWithWebIdentity(AssumeRoleWithWebIdentityRequest{
        .role_arn = std::move(role),
        .role_session_name = std::move(session),
        .web_identity_token = SecretString("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")});
  }

  std::unique_ptr<HttpTransport> http_;
  std::unique_ptr<Environment> env_;
  std::unique_ptr<Logger> log_;
  testing::MaxRandom random_;
  testing::MemoryFileSystem files_;
  testing::FakeProcessRunner processes_;
};

// One line, the prefix, the wanted words, none of the secrets.
void ExpectRefusal(const Result<AssumeRoleResponse>& r, ErrorCode code,
                   const std::string& action, const std::vector<std::string>& words,
                   const std::vector<std::string>& secrets) {
  ASSERT_FALSE(r.has_value()) << "accepted: key " << r->credentials.access_key_id;
  const std::string text = r.error().ToString();
  EXPECT_EQ(r.error().code(), code) << text;
  EXPECT_EQ(text.rfind("STS " + action + " response refused: ", 0), 0u) << text;
  for (const std::string& w : words) {
    EXPECT_NE(text.find(w), std::string::npos) << w << " in " << text;
  }
  for (char c : text) {
    EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << "control in " << text;
  }
  for (const std::string& s : secrets) {
    if (!s.empty()) {
      EXPECT_EQ(text.find(s), std::string::npos) << "secret in " << text;
    }
  }
}

// ---- what must still pass -----------------------------------------------------------------

TEST_F(StsResponseCheckTest, RealStsDocsSampleIsAccepted) {
  // AWS's own sample: a token wrapped over indented lines, ARO123EXAMPLE123:TestAR, 2019.
  const std::string xml = testing::ReadTestdata("sts/xml/AssumeRoleResponse.aws-docs.xml");
  ASSERT_FALSE(xml.empty());
  auto r = AssumeRole(xml, *ParseTimestamp("2019-11-09T12:34:41Z"),
                      "arn:aws:iam::123456789012:role/demo", "TestAR");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->credentials.access_key_id, "ASIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(r->assumed_role_arn, "arn:aws:sts::123456789012:assumed-role/demo/TestAR");
  // The same sample a second after it expired.
  auto late = AssumeRole(xml, *ParseTimestamp("2019-11-09T13:34:42Z"),
                         "arn:aws:iam::123456789012:role/demo", "TestAR");
  ExpectRefusal(late, ErrorCode::kRemote, "AssumeRole",
                {"Expiration 2019-11-09T13:34:41Z is not in the future (local clock: "
                 "2019-11-09T13:34:42Z)",
                 "clock skew"},
                {"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"});
}

TEST_F(StsResponseCheckTest, MotoLabAndCompatibleShapesAreAccepted) {
  // moto: ASIA + base32, a 40-character secret of letters, digits, + and /, a base64 token with
  // padding; a role with a path (the ARN has the name only); IAM's case-insensitive names.
  Reply moto;
  moto.key = "ASIA3X42LBCDAAAAAAAA";
  moto.secret = "aB3+/cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ";
  moto.token = std::string("FQoGZXIvYXdzEBYaD") + std::string(300, 'x') + "+/Q=";
  moto.arn = "arn:aws:sts::123456789012:assumed-role/deploy/ci";
  moto.role_id = "AROA3X42LBCDABCDEFGHI:ci";
  auto r = AssumeRole(Body("AssumeRole", moto), std::chrono::system_clock::now(),
                      "arn:aws:iam::123456789012:role/team/a/deploy", "ci");
  EXPECT_TRUE(r.has_value()) << r.error().ToString();
  r = AssumeRole(Body("AssumeRole", moto), std::chrono::system_clock::now(),
                 "arn:aws:iam::123456789012:role/Deploy", "ci");
  EXPECT_TRUE(r.has_value()) << r.error().ToString();
  // The lab: IQoJ… tokens, base32 ids; 128-character key ids; another partition.
  Reply lab;
  lab.key = std::string("ASIA") + std::string(124, '7');
  lab.arn = "arn:aws-cn:sts::888888888888:assumed-role/automation-spoke-role/" +
            std::string(kSession);
  r = AssumeRole(Body("AssumeRole", lab), std::chrono::system_clock::now(),
                 "arn:aws-cn:iam::888888888888:role/automation-spoke-role");
  EXPECT_TRUE(r.has_value()) << r.error().ToString();
  // A JWT-shaped session token (base64url and dots), as some STS-compatible servers issue.
  Reply jwt;
  jwt.token = "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwMDAwMDB9.a-b_c";
  jwt.role_id = "";  // absent is fine
  r = AssumeRole(Body("AssumeRole", jwt));
  EXPECT_TRUE(r.has_value()) << r.error().ToString();
  // moto's AssumeRoleWithWebIdentity id.
  Reply web;
  web.arn = "arn:aws:sts::123456789012:assumed-role/gha/gha-run-1";
  web.role_id = "ARO123EXAMPLE123:gha-run-1";
  r = AssumeRoleWithWebIdentity(Body("AssumeRoleWithWebIdentity", web),
                                "arn:aws:iam::123456789012:role/gha", "gha-run-1");
  EXPECT_TRUE(r.has_value()) << r.error().ToString();
}

// ---- what must be refused -------------------------------------------------------------------

struct Hostile {
  const char* name;
  std::function<void(Reply&)> tamper;
  ErrorCode code;
  std::vector<std::string> words;  // in the message
};
// For gtest's listing and failure messages (instead of the object's bytes).
void PrintTo(const Hostile& h, std::ostream* os) { *os << h.name; }

class HostileAssumeRole : public StsResponseCheckTest,
                          public ::testing::WithParamInterface<Hostile> {};

TEST_P(HostileAssumeRole, IsRefusedWithOneLineAndNoSecret) {
  Reply reply;
  GetParam().tamper(reply);
  auto r = AssumeRole(Body("AssumeRole", reply));
  ExpectRefusal(r, GetParam().code, "AssumeRole", GetParam().words,
                {reply.secret, reply.token, kSecret, kToken});
}

const Hostile kHostile[] = {
    {"QuoteInKeyId", [](Reply& r) { r.key = "ASIAQ3EGRBZK\"N7YW2LT"; }, ErrorCode::kParse,
     {"AccessKeyId", "16–128 characters of A-Z 0-9", "position 13"}},
    {"NewlineInKeyId", [](Reply& r) { r.key = "ASIAQ3EGRBZK\nN7YW2LT"; }, ErrorCode::kParse,
     {"AccessKeyId", "position 13"}},
    {"BacktickInKeyId", [](Reply& r) { r.key = "ASIAQ3EGRBZK`id`YW2LT"; }, ErrorCode::kParse,
     {"AccessKeyId"}},
    {"LowerCaseKeyId", [](Reply& r) { r.key = "asiaq3egrbzkxn7yw2lt"; }, ErrorCode::kParse,
     {"AccessKeyId", "position 1"}},
    {"ShortKeyId", [](Reply& r) { r.key = "ASIA123"; }, ErrorCode::kParse,
     {"AccessKeyId", "it has 7 characters"}},
    {"CommandSubstitutionInSecret",
     [](Reply& r) { r.secret = "wJalrXUtnFEMI$(touch /tmp/pwned)EXAMPLEKEY"; }, ErrorCode::kParse,
     {"SecretAccessKey", "A-Z a-z 0-9 + / =", "the value is not shown"}},
    {"QuoteInSecret", [](Reply& r) { r.secret = "wJalrXUtnFEMI'K7MDENG+bPxRfiCYzEXAMPLEKEY"; },
     ErrorCode::kParse, {"SecretAccessKey"}},
    {"NewlineInSecret", [](Reply& r) { r.secret = "wJalrXUtnFEMI\nAWS_X=1"; }, ErrorCode::kParse,
     {"SecretAccessKey"}},
    {"BacktickInToken", [](Reply& r) { r.token = std::string(kToken) + "`reboot`"; },
     ErrorCode::kParse, {"SessionToken", "A-Z a-z 0-9 + / = . _ -", "the value is not shown"}},
    {"DollarAndQuoteInToken", [](Reply& r) { r.token = "abc\"$HOME\"def"; }, ErrorCode::kParse,
     {"SessionToken"}},
    {"BackslashInToken", [](Reply& r) { r.token = "abc\\ndef"; }, ErrorCode::kParse,
     {"SessionToken"}},
    {"ExpiredExpiration", [](Reply& r) { r.expiration = "2020-01-01T00:00:00Z"; },
     ErrorCode::kRemote,
     {"Expiration 2020-01-01T00:00:00Z is not in the future", "already expired",
      "clock skew"}},
    {"ArnForAnotherAccount",
     [](Reply& r) {
       r.arn = "arn:aws:sts::777777777777:assumed-role/automation-spoke-role/" +
               std::string(kSession);
     },
     ErrorCode::kRemote, {"AssumedRoleUser Arn", "names account 777777777777",
                          "not the requested 888888888888"}},
    {"ArnForAnotherRole",
     [](Reply& r) {
       r.arn = "arn:aws:sts::888888888888:assumed-role/admin/" + std::string(kSession);
     },
     ErrorCode::kRemote, {"names role admin, not the requested automation-spoke-role"}},
    {"ArnForAnotherSession",
     [](Reply& r) { r.arn = "arn:aws:sts::888888888888:assumed-role/automation-spoke-role/x"; },
     ErrorCode::kRemote, {"names session x, not the requested 888888888888-me@example.com"}},
    {"ArnInAnotherPartition",
     [](Reply& r) {
       r.arn = "arn:aws-cn:sts::888888888888:assumed-role/automation-spoke-role/" +
               std::string(kSession);
     },
     ErrorCode::kRemote, {"names partition aws-cn, not the requested aws"}},
    {"ArnThatIsNotAnAssumedRole",
     [](Reply& r) { r.arn = "arn:aws:iam::888888888888:user/admin"; }, ErrorCode::kRemote,
     {"is not an assumed-role ARN", kArn}},
    {"ArnWithAControlCharacter",
     [](Reply& r) { r.arn = std::string(kArn) + "\x1b[2J"; }, ErrorCode::kRemote,
     {"names session 888888888888-me@example.com?[2J"}},
    {"RoleIdForAnotherSession", [](Reply& r) { r.role_id = "AROAQ3EGRBZKSPOKE0001:other"; },
     ErrorCode::kParse, {"AssumedRoleId 'AROAQ3EGRBZKSPOKE0001:other'"}},
};

INSTANTIATE_TEST_SUITE_P(StsResponseCheck, HostileAssumeRole, ::testing::ValuesIn(kHostile),
                         [](const ::testing::TestParamInfo<Hostile>& row) {
                           return std::string(row.param.name);
                         });

TEST_F(StsResponseCheckTest, HostileWebIdentityResponsesAreRefused) {
  Reply reply;
  reply.arn = "arn:aws:sts::123456789012:assumed-role/gha/gha-run-1";
  reply.role_id = "AROAQ3EGRBZKGHA000001:gha-run-1";
  reply.secret = "abc`id`def";
  auto r = AssumeRoleWithWebIdentity(Body("AssumeRoleWithWebIdentity", reply),
                                     "arn:aws:iam::123456789012:role/gha", "gha-run-1");
  ExpectRefusal(r, ErrorCode::kParse, "AssumeRoleWithWebIdentity", {"SecretAccessKey"},
                {reply.secret, reply.token});
  reply.secret = kSecret;
  reply.arn = "arn:aws:sts::123456789012:assumed-role/admin/gha-run-1";
  r = AssumeRoleWithWebIdentity(Body("AssumeRoleWithWebIdentity", reply),
                                "arn:aws:iam::123456789012:role/gha", "gha-run-1");
  ExpectRefusal(r, ErrorCode::kRemote, "AssumeRoleWithWebIdentity",
                {"names role admin, not the requested gha"}, {reply.secret, reply.token});
}

// End to end through the chain: the hop and role come first, then the refusal, on one line.
TEST_F(StsResponseCheckTest, TheChainNamesTheHopThatGotTheBadResponse) {
  for (const std::string hostile_hop : {"hub", "spoke"}) {
    SCOPED_TRACE(hostile_hop);
    std::mutex mu;
    std::vector<std::string> roles;
    ScriptedSts sts([&](const Params& p) {
      const std::string role = p.at("RoleArn");
      const std::string session = p.at("RoleSessionName");
      {
        std::lock_guard<std::mutex> lock(mu);
        roles.push_back(role);
      }
      const std::string account = role.substr(13, 12);
      const std::string name = role.substr(role.rfind('/') + 1);
      Reply r;
      r.arn = "arn:aws:sts::" + account + ":assumed-role/" + name + "/" + session;
      r.role_id = "AROAQ3EGRBZKROLE00001:" + session;
      const bool spoke = account == "888888888888";
      if (spoke == (hostile_hop == "spoke")) {
        r.arn = "arn:aws:sts::777777777777:assumed-role/" + name + "/" + session;
      }
      return Body("AssumeRole", r);
    });
    auto env = MakeMapEnvironment({{"AWS_ENDPOINT_URL", sts.url()}, {"AWS_REGION", "eu-west-1"}});
    testing::FakeClock clock;
    SystemContext sys{clock, *env, *http_, *log_, random_, files_, processes_};
    Credentials base;
    base.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    base.secret_access_key = SecretString("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
    auto provider = MakeStaticCredentialsProvider(std::move(base), "test");
    auto spoke = GetSpokeCredentials(
        SpokeCredentialsInput{.hub_account_id = "999999999999",
                              .spoke_account_id = "888888888888",
                              .hub_role_name = "automation-hub-role",
                              .spoke_role_name = "automation-spoke-role",
                              .external_id = "this-is-my-automation",
                              .session_string = "me@example.com",
                              .retries = 0},
        sys, *provider);
    ASSERT_FALSE(spoke.has_value());
    const std::string text = spoke.error().ToString();
    const std::string role = hostile_hop == "hub"
                                 ? "arn:aws:iam::999999999999:role/automation-hub-role"
                                 : "arn:aws:iam::888888888888:role/automation-spoke-role";
    const std::string wanted = hostile_hop == "hub" ? "999999999999" : "888888888888";
    EXPECT_EQ(text.rfind(hostile_hop + " hop " + role +
                             ": STS AssumeRole response refused: AssumedRoleUser Arn 'arn:aws:"
                             "sts::777777777777:assumed-role/",
                         0),
              0u)
        << text;
    EXPECT_NE(text.find("names account 777777777777, not the requested " + wanted),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find('\n'), std::string::npos);
    EXPECT_EQ(text.find(kSecret), std::string::npos);
    EXPECT_EQ(text.find(kToken), std::string::npos);
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(roles.size(), hostile_hop == "hub" ? 1u : 2u);  // nothing after a refusal
  }
}

// The rule in one place, without the wire: what the charsets hold.
TEST(StsResponseCheckRules, CharsetsAreExactlyTheDocumentedOnes) {
  std::string key, secret, token;
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    if (sts::IsAccessKeyIdChar(ch)) key += ch;
    if (sts::IsSecretAccessKeyChar(ch)) secret += ch;
    if (sts::IsSessionTokenChar(ch)) token += ch;
  }
  EXPECT_EQ(key, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
  EXPECT_EQ(secret, "+/0123456789=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
  EXPECT_EQ(token, "+-./0123456789=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");
}

}  // namespace
}  // namespace hubspoke
