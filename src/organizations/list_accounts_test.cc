// ctest-label: threads
// ListOrganizationAccounts against a scripted AWS Organizations on a real loopback socket: the
// wire format the AWS CLI sends (checked with `aws organizations list-accounts --debug`), the
// signature, pagination, the OU tree, ACTIVE filtering, each error's mapping, retries, and a
// hostile endpoint (pagination loops, OU cycles, garbage, bad ids, too many accounts).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/time.h"
#include "http/test_server.h"
#include "hubspoke/organizations.h"
#include "hubspoke/sigv4.h"
#include "testing/fake_process_runner.h"
#include "testing/fake_sts.h"
#include "testing/memory_file_system.h"

namespace hubspoke {
namespace {

using nlohmann::json;

constexpr char kKey[] = "AKIAORGSORGSORGS0001";
constexpr char kSecret[] = "orgsSecret/wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLE";
constexpr char kToken[] = "IQoJb3JpZ2luX2VjEHYaCXVzLWVhc3QtMSJHMEUCIQD6m0Rk2b";

struct Call {
  std::string request_line;
  std::string target;        // X-Amz-Target
  std::string content_type;  // Content-Type
  std::string authorization;
  std::string security_token;
  json body;
  bool signature_ok = false;
};

struct Answer {
  int status = 200;
  std::string body;
  std::string extra_headers;  // "Name: value\r\n" lines
};

// A scripted Organizations: an organization tree (parent → accounts, parent → child OUs) served
// in pages of `server_page` (or MaxResults), with scripted answers that go first, and an
// override for hostile answers.
class FakeOrganizations {
 public:
  FakeOrganizations()
      : server_([this](http_test::ServerConn& conn, int) {
          while (auto request = conn.ReadRequest()) {
            const Answer a = Handle(*request);
            if (!conn.Write(http_test::Reply(
                    a.status, a.body,
                    "Content-Type: application/x-amz-json-1.1\r\n" + a.extra_headers))) {
              return;
            }
          }
        }) {}

  std::string url() const { return server_.Url("http", "/"); }

  // Accounts and child OUs of each parent; ListAccounts lists every parent's accounts in the
  // order the parents were added.
  std::map<std::string, std::vector<json>> accounts;
  std::map<std::string, std::vector<std::string>> children;
  std::vector<std::string> parent_order;
  std::size_t server_page = 2;

  void AddAccounts(const std::string& parent, std::vector<json> list) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!accounts.count(parent)) parent_order.push_back(parent);
    std::vector<json>& mine = accounts[parent];  // exists from now on, even when empty
    for (auto& a : list) mine.push_back(std::move(a));
  }
  void AddChild(const std::string& parent, const std::string& child) {
    std::lock_guard<std::mutex> lock(mu_);
    children[parent].push_back(child);
  }
  void FailNext(Answer a) {
    std::lock_guard<std::mutex> lock(mu_);
    scripted_.push_back(std::move(a));
  }
  void Override(std::function<Answer(const Call&)> f) {
    std::lock_guard<std::mutex> lock(mu_);
    override_ = std::move(f);
  }
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::vector<std::string> targets() const {
    std::vector<std::string> out;
    for (const auto& c : calls()) out.push_back(c.target + " " + c.body.dump());
    return out;
  }

 private:
  Answer Handle(const http_test::ReceivedRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    Call call;
    call.request_line = r.RequestLine();
    call.target = r.Header("X-Amz-Target").value_or("");
    call.content_type = r.Header("Content-Type").value_or("");
    call.authorization = r.Header("Authorization").value_or("");
    call.security_token = r.Header("X-Amz-Security-Token").value_or("");
    call.body = json::parse(r.body, nullptr, false);
    call.signature_ok = Verify(r);
    calls_.push_back(call);
    const std::string request_id = "req-" + std::to_string(calls_.size());
    const std::string id_header = "x-amzn-RequestId: " + request_id + "\r\n";
    if (!scripted_.empty()) {
      Answer a = scripted_.front();
      scripted_.pop_front();
      a.extra_headers += id_header;
      return a;
    }
    if (override_) {
      Answer a = override_(call);
      a.extra_headers += id_header;
      return a;
    }
    const std::string op = call.target.substr(call.target.find('.') + 1);
    std::vector<json> items;
    if (op == "ListAccounts") {
      for (const auto& p : parent_order)
        for (const auto& a : accounts[p]) items.push_back(a);
    } else if (op == "ListAccountsForParent") {
      const std::string parent = call.body.value("ParentId", "");
      if (!accounts.count(parent) && !children.count(parent)) {
        return {
            400,
            R"({"__type":"ParentNotFoundException","Message":"We can't find a root or OU with the ParentId that you specified."})",
            id_header};
      }
      items = accounts[parent];
    } else if (op == "ListChildren") {
      for (const auto& c : children[call.body.value("ParentId", "")]) {
        items.push_back({{"Id", c}, {"Type", "ORGANIZATIONAL_UNIT"}});
      }
    } else {
      return {400, R"({"__type":"UnknownOperationException"})", id_header};
    }
    const std::size_t page =
        call.body.contains("MaxResults") ? call.body["MaxResults"].get<std::size_t>() : server_page;
    std::size_t offset = 0;
    if (call.body.contains("NextToken")) {
      offset = std::stoul(call.body["NextToken"].get<std::string>().substr(4));
    }
    json out = json::object();
    json list = json::array();
    for (std::size_t i = offset; i < items.size() && i < offset + page; ++i)
      list.push_back(items[i]);
    out[op == "ListChildren" ? "Children" : "Accounts"] = list;
    if (offset + page < items.size()) out["NextToken"] = "tok-" + std::to_string(offset + page);
    return {200, out.dump(), id_header};
  }

  // Recomputes the SigV4 signature from the headers the client says it signed.
  static bool Verify(const http_test::ReceivedRequest& r) {
    auto auth = sigv4::ParseAuthorization(r.Header("Authorization").value_or(""));
    if (!auth || auth->access_key_id != kKey) return false;
    auto time = ParseTimestamp(r.Header("X-Amz-Date").value_or(""));
    if (!time) return false;
    const std::string line = r.RequestLine();
    const std::size_t sp1 = line.find(' '), sp2 = line.find(' ', sp1 + 1);
    sigv4::SignableRequest signable{
        .method = line.substr(0, sp1), .path = line.substr(sp1 + 1, sp2 - sp1 - 1), .body = r.body};
    for (const auto& name : auth->signed_headers) {
      signable.headers.push_back({name, r.Header(name).value_or("")});
    }
    Credentials c;
    c.access_key_id = kKey;
    c.secret_access_key = SecretString(kSecret);
    auto computed = sigv4::ComputeSignature(
        signable, c,
        sigv4::SigningParams{.region = auth->region, .service = auth->service, .time = *time});
    return computed && computed->signature == auth->signature;
  }

  mutable std::mutex mu_;
  std::deque<Answer> scripted_;
  std::function<Answer(const Call&)> override_;
  std::vector<Call> calls_;
  http_test::LoopbackServer server_;  // last: its thread stops before the members go
};

json Account(const std::string& id, const std::string& name, const char* status = "ACTIVE") {
  return {{"Id", id},
          {"Arn", "arn:aws:organizations::111111111111:account/o-abcd123456/" + id},
          {"Email", name + "@example.com"},
          {"Name", name},
          {"Status", status},
          {"State", status},
          {"JoinedMethod", "CREATED"},
          {"JoinedTimestamp", 1.7e9}};
}

std::vector<std::string> Ids(const std::vector<SpokeAccount>& accounts) {
  std::vector<std::string> out;
  for (const auto& a : accounts) out.push_back(a.id);
  return out;
}

constexpr char kRoot[] = "r-ab12";
constexpr char kOuA[] = "ou-ab12-aaaaaaaa";
constexpr char kOuB[] = "ou-ab12-bbbbbbbb";
constexpr char kOuC[] = "ou-ab12-cccccccc";

class OrganizationsTest : public ::testing::Test {
 protected:
  OrganizationsTest()
      : env_(MakeMapEnvironment({})), http_(MakeHttpClient({})), sys_{clock_,    *env_,   *http_,
                                                                      log_,      random_, files_,
                                                                      processes_} {
    caller_.access_key_id = kKey;
    caller_.secret_access_key = SecretString(kSecret);
    options_.endpoint = org_.url();
    options_.signing_region = "us-east-1";
  }

  Result<std::vector<SpokeAccount>> List(const std::string& ou = "",
                                         std::vector<SpokeAccount>* left_out = nullptr) {
    return ListOrganizationAccounts(sys_, caller_, options_, ou, left_out);
  }

  FakeOrganizations org_;
  testing::FakeClock clock_;
  testing::CapturingLogger log_;
  testing::MaxRandom random_;
  testing::MemoryFileSystem files_;
  testing::FakeProcessRunner processes_;
  std::unique_ptr<Environment> env_;
  std::unique_ptr<HttpTransport> http_;
  SystemContext sys_;
  Credentials caller_;
  OrganizationsOptions options_;
};

TEST_F(OrganizationsTest, SendsWhatTheAwsCliSends) {
  org_.AddAccounts(kRoot, {Account("111111111111", "management")});
  caller_.session_token = SecretString(kToken);
  options_.page_size = 3;
  auto r = List();
  ASSERT_TRUE(r) << r.error().ToString();
  const auto calls = org_.calls();
  ASSERT_EQ(calls.size(), 1u);
  const Call& c = calls[0];
  EXPECT_EQ(c.request_line, "POST / HTTP/1.1");
  EXPECT_EQ(c.target, "AWSOrganizationsV20161128.ListAccounts");
  EXPECT_EQ(c.content_type, "application/x-amz-json-1.1");
  EXPECT_EQ(c.body, json({{"MaxResults", 3}}));
  EXPECT_EQ(c.security_token, kToken);
  auto auth = sigv4::ParseAuthorization(c.authorization);
  ASSERT_TRUE(auth) << c.authorization;
  EXPECT_EQ(auth->region, "us-east-1");
  EXPECT_EQ(auth->service, "organizations");
  // The headers botocore signs, and the token.
  EXPECT_EQ(auth->signed_headers,
            (std::vector<std::string>{"content-type", "host", "x-amz-date", "x-amz-security-token",
                                      "x-amz-target"}));
  EXPECT_TRUE(c.signature_ok) << c.authorization;
  EXPECT_EQ(log_.text().find(kSecret), std::string::npos);
}

TEST_F(OrganizationsTest, OnlyFieldsThatAreSetAreSent) {
  org_.AddAccounts(kRoot, {Account("111111111111", "a")});
  ASSERT_TRUE(List());
  ASSERT_EQ(org_.calls().size(), 1u);
  EXPECT_EQ(org_.calls()[0].body.dump(), "{}");
}

TEST_F(OrganizationsTest, FollowsNextTokenOverSeveralPages) {
  org_.AddAccounts(kRoot, {Account("111111111111", "a"), Account("222222222222", "b"),
                           Account("333333333333", "c"), Account("444444444444", "d"),
                           Account("555555555555", "e")});
  auto r = List();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Ids(*r), (std::vector<std::string>{"111111111111", "222222222222", "333333333333",
                                               "444444444444", "555555555555"}));
  EXPECT_EQ((*r)[2].name, "c");
  EXPECT_EQ(org_.targets(),
            (std::vector<std::string>{
                "AWSOrganizationsV20161128.ListAccounts {}",
                R"(AWSOrganizationsV20161128.ListAccounts {"NextToken":"tok-2"})",
                R"(AWSOrganizationsV20161128.ListAccounts {"NextToken":"tok-4"})"}));
  for (const auto& c : org_.calls()) EXPECT_TRUE(c.signature_ok);
}

TEST_F(OrganizationsTest, RecursesThroughNestedOusBreadthFirst) {
  // r-ab12: 111; ou A (under root): 222, 333; ou C (under A): 444; ou B (under root): 555.
  org_.AddAccounts(kRoot, {Account("111111111111", "management")});
  org_.AddAccounts(kOuA, {Account("222222222222", "a1"), Account("333333333333", "a2")});
  org_.AddAccounts(kOuC, {Account("444444444444", "c1")});
  org_.AddAccounts(kOuB, {Account("555555555555", "b1")});
  org_.AddChild(kRoot, kOuA);
  org_.AddChild(kRoot, kOuB);
  org_.AddChild(kOuA, kOuC);
  options_.page_size = 1;
  auto r = List(kRoot);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Ids(*r), (std::vector<std::string>{"111111111111", "222222222222", "333333333333",
                                               "555555555555", "444444444444"}));
  const std::string p = "AWSOrganizationsV20161128.";
  EXPECT_EQ(
      org_.targets(),
      (std::vector<std::string>{
          p + R"(ListAccountsForParent {"MaxResults":1,"ParentId":"r-ab12"})",
          p + R"(ListChildren {"ChildType":"ORGANIZATIONAL_UNIT","MaxResults":1,"ParentId":"r-ab12"})",
          p + R"(ListChildren {"ChildType":"ORGANIZATIONAL_UNIT","MaxResults":1,"NextToken":"tok-1","ParentId":"r-ab12"})",
          p + R"(ListAccountsForParent {"MaxResults":1,"ParentId":"ou-ab12-aaaaaaaa"})",
          p + R"(ListAccountsForParent {"MaxResults":1,"NextToken":"tok-1","ParentId":"ou-ab12-aaaaaaaa"})",
          p + R"(ListChildren {"ChildType":"ORGANIZATIONAL_UNIT","MaxResults":1,"ParentId":"ou-ab12-aaaaaaaa"})",
          p + R"(ListAccountsForParent {"MaxResults":1,"ParentId":"ou-ab12-bbbbbbbb"})",
          p + R"(ListChildren {"ChildType":"ORGANIZATIONAL_UNIT","MaxResults":1,"ParentId":"ou-ab12-bbbbbbbb"})",
          p + R"(ListAccountsForParent {"MaxResults":1,"ParentId":"ou-ab12-cccccccc"})",
          p + R"(ListChildren {"ChildType":"ORGANIZATIONAL_UNIT","MaxResults":1,"ParentId":"ou-ab12-cccccccc"})",
      }));
  // An OU below the root: only its subtree.
  auto sub = List(kOuA);
  ASSERT_TRUE(sub) << sub.error().ToString();
  EXPECT_EQ(Ids(*sub), (std::vector<std::string>{"222222222222", "333333333333", "444444444444"}));
}

TEST_F(OrganizationsTest, LeavesOutAccountsThatAreNotActive) {
  json old_style = {{"Id", "666666666666"}, {"Name", "old"}, {"Status", "ACTIVE"}};
  json new_style = {{"Id", "777777777777"}, {"Name", "new"}, {"State", "ACTIVE"}};
  json pending = {{"Id", "888888888888"}, {"Name", "pending"}, {"State", "PENDING_ACTIVATION"}};
  org_.AddAccounts(kRoot, {Account("111111111111", "a"), Account("222222222222", "b", "SUSPENDED"),
                           Account("333333333333", "c", "PENDING_CLOSURE"),
                           Account("444444444444", "d", "CLOSED"), old_style, new_style, pending});
  std::vector<SpokeAccount> left_out;
  auto r = List("", &left_out);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Ids(*r), (std::vector<std::string>{"111111111111", "666666666666", "777777777777"}));
  EXPECT_EQ(Ids(left_out), (std::vector<std::string>{"222222222222", "333333333333", "444444444444",
                                                     "888888888888"}));
  // Without a place for them, the log says how many.
  auto quiet = List();
  ASSERT_TRUE(quiet);
  EXPECT_NE(log_.text().find("Organizations: left out 4 account(s) that are not ACTIVE"),
            std::string::npos)
      << log_.text();
}

TEST_F(OrganizationsTest, NamesAreMadePrintableAndAnAccountListedTwiceIsKeptOnce) {
  org_.AddAccounts(
      kRoot, {Account("111111111111", "evil\x1b]0;title\x07name"),
              Account("222222222222", std::string(300, 'n')), Account("111111111111", "again")});
  auto r = List();
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "evil?]0;title?name");
  EXPECT_EQ((*r)[1].name, std::string(128, 'n') + "…");
}

struct ErrorCase {
  int status;
  std::string body;
  std::string extra_headers;
  ErrorCode code;
  std::string aws_code;
  std::string message;  // the whole message
  std::string hint_part;
};

TEST_F(OrganizationsTest, EachErrorMapsAndIsNotRetried) {
  const std::vector<ErrorCase> cases = {
      {400,
       R"({"__type":"AccessDeniedException","Message":"You don't have permissions to access this resource."})",
       "", ErrorCode::kAccessDenied, "AccessDeniedException",
       "Organizations ListAccountsForParent: AccessDeniedException (HTTP 400, request id req-1): "
       "You don't have permissions to access this resource.",
       "organizations:ListAccounts"},
      {400,
       R"({"__type":"com.amazonaws.organizations.v20161128#AWSOrganizationsNotInUseException","message":"Your account is not a member of an organization."})",
       "", ErrorCode::kMisconfigured, "AWSOrganizationsNotInUseException",
       "Organizations ListAccountsForParent: AWSOrganizationsNotInUseException (HTTP 400, "
       "request id req-1): Your account is not a member of an organization.",
       "--spoke-accounts or --accounts-file"},
      {400, R"({"__type":"ParentNotFoundException","Message":"We can't find it."})", "",
       ErrorCode::kInvalidArgument, "ParentNotFoundException",
       "Organizations ListAccountsForParent: ParentNotFoundException (HTTP 400, request id "
       "req-1): We can't find it.",
       "no root or OU ou-ab12-aaaaaaaa in the caller's organization: check --ou"},
      {400, R"({"Message":"Invalid input."})",
       "x-amzn-ErrorType: InvalidInputException:http://internal.amazon.com/coral/\r\n",
       ErrorCode::kInvalidArgument, "InvalidInputException",
       "Organizations ListAccountsForParent: InvalidInputException (HTTP 400, request id req-1): "
       "Invalid input.",
       "check --ou"},
      {403,
       R"({"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."})",
       "", ErrorCode::kAccessDenied, "UnrecognizedClientException",
       "Organizations ListAccountsForParent: UnrecognizedClientException (HTTP 403, request id "
       "req-1): The security token included in the request is invalid.",
       ""},
      {400, "<html>not json</html>", "", ErrorCode::kRemote, "",
       "Organizations ListAccountsForParent: HTTP 400 (request id req-1)", ""},
  };
  for (const auto& c : cases) {
    FakeOrganizations org;
    org.FailNext({c.status, c.body, c.extra_headers});
    options_.endpoint = org.url();
    auto r = List(kOuA);
    ASSERT_FALSE(r) << c.body;
    const Error& e = r.error();
    EXPECT_EQ(e.code(), c.code) << c.body;
    EXPECT_EQ(e.message(), c.message);
    ASSERT_TRUE(e.aws().has_value());
    EXPECT_EQ(e.aws()->code, c.aws_code);
    EXPECT_EQ(e.aws()->request_id, "req-1");
    EXPECT_EQ(e.aws()->http_status, c.status);
    EXPECT_NE(e.hint().find(c.hint_part), std::string::npos) << e.hint();
    EXPECT_EQ(org.calls().size(), 1u) << "retried: " << c.body;
  }
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(OrganizationsTest, ThrottlingIsRetriedThenSucceeds) {
  org_.AddAccounts(kRoot, {Account("111111111111", "a")});
  org_.FailNext({400, R"({"__type":"TooManyRequestsException","Message":"slow down"})", ""});
  org_.FailNext({400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})", ""});
  org_.FailNext({500, R"({"__type":"ServiceException","Message":"oops"})", ""});
  org_.FailNext({503, "<html>busy</html>", ""});
  std::vector<ErrorCode> seen;
  options_.on_retry = [&](const Error& e) { seen.push_back(e.code()); };
  auto r = List();
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(Ids(*r), (std::vector<std::string>{"111111111111"}));
  EXPECT_EQ(seen, (std::vector<ErrorCode>{ErrorCode::kThrottled, ErrorCode::kThrottled,
                                          ErrorCode::kRemote, ErrorCode::kRemote}));
  // Full jitter under the policy (MaxRandom takes the top): base 200 ms doubling.
  EXPECT_EQ(clock_.sleeps(), (std::vector<std::chrono::milliseconds>{
                                 std::chrono::milliseconds(199), std::chrono::milliseconds(399),
                                 std::chrono::milliseconds(799), std::chrono::milliseconds(1599)}));
  EXPECT_NE(log_.text().find("Organizations ListAccounts: attempt 1/5 failed"), std::string::npos)
      << log_.text();
  for (const auto& c : org_.calls()) EXPECT_TRUE(c.signature_ok);
}

TEST_F(OrganizationsTest, ThrottlingThatLastsIsKThrottledAfterTheAttempts) {
  for (int i = 0; i < 5; ++i) {
    org_.FailNext({400, R"({"__type":"TooManyRequestsException","Message":"slow down"})", ""});
  }
  options_.max_attempts = 5;
  auto r = List();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kThrottled);
  EXPECT_EQ(r.error().message().rfind("gave up after 5 attempts: Organizations ListAccounts: "
                                      "TooManyRequestsException (HTTP 400, request id req-5)",
                                      0),
            0u)
      << r.error().message();
  EXPECT_NE(r.error().hint().find("try again later"), std::string::npos);
  EXPECT_EQ(org_.calls().size(), 5u);
}

TEST_F(OrganizationsTest, ANetworkFailureIsRetriedThenReported) {
  options_.endpoint = "http://127.0.0.1:1/";  // nothing listens on port 1
  options_.max_attempts = 2;
  auto r = List();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNetwork);
  EXPECT_EQ(r.error().message().rfind(
                "gave up after 2 attempts: Organizations ListAccounts http://127.0.0.1:1", 0),
            0u)
      << r.error().message();
}

TEST_F(OrganizationsTest, ARepeatedNextTokenIsAnError) {
  int n = 0;
  org_.Override([&](const Call&) {
    // tok-1, tok-2, tok-1: a loop.
    const std::string token = ++n == 2 ? "tok-2" : "tok-1";
    return Answer{
        200, json{{"Accounts", json::array({Account("11111111111" + std::to_string(n % 10), "x")})},
                  {"NextToken", token}}
                 .dump()};
  });
  auto r = List();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kRemote);
  EXPECT_EQ(r.error().message(),
            "Organizations ListAccounts (request id req-3): NextToken repeats a token of an "
            "earlier page (the service's pagination loops); stopping");
  EXPECT_EQ(org_.calls().size(), 3u);
}

TEST_F(OrganizationsTest, AnOuCycleIsAnError) {
  org_.AddAccounts(kOuA, {Account("111111111111", "a")});
  org_.AddAccounts(kOuB, {Account("222222222222", "b")});
  org_.AddChild(kOuA, kOuB);
  org_.AddChild(kOuB, kOuA);
  auto r = List(kOuA);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kRemote);
  EXPECT_EQ(r.error().message(),
            "Organizations ListChildren: OU ou-ab12-aaaaaaaa under ou-ab12-bbbbbbbb was already "
            "listed (the tree has a cycle); stopping");
}

TEST_F(OrganizationsTest, GarbageAnswersAreParseErrors) {
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{\"Accounts\": [",
       "Organizations ListAccounts (request id req-1): the answer is not a "
       "JSON object (14 bytes, not shown)"},
      {"[]",
       "Organizations ListAccounts (request id req-1): the answer is not a JSON object (2 "
       "bytes, not shown)"},
      {R"({"Accounts": {"Id": "111111111111"}})",
       "Organizations ListAccounts (request id req-1): Accounts is not an array"},
      {R"({"Accounts": [{"Id": "111111111111"}, {"Id": "12345"}]})",
       "Organizations ListAccounts (request id req-1): Accounts[1].Id: invalid account id "
       "'12345': an AWS account id is exactly 12 digits"},
      {R"({"Accounts": [{"Id": "11111111111\u001b"}]})",
       "Organizations ListAccounts (request id req-1): Accounts[0].Id: invalid account id "
       "'11111111111?': an AWS account id is exactly 12 digits"},
      {R"({"Accounts": [{"Name": "no id"}]})",
       "Organizations ListAccounts (request id req-1): Accounts[0].Id is missing or not a string"},
      {R"({"Accounts": [7]})",
       "Organizations ListAccounts (request id req-1): Accounts[0] is not an object"},
      {R"({"Accounts": [], "NextToken": 5})",
       "Organizations ListAccounts (request id req-1): NextToken is not a string"},
  };
  for (const auto& c : cases) {
    FakeOrganizations org;
    org.Override([&](const Call&) { return Answer{200, c.body}; });
    options_.endpoint = org.url();
    auto r = List();
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(r.error().code(), ErrorCode::kParse) << c.body;
    EXPECT_EQ(r.error().message(), c.message);
    EXPECT_EQ(org.calls().size(), 1u) << "a parse error is not retried";
  }
}

TEST_F(OrganizationsTest, ChildrenMustBeOus) {
  for (const std::string child :
       {R"({"Id": "111111111111", "Type": "ACCOUNT"})", R"({"Id": "ou-AB12-bbbbbbbb"})",
        R"({"Type": "ORGANIZATIONAL_UNIT"})", R"({"Id": "ou-ab12-bbbbbbbb", "Type": "ACCOUNT"})"}) {
    FakeOrganizations org;
    org.Override([&](const Call& call) {
      if (call.target.ends_with("ListChildren")) {
        return Answer{200, R"({"Children": [)" + child + "]}"};
      }
      return Answer{200, R"({"Accounts": []})"};
    });
    options_.endpoint = org.url();
    auto r = List(kRoot);
    ASSERT_FALSE(r) << child;
    EXPECT_EQ(r.error().code(), ErrorCode::kParse) << child;
    EXPECT_EQ(
        r.error().message().rfind("Organizations ListChildren (request id req-2): Children[0].", 0),
        0u)
        << r.error().message();
  }
}

TEST_F(OrganizationsTest, TheOuIsCheckedBeforeAnyRequest) {
  for (const char* bad : {"ou-ab12", "ou-AB12-bbbbbbbb", "ou-ab1-bbbbbbbb", "ou-ab12-bbbbbbb",
                          "r-ab1", "r-AB12", "root", "111111111111", "ou-ab12-bbbbbbbb "}) {
    auto r = List(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message().rfind("--ou: invalid value '" + std::string(bad) + "'", 0), 0u)
        << r.error().message();
    EXPECT_NE(r.error().message().find("^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$"), std::string::npos);
    EXPECT_NE(r.error().message().find("^r-[0-9a-z]{4,32}$"), std::string::npos);
  }
  EXPECT_TRUE(org_.calls().empty());
  // The longest ids the patterns allow are accepted.
  org_.AddAccounts("r-" + std::string(32, 'z'), {});
  EXPECT_TRUE(List("r-" + std::string(32, 'z')));
  org_.AddAccounts("ou-" + std::string(32, '0') + "-" + std::string(32, 'a'), {});
  EXPECT_TRUE(List("ou-" + std::string(32, '0') + "-" + std::string(32, 'a')));
}

TEST_F(OrganizationsTest, ThePageSizeIsTheApisRange) {
  options_.page_size = 21;
  auto r = List();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("MaxResults is 1–20"), std::string::npos);
  EXPECT_TRUE(org_.calls().empty());
}

TEST_F(OrganizationsTest, TooManyAccountsOrRequestsStop) {
  std::vector<json> many;
  for (int i = 0; i < 10; ++i) many.push_back(Account("1111111111" + std::to_string(10 + i), "x"));
  org_.AddAccounts(kRoot, many);
  options_.max_accounts = 9;
  auto r = List();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kRemote);
  EXPECT_NE(r.error().message().find("more than 9 accounts; stopping"), std::string::npos)
      << r.error().message();

  options_.max_accounts = kMaxSpokeAccounts;
  options_.max_requests = 3;  // 10 accounts in pages of 2 take 5
  const std::size_t before = org_.calls().size();
  r = List();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "Organizations ListAccounts: more than 3 requests to list the accounts; stopping");
  EXPECT_EQ(org_.calls().size() - before, 3u);
}

}  // namespace
}  // namespace hubspoke
