#include "hubspoke/sigv4.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/hex.h"
#include "core/time.h"
#include "crypto/sha256.h"

namespace hubspoke::sigv4 {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// The aws-c-auth SigV4 suite, read at test time from $HUBSPOKE_TESTDATA/sigv4/v4 (falling back to
// the HUBSPOKE_TESTDATA_DIR the build was configured with). Layout: shared/testdata/README.md.

constexpr std::size_t kSuiteCaseCount = 38;

fs::path SuiteDir() {
  const char* env = std::getenv("HUBSPOKE_TESTDATA");
  fs::path root =
      (env != nullptr && *env != '\0') ? fs::path(env) : fs::path(HUBSPOKE_TESTDATA_DIR);
  return root / "sigv4" / "v4";
}

// Case folder names, sorted; empty when the suite is missing (SigV4Suite.HasAllCases then fails).
std::vector<std::string> ListCases() {
  std::vector<std::string> cases;
  std::error_code ec;
  if (!fs::is_directory(SuiteDir(), ec)) return cases;
  for (const auto& entry : fs::directory_iterator(SuiteDir(), ec)) {
    if (entry.is_directory()) cases.push_back(entry.path().filename().string());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    std::erase(line, '\r');
    lines.push_back(line);
  }
  if (!text.empty() && text.back() == '\n') lines.emplace_back();
  return lines;
}

// A raw HTTP request as the suite writes it: "METHOD target HTTP/1.1" (the target may contain a
// space), header lines "Name:value" where a line starting with whitespace continues the previous
// header, a blank line, then the body.
SignableRequest ParseRawRequest(const std::string& text) {
  std::vector<std::string> lines = Lines(text);
  SignableRequest request;
  if (lines.empty()) {
    ADD_FAILURE() << "empty request";
    return request;
  }
  const std::string& first = lines[0];
  std::size_t method_end = first.find(' ');
  std::size_t version = first.rfind(" HTTP/");
  if (method_end == std::string::npos || version == std::string::npos || version < method_end) {
    ADD_FAILURE() << "bad request line: " << first;
    return request;
  }
  request.method = first.substr(0, method_end);
  std::string target = first.substr(method_end + 1, version - method_end - 1);
  std::size_t question = target.find('?');
  request.path = target.substr(0, question);
  request.query = question == std::string::npos ? "" : target.substr(question + 1);

  std::size_t i = 1;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    const std::string& line = lines[i];
    if (line[0] == ' ' || line[0] == '\t') {
      // RFC 7230 obs-fold: the continuation joins the previous value with a space.
      if (request.headers.empty()) {
        ADD_FAILURE() << "continuation line before any header";
        continue;
      }
      request.headers.back().value += " " + line;
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) {
      ADD_FAILURE() << "bad header line: " << line;
      continue;
    }
    request.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
  }
  for (std::size_t j = i + 1; j < lines.size(); ++j) {
    if (j > i + 1) request.body += "\n";
    request.body += lines[j];
  }
  return request;
}

std::string Collapse(std::string_view value) {
  std::string out;
  for (char c : value) {
    if ((c == ' ' || c == '\t') && (out.empty() || out.back() == ' ')) continue;
    out.push_back(c == '\t' ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// (lower-case name, collapsed value) pairs, sorted: header order is not normative.
std::vector<std::pair<std::string, std::string>> HeaderSet(const std::vector<HttpHeader>& hs) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const HttpHeader& h : hs) {
    std::string name = h.name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.emplace_back(name, Collapse(h.value));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Query pieces, sorted: parameter order on the wire is not normative.
std::vector<std::string> QuerySet(const std::string& query) {
  std::vector<std::string> out;
  std::istringstream in(query);
  std::string piece;
  while (std::getline(in, piece, '&')) out.push_back(piece);
  std::sort(out.begin(), out.end());
  return out;
}

struct SuiteCase {
  SignableRequest request;
  Credentials credentials;
  SigningParams params;
};

SuiteCase LoadCase(const fs::path& dir) {
  SuiteCase c;
  c.request = ParseRawRequest(ReadFile(dir / "request.txt"));
  nlohmann::json context = nlohmann::json::parse(ReadFile(dir / "context.json"));
  const auto& creds = context.at("credentials");
  c.credentials.access_key_id = creds.at("access_key_id").get<std::string>();
  c.credentials.secret_access_key = SecretString(creds.at("secret_access_key").get<std::string>());
  if (creds.contains("token")) {
    c.credentials.session_token = SecretString(creds.at("token").get<std::string>());
  }
  auto time = ParseTimestamp(context.at("timestamp").get<std::string>());
  EXPECT_TRUE(time.has_value());
  c.params.region = context.at("region").get<std::string>();
  c.params.service = context.at("service").get<std::string>();
  c.params.time = time ? *time : TimePoint();
  c.params.normalize_path = context.value("normalize", true);
  c.params.double_encode_path = true;  // README: on for the whole suite
  c.params.sign_body = context.value("sign_body", false);
  c.params.omit_session_token = context.value("omit_session_token", false);
  c.params.expires_in = std::chrono::seconds(context.value("expiration_in_seconds", 3600));
  return c;
}

TEST(SigV4Suite, HasAllCases) {
  ASSERT_TRUE(fs::is_directory(SuiteDir()))
      << "SigV4 suite missing at " << SuiteDir()
      << " (set HUBSPOKE_TESTDATA or the HUBSPOKE_TESTDATA_DIR cache variable)";
  EXPECT_EQ(ListCases().size(), kSuiteCaseCount);
}

class SigV4SuiteTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4SuiteTest, HeaderAndQueryVariants) {
  const fs::path dir = SuiteDir() / GetParam();
  for (Placement placement : {Placement::kHeaders, Placement::kQuery}) {
    const std::string prefix = placement == Placement::kHeaders ? "header-" : "query-";
    SCOPED_TRACE(prefix + "variant");
    SuiteCase c = LoadCase(dir);
    c.params.placement = placement;
    SignableRequest request = c.request;
    auto artifacts = Sign(request, c.credentials, c.params);
    ASSERT_TRUE(artifacts.has_value()) << artifacts.error().ToString();
    EXPECT_EQ(artifacts->canonical_request, ReadFile(dir / (prefix + "canonical-request.txt")));
    EXPECT_EQ(artifacts->string_to_sign, ReadFile(dir / (prefix + "string-to-sign.txt")));
    EXPECT_EQ(artifacts->signature, ReadFile(dir / (prefix + "signature.txt")));

    // The signed request itself: same headers (order aside) and, presigned, same parameters.
    SignableRequest expected = ParseRawRequest(ReadFile(dir / (prefix + "signed-request.txt")));
    EXPECT_EQ(request.method, expected.method);
    EXPECT_EQ(request.path, expected.path);
    EXPECT_EQ(QuerySet(request.query), QuerySet(expected.query));
    EXPECT_EQ(HeaderSet(request.headers), HeaderSet(expected.headers));
    EXPECT_EQ(request.body, expected.body);

    // What Sign produced verifies with the server-side entry point, unchanged. (Not a presigned
    // URL with an unsigned token: recomputing from that query signs the token too, by design.)
    if (placement == Placement::kQuery && c.params.omit_session_token &&
        !c.credentials.session_token.empty()) {
      continue;
    }
    SigningParams verify = c.params;
    if (placement == Placement::kHeaders) {
      const std::string* authorization = FindHeader(request.headers, "Authorization");
      ASSERT_NE(authorization, nullptr);
      auto parsed = ParseAuthorization(*authorization);
      ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
      EXPECT_EQ(parsed->signature, artifacts->signature);
      verify.signed_headers = parsed->signed_headers;
    }
    auto recomputed = ComputeSignature(request, c.credentials, verify);
    ASSERT_TRUE(recomputed.has_value()) << recomputed.error().ToString();
    EXPECT_EQ(recomputed->signature, artifacts->signature);
  }
}

std::string ParamName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(AwsCAuth, SigV4SuiteTest, ::testing::ValuesIn(ListCases()), ParamName);
// Keeps gtest quiet if the suite is missing; SigV4Suite.HasAllCases reports that as a failure.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SigV4SuiteTest);

// ---------------------------------------------------------------------------------------------
// Our own cases.

constexpr char kAccessKey[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kToken[] = "IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes==";
constexpr char kStsBody[] =
    "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A999999999999%3Arole%2F"
    "automation-hub-role&RoleSessionName=me%40example.com";

TimePoint FixedTime() {
  auto t = ParseTimestamp("2026-01-02T03:04:05Z");
  EXPECT_TRUE(t.has_value());
  return t ? *t : TimePoint();
}

Credentials MakeCredentials(std::string token = "") {
  return Credentials{.access_key_id = kAccessKey,
                     .secret_access_key = SecretString(kSecret),
                     .session_token = SecretString(std::move(token)),
                     .expiration = std::nullopt};
}

SignableRequest StsAssumeRoleRequest() {
  return SignableRequest{
      .method = "POST",
      .path = "/",
      .query = "",
      .headers = {{"Host", "sts.us-east-1.amazonaws.com"},
                  {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
      .body = kStsBody};
}

SigningParams StsParams() {
  return SigningParams{.region = "us-east-1", .service = "sts", .time = FixedTime()};
}

std::string_view AsView(const crypto::Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// The SigV4 key derivation and signature written out step by step, independently of sigv4.cc.
std::string IndependentSignature(std::string_view string_to_sign) {
  crypto::Digest k_date = crypto::HmacSha256(std::string("AWS4") + kSecret, "20260102");
  crypto::Digest k_region = crypto::HmacSha256(AsView(k_date), "us-east-1");
  crypto::Digest k_service = crypto::HmacSha256(AsView(k_region), "sts");
  crypto::Digest k_signing = crypto::HmacSha256(AsView(k_service), "aws4_request");
  return HexEncode(crypto::HmacSha256(AsView(k_signing), string_to_sign));
}

TEST(SignStsAssumeRole, CanonicalRequestAndSignatureWithoutToken) {
  SignableRequest request = StsAssumeRoleRequest();
  auto artifacts = Sign(request, MakeCredentials(), StsParams());
  ASSERT_TRUE(artifacts.has_value()) << artifacts.error().ToString();
  // sha256(kStsBody) = 10b4bed3…7f52 (computed with Python's hashlib).
  EXPECT_EQ(artifacts->canonical_request,
            "POST\n"
            "/\n"
            "\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:sts.us-east-1.amazonaws.com\n"
            "x-amz-date:20260102T030405Z\n"
            "\n"
            "content-type;host;x-amz-date\n"
            "10b4bed3badafbb65e92c3de83ae00b49e46e44f3c72ff59089f50563b7e7f52");
  EXPECT_EQ(artifacts->credential_scope, "20260102/us-east-1/sts/aws4_request");
  EXPECT_EQ(artifacts->string_to_sign,
            "AWS4-HMAC-SHA256\n20260102T030405Z\n20260102/us-east-1/sts/aws4_request\n" +
                HexEncode(crypto::Sha256(artifacts->canonical_request)));
  EXPECT_EQ(artifacts->signature, IndependentSignature(artifacts->string_to_sign));
  // Produced by botocore 1.43.11's botocore.auth.SigV4Auth for the same request and time.
  EXPECT_EQ(artifacts->signature,
            "677abca3088371f4a98ca325f485f69f23a5784f35ef8bccdb87a8fe6a0e4d65");

  const std::string* authorization = FindHeader(request.headers, "Authorization");
  ASSERT_NE(authorization, nullptr);
  EXPECT_EQ(*authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-east-1/sts/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=677abca3088371f4a98ca325f485f69f23a5784f35ef8bccdb87a8fe6a0e4d65");
  ASSERT_NE(FindHeader(request.headers, "X-Amz-Date"), nullptr);
  EXPECT_EQ(*FindHeader(request.headers, "X-Amz-Date"), "20260102T030405Z");
  EXPECT_EQ(FindHeader(request.headers, "X-Amz-Security-Token"), nullptr);
  EXPECT_EQ(request.body, kStsBody);
}

TEST(SignStsAssumeRole, SessionTokenIsSigned) {
  SignableRequest request = StsAssumeRoleRequest();
  auto artifacts = Sign(request, MakeCredentials(kToken), StsParams());
  ASSERT_TRUE(artifacts.has_value()) << artifacts.error().ToString();
  EXPECT_EQ(artifacts->canonical_request,
            "POST\n"
            "/\n"
            "\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:sts.us-east-1.amazonaws.com\n"
            "x-amz-date:20260102T030405Z\n"
            "x-amz-security-token:IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes==\n"
            "\n"
            "content-type;host;x-amz-date;x-amz-security-token\n"
            "10b4bed3badafbb65e92c3de83ae00b49e46e44f3c72ff59089f50563b7e7f52");
  EXPECT_EQ(artifacts->signature, IndependentSignature(artifacts->string_to_sign));
  // Produced by botocore 1.43.11's botocore.auth.SigV4Auth for the same request, token and time.
  EXPECT_EQ(artifacts->signature,
            "eca1812ff795678a00be608cb0ef712fc4ccfdf68b30b32e929f59cf5861d973");
  const std::string* token = FindHeader(request.headers, "X-Amz-Security-Token");
  ASSERT_NE(token, nullptr);
  EXPECT_EQ(*token, kToken);
}

TEST(SignStsAssumeRole, OmittedSessionTokenIsAddedUnsigned) {
  SignableRequest request = StsAssumeRoleRequest();
  SigningParams params = StsParams();
  params.omit_session_token = true;
  auto artifacts = Sign(request, MakeCredentials(kToken), params);
  ASSERT_TRUE(artifacts.has_value()) << artifacts.error().ToString();
  EXPECT_EQ(artifacts->signed_headers, "content-type;host;x-amz-date");
  EXPECT_EQ(artifacts->signature,
            "677abca3088371f4a98ca325f485f69f23a5784f35ef8bccdb87a8fe6a0e4d65");
  const std::string* token = FindHeader(request.headers, "X-Amz-Security-Token");
  ASSERT_NE(token, nullptr);
  EXPECT_EQ(*token, kToken);
}

// Security: the secret may only ever feed the key derivation.
TEST(SignSecurity, SecretNeverAppearsInArtifactsOrRequest) {
  for (Placement placement : {Placement::kHeaders, Placement::kQuery}) {
    for (bool omit : {false, true}) {
      SignableRequest request = StsAssumeRoleRequest();
      SigningParams params = StsParams();
      params.placement = placement;
      params.omit_session_token = omit;
      params.sign_body = true;
      auto artifacts = Sign(request, MakeCredentials(kToken), params);
      ASSERT_TRUE(artifacts.has_value()) << artifacts.error().ToString();
      std::vector<std::string> haystacks = {artifacts->canonical_request,
                                            artifacts->string_to_sign,
                                            artifacts->signature,
                                            artifacts->signed_headers,
                                            artifacts->credential_scope,
                                            request.method,
                                            request.path,
                                            request.query,
                                            request.body};
      for (const HttpHeader& h : request.headers) haystacks.push_back(h.name + ":" + h.value);
      for (const std::string& hay : haystacks) {
        EXPECT_EQ(hay.find(kSecret), std::string::npos) << hay;
        EXPECT_EQ(hay.find("wJalrXUtnFEMI"), std::string::npos) << hay;
        EXPECT_EQ(hay.find("wJalrXUtnFEMI%2FK7MDENG"), std::string::npos) << hay;
      }
    }
  }
}

TEST(SignSecurity, HeaderLineBreaksAreRejectedAndRequestUntouched) {
  SignableRequest request = StsAssumeRoleRequest();
  request.headers.push_back({"X-Custom", "a\r\nX-Injected: b"});
  const SignableRequest before = request;
  auto artifacts = Sign(request, MakeCredentials(), StsParams());
  ASSERT_FALSE(artifacts.has_value());
  EXPECT_EQ(artifacts.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(request.headers.size(), before.headers.size());
  EXPECT_EQ(FindHeader(request.headers, "Authorization"), nullptr);
}

TEST(SignErrors, InvalidInputsAreInvalidArgument) {
  struct Case {
    const char* name;
    SignableRequest request;
    Credentials credentials;
    SigningParams params;
  };
  SignableRequest no_host = StsAssumeRoleRequest();
  no_host.headers.erase(no_host.headers.begin());
  SignableRequest bad_query = StsAssumeRoleRequest();
  bad_query.query = "a=%zz";
  SignableRequest relative = StsAssumeRoleRequest();
  relative.path = "relative";
  SignableRequest no_method = StsAssumeRoleRequest();
  no_method.method = "";
  Credentials no_secret = MakeCredentials();
  no_secret.secret_access_key = SecretString();
  Credentials no_key = MakeCredentials();
  no_key.access_key_id = "";
  SigningParams no_region = StsParams();
  no_region.region = "";
  SigningParams slash_service = StsParams();
  slash_service.service = "sts/x";
  SigningParams too_long = StsParams();
  too_long.placement = Placement::kQuery;
  too_long.expires_in = std::chrono::seconds(7 * 24 * 3600 + 1);
  SigningParams zero_expiry = StsParams();
  zero_expiry.placement = Placement::kQuery;
  zero_expiry.expires_in = std::chrono::seconds(0);

  const std::vector<Case> cases = {
      {"no host", no_host, MakeCredentials(), StsParams()},
      {"bad query escape", bad_query, MakeCredentials(), StsParams()},
      {"relative path", relative, MakeCredentials(), StsParams()},
      {"no method", no_method, MakeCredentials(), StsParams()},
      {"no secret", StsAssumeRoleRequest(), no_secret, StsParams()},
      {"no access key", StsAssumeRoleRequest(), no_key, StsParams()},
      {"no region", StsAssumeRoleRequest(), MakeCredentials(), no_region},
      {"slash in service", StsAssumeRoleRequest(), MakeCredentials(), slash_service},
      {"expiry over 7 days", StsAssumeRoleRequest(), MakeCredentials(), too_long},
      {"zero expiry", StsAssumeRoleRequest(), MakeCredentials(), zero_expiry},
  };
  for (const Case& c : cases) {
    SignableRequest request = c.request;
    auto artifacts = Sign(request, c.credentials, c.params);
    ASSERT_FALSE(artifacts.has_value()) << c.name;
    EXPECT_EQ(artifacts.error().code(), ErrorCode::kInvalidArgument) << c.name;
    EXPECT_EQ(request.headers.size(), c.request.headers.size()) << c.name;
    EXPECT_EQ(request.query, c.request.query) << c.name;
  }
}

TEST(Sign, SigningTwiceReplacesThePreviousSignature) {
  for (Placement placement : {Placement::kHeaders, Placement::kQuery}) {
    SignableRequest request = StsAssumeRoleRequest();
    request.query = "Extra=1";
    SigningParams params = StsParams();
    params.placement = placement;
    auto first = Sign(request, MakeCredentials(kToken), params);
    ASSERT_TRUE(first.has_value());
    const SignableRequest once = request;
    auto second = Sign(request, MakeCredentials(kToken), params);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->canonical_request, first->canonical_request);
    EXPECT_EQ(second->signature, first->signature);
    EXPECT_EQ(HeaderSet(request.headers), HeaderSet(once.headers));
    EXPECT_EQ(QuerySet(request.query), QuerySet(once.query));
  }
}

TEST(Sign, QueryIsCanonicalizedByDecodingThenEncoding) {
  SigningParams params = StsParams();
  SignableRequest raw = StsAssumeRoleRequest();
  raw.query = "b=2&\xe1\x88\xb4=x y&a=%7e&&flag";
  SignableRequest encoded = StsAssumeRoleRequest();
  encoded.query = "flag=&a=~&%e1%88%b4=x%20y&b=2";
  auto raw_artifacts = Sign(raw, MakeCredentials(), params);
  auto encoded_artifacts = Sign(encoded, MakeCredentials(), params);
  ASSERT_TRUE(raw_artifacts.has_value()) << raw_artifacts.error().ToString();
  ASSERT_TRUE(encoded_artifacts.has_value()) << encoded_artifacts.error().ToString();
  EXPECT_EQ(raw_artifacts->canonical_request, encoded_artifacts->canonical_request);
  EXPECT_NE(raw_artifacts->canonical_request.find("\n%E1%88%B4=x%20y&a=~&b=2&flag=\n"),
            std::string::npos)
      << raw_artifacts->canonical_request;
}

TEST(Sign, UnsignedByDefaultHeadersAreLeftOut) {
  SignableRequest request = StsAssumeRoleRequest();
  request.headers.push_back({"User-Agent", "assume-spoke-role/0.1"});
  request.headers.push_back({"X-Amzn-Trace-Id", "Root=1-abc"});
  auto artifacts = Sign(request, MakeCredentials(), StsParams());
  ASSERT_TRUE(artifacts.has_value());
  EXPECT_EQ(artifacts->signed_headers, "content-type;host;x-amz-date");
  EXPECT_EQ(artifacts->signature,
            "677abca3088371f4a98ca325f485f69f23a5784f35ef8bccdb87a8fe6a0e4d65");
}

// The hop-by-hop headers a proxy drops or rewrites are not signed, as botocore does not sign them
// (found by tests/differential/test_sigv4_diff.py: we used to sign them, so a request through a
// proxy failed with SignatureDoesNotMatch and our signatures differed from botocore's).
TEST(Sign, HopByHopHeadersAreLeftOutAsBotocoreDoes) {
  for (const char* name : {"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
                           "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Expect"}) {
    SignableRequest request = StsAssumeRoleRequest();
    request.headers.push_back({name, "x"});
    auto artifacts = Sign(request, MakeCredentials(), StsParams());
    ASSERT_TRUE(artifacts.has_value()) << name;
    EXPECT_EQ(artifacts->signed_headers, "content-type;host;x-amz-date") << name;
    EXPECT_EQ(artifacts->signature,
              "677abca3088371f4a98ca325f485f69f23a5784f35ef8bccdb87a8fe6a0e4d65")
        << name;
  }
}

// Server side: a proxy adds a header after signing; the client's SignedHeaders still verify,
// and any change to a signed part does not.
TEST(ComputeSignature, VerifiesWithTheClientsSignedHeaders) {
  SignableRequest request = StsAssumeRoleRequest();
  auto signed_artifacts = Sign(request, MakeCredentials(kToken), StsParams());
  ASSERT_TRUE(signed_artifacts.has_value());
  request.headers.push_back({"X-Forwarded-For", "10.0.0.1"});

  auto auth = ParseAuthorization(*FindHeader(request.headers, "Authorization"));
  ASSERT_TRUE(auth.has_value()) << auth.error().ToString();
  EXPECT_EQ(auth->access_key_id, kAccessKey);
  EXPECT_EQ(auth->day, "20260102");
  EXPECT_EQ(auth->region, "us-east-1");
  EXPECT_EQ(auth->service, "sts");
  EXPECT_EQ(auth->signed_headers, (std::vector<std::string>{"content-type", "host", "x-amz-date",
                                                            "x-amz-security-token"}));
  SigningParams params = StsParams();
  params.signed_headers = auth->signed_headers;
  auto verified = ComputeSignature(request, MakeCredentials(), params);
  ASSERT_TRUE(verified.has_value()) << verified.error().ToString();
  EXPECT_TRUE(crypto::ConstantTimeEquals(verified->signature, auth->signature));

  SignableRequest tampered = request;
  tampered.body += "&DurationSeconds=43200";
  auto changed = ComputeSignature(tampered, MakeCredentials(), params);
  ASSERT_TRUE(changed.has_value());
  EXPECT_FALSE(crypto::ConstantTimeEquals(changed->signature, auth->signature));

  SignableRequest missing = request;
  std::erase_if(missing.headers, [](const HttpHeader& h) { return h.name == "Content-Type"; });
  auto error = ComputeSignature(missing, MakeCredentials(), params);
  ASSERT_FALSE(error.has_value());
  EXPECT_NE(error.error().message().find("content-type"), std::string::npos);
}

TEST(ComputeSignature, RequiresMatchingXAmzDate) {
  SignableRequest request = StsAssumeRoleRequest();
  auto missing = ComputeSignature(request, MakeCredentials(), StsParams());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kInvalidArgument);

  request.headers.push_back({"X-Amz-Date", "20260102T030406Z"});
  auto mismatch = ComputeSignature(request, MakeCredentials(), StsParams());
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_NE(mismatch.error().message().find("X-Amz-Date"), std::string::npos);
}

TEST(ComputeSignature, PresignedUrlVerifiesWithSignatureInQuery) {
  SignableRequest request = StsAssumeRoleRequest();
  request.method = "GET";
  request.body.clear();
  request.query = "Action=GetCallerIdentity&Version=2011-06-15";
  SigningParams params = StsParams();
  params.placement = Placement::kQuery;
  params.expires_in = std::chrono::seconds(900);
  auto artifacts = Sign(request, MakeCredentials(kToken), params);
  ASSERT_TRUE(artifacts.has_value()) << artifacts.error().ToString();
  EXPECT_NE(request.query.find("X-Amz-Expires=900"), std::string::npos);
  EXPECT_NE(request.query.find("X-Amz-Signature=" + artifacts->signature), std::string::npos);
  EXPECT_NE(request.query.find("X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2F%2Ftoken%2Bwith"),
            std::string::npos);
  EXPECT_EQ(FindHeader(request.headers, "Authorization"), nullptr);

  SigningParams server = StsParams();
  server.placement = Placement::kQuery;
  auto verified = ComputeSignature(request, MakeCredentials(), server);
  ASSERT_TRUE(verified.has_value()) << verified.error().ToString();
  EXPECT_EQ(verified->signature, artifacts->signature);
}

TEST(ParseAuthorization, AcceptsBotocoreFormat) {
  auto parsed = ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
      "SignedHeaders=host;x-amz-date, "
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(parsed->day, "20150830");
  EXPECT_EQ(parsed->region, "us-east-1");
  EXPECT_EQ(parsed->service, "service");
  EXPECT_EQ(parsed->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
  EXPECT_EQ(parsed->signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(ParseAuthorization, RejectsMalformedHeaders) {
  const std::string sig = "Signature=" + std::string(64, 'a');
  const std::string cred = "Credential=AKID/20150830/us-east-1/sts/aws4_request";
  for (const std::string& bad : std::vector<std::string>{
           "",
           "AWS4-HMAC-SHA256",
           "AWS4-HMAC-SHA1 " + cred + ", SignedHeaders=host, " + sig,
           "AWS4-HMAC-SHA256 " + cred + ", " + sig,
           "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host",
           "AWS4-HMAC-SHA256 SignedHeaders=host, " + sig,
           "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts, SignedHeaders=host, " + sig,
           "AWS4-HMAC-SHA256 Credential=AKID/2015083/us-east-1/sts/aws4_request, "
           "SignedHeaders=host, " +
               sig,
           "AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/sts/aws4_request, "
           "SignedHeaders=host, " +
               sig,
           "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=ABC",
           "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x, " + sig,
           "AWS4-HMAC-SHA256 " + cred + ", " + cred + ", SignedHeaders=host, " + sig,
           "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, " + sig + ", Extra=1",
       }) {
    auto parsed = ParseAuthorization(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(HexSha256, EmptyPayload) {
  EXPECT_EQ(HexSha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace hubspoke::sigv4
