#include "hubspoke/console.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/percent_encoding.h"

namespace hubspoke {
namespace {

// Answers every request with `answer` and keeps the requests.
class ScriptedTransport final : public HttpTransport {
 public:
  explicit ScriptedTransport(std::function<Result<HttpResponse>(const HttpRequest&)> answer)
      : answer_(std::move(answer)) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    requests.push_back(request);
    return answer_(request);
  }
  std::vector<HttpRequest> requests;

 private:
  std::function<Result<HttpResponse>(const HttpRequest&)> answer_;
};

Credentials Session() {
  Credentials c;
  c.access_key_id = "ASIAEXAMPLEEXAMPLE01";
  c.secret_access_key = SecretString(std::string("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
  c.session_token = SecretString(std::string("IQoJb3JpZ2luX2VjEXAMPLE+token/=="));
  return c;
}

// The query parameters of `url` (after '?'), decoded.
FormParams QueryOf(std::string_view url) {
  auto q = url.find('?');
  EXPECT_NE(q, std::string_view::npos);
  auto params = FormDecode(url.substr(q + 1));
  EXPECT_TRUE(params.has_value());
  return params ? *params : FormParams{};
}

std::string Param(const FormParams& params, std::string_view key) {
  for (const auto& [k, v] : params)
    if (k == key) return v;
  return "<absent>";
}

HttpResponse Ok(std::string body) { return HttpResponse{.status = 200, .headers = {}, .body = std::move(body)}; }

TEST(ConsoleSignin, AsksForASigninTokenAndBuildsTheLoginUrl) {
  ScriptedTransport http([](const HttpRequest&) { return Ok(R"({"SigninToken":"tok+en/1="})"); });
  ConsoleOptions options{.region = "eu-west-1"};
  auto url = ConsoleSigninUrl(Session(), options, http);
  ASSERT_TRUE(url.has_value()) << url.error().message();

  ASSERT_EQ(http.requests.size(), 1u);
  const HttpRequest& sent = http.requests[0];
  EXPECT_EQ(sent.method, "GET");
  EXPECT_EQ(sent.url.rfind("https://signin.aws.amazon.com/federation?", 0), 0u) << sent.url;
  FormParams query = QueryOf(sent.url);
  EXPECT_EQ(Param(query, "Action"), "getSigninToken");
  // Never SessionDuration: the spoke session is role-chained, and AWS refuses it for those.
  EXPECT_EQ(Param(query, "SessionDuration"), "<absent>");
  auto session = nlohmann::json::parse(Param(query, "Session"));
  EXPECT_EQ(session["sessionId"], "ASIAEXAMPLEEXAMPLE01");
  EXPECT_EQ(session["sessionKey"], "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  EXPECT_EQ(session["sessionToken"], "IQoJb3JpZ2luX2VjEXAMPLE+token/==");
  EXPECT_EQ(session.size(), 3u);

  const std::string login(url->reveal());
  EXPECT_EQ(login.rfind("https://signin.aws.amazon.com/federation?", 0), 0u) << login;
  FormParams params = QueryOf(login);
  EXPECT_EQ(Param(params, "Action"), "login");
  EXPECT_EQ(Param(params, "Issuer"), "assume-spoke-role");
  EXPECT_EQ(Param(params, "Destination"), "https://console.aws.amazon.com/?region=eu-west-1");
  EXPECT_EQ(Param(params, "SigninToken"), "tok+en/1=");
  // '+' in the token must be percent-encoded, or the endpoint reads a space.
  EXPECT_EQ(login.find('+'), std::string::npos);
}

TEST(ConsoleSignin, PartitionPicksTheHostsAndAnExplicitPartitionWins) {
  ScriptedTransport http([](const HttpRequest&) { return Ok(R"({"SigninToken":"t"})"); });
  auto gov = ConsoleSigninUrl(Session(), {.region = "us-gov-west-1"}, http);
  ASSERT_TRUE(gov.has_value());
  EXPECT_EQ(http.requests.back().url.rfind("https://signin.amazonaws-us-gov.com/federation?", 0), 0u);
  EXPECT_EQ(Param(QueryOf(gov->reveal()), "Destination"),
            "https://console.amazonaws-us-gov.com/?region=us-gov-west-1");
  auto cn = ConsoleSigninUrl(Session(), {.partition = "aws-cn"}, http);
  ASSERT_TRUE(cn.has_value());
  EXPECT_EQ(http.requests.back().url.rfind("https://signin.amazonaws.cn/federation?", 0), 0u);
  EXPECT_EQ(Param(QueryOf(cn->reveal()), "Destination"), "https://console.amazonaws.cn/");
  auto iso = ResolveConsoleEndpoints({.region = "us-iso-east-1"});
  ASSERT_FALSE(iso.has_value());
  EXPECT_EQ(iso.error().code(), ErrorCode::kInvalidArgument);
}

TEST(ConsoleSignin, OverridesAreCheckedBeforeAnyRequest) {
  ScriptedTransport http([](const HttpRequest&) { return Ok(R"({"SigninToken":"t"})"); });
  for (const char* bad : {"http://example.com/federation", "ftp://x/", "https://h/f?x=1",
                          "https://user:pw@h/f", "not a url"}) {
    ConsoleOptions o{.federation_url = bad};
    auto r = ConsoleSigninUrl(Session(), o, http);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
  for (const char* bad : {"http://console.example.com/", "javascript:alert(1)", ""}) {
    ConsoleOptions o{.destination = bad};
    if (std::string(bad).empty()) continue;  // empty means the default
    auto r = ConsoleSigninUrl(Session(), o, http);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(http.requests.empty());
  // Plain http to this machine is allowed, for tests and the lab.
  auto lab = ResolveConsoleEndpoints({.destination = "http://127.0.0.1:8080/landing?x=1",
                                      .federation_url = "http://[::1]:9000/federation"});
  ASSERT_TRUE(lab.has_value()) << lab.error().message();
  EXPECT_EQ(lab->destination, "http://127.0.0.1:8080/landing?x=1");
  EXPECT_EQ(lab->federation_url, "http://[::1]:9000/federation");
}

TEST(ConsoleSignin, RefusalsAndBadAnswersNameNoSecret) {
  struct Case {
    HttpResponse response;
    ErrorCode code;
  };
  for (const Case& c : {Case{{.status = 400, .headers = {}, .body = "<html>bad</html>"}, ErrorCode::kAccessDenied},
                        Case{{.status = 500, .headers = {}, .body = ""}, ErrorCode::kRemote},
                        Case{Ok("{}"), ErrorCode::kParse}, Case{Ok("not json"), ErrorCode::kParse},
                        Case{Ok(R"({"SigninToken":7})"), ErrorCode::kParse}}) {
    ScriptedTransport http([&](const HttpRequest&) { return c.response; });
    auto r = ConsoleSigninUrl(Session(), {}, http);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), c.code) << r.error().message();
    const std::string text = r.error().ToString();
    EXPECT_EQ(text.find("wJalrXUtnFEMI"), std::string::npos) << text;
    EXPECT_EQ(text.find("IQoJb3JpZ2lu"), std::string::npos) << text;
  }
  ScriptedTransport down([](const HttpRequest&) -> Result<HttpResponse> {
    return Error(ErrorCode::kNetwork, "connection refused");
  });
  auto r = ConsoleSigninUrl(Session(), {}, down);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kNetwork);
  EXPECT_NE(r.error().message().find("https://signin.aws.amazon.com"), std::string::npos);
  EXPECT_EQ(r.error().message().find("Session"), std::string::npos);
}

TEST(ConsoleSignin, LongTermKeysAreRefusedWithoutARequest) {
  ScriptedTransport http([](const HttpRequest&) { return Ok(R"({"SigninToken":"t"})"); });
  Credentials keys = Session();
  keys.session_token = SecretString();
  auto r = ConsoleSigninUrl(keys, {}, http);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(http.requests.empty());
}

TEST(ConsoleSignin, LoopbackHosts) {
  for (const char* yes : {"localhost", "127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"})
    EXPECT_TRUE(IsLoopbackHost(yes)) << yes;
  for (const char* no : {"example.com", "128.0.0.1", "10.0.0.1", "::2", "localhost.evil", "",
                         "169.254.169.254"})
    EXPECT_FALSE(IsLoopbackHost(no)) << no;
}

}  // namespace
}  // namespace hubspoke
