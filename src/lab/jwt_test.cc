#include "lab/jwt.h"

#include <gtest/gtest.h>

#include "core/base64.h"

namespace hubspoke::lab {
namespace {

TEST(LabJwt, DecodesClaimsWithoutVerifyingTheSignature) {
  std::string token = Base64UrlEncode(R"({"alg":"none"})") + "." +
                      Base64UrlEncode(R"({"iss":"https://x.example","sub":"s","aud":["a","b"],"exp":5})") +
                      ".sig";
  auto claims = DecodeJwtClaims(token);
  ASSERT_TRUE(claims) << claims.error().message();
  EXPECT_EQ(claims->iss, "https://x.example");
  EXPECT_EQ(claims->sub, "s");
  EXPECT_EQ(claims->aud, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(claims->exp, 5);
  EXPECT_FALSE(DecodeJwtClaims("not-a-jwt"));
  EXPECT_FALSE(DecodeJwtClaims("a.%%%.c"));
}

// Found by fuzz/jwt_fuzz.cc: a number too large for a double threw out_of_range, not
// parse_error, which nothing caught: one AssumeRoleWithWebIdentity call ended the lab.
TEST(LabJwt, AHugeNumberIsAnErrorNotACrash) {
  std::string token = Base64UrlEncode(R"({"alg":"none"})") + "." +
                      Base64UrlEncode(R"({"sub":"s","exp":1E800})") + ".sig";
  auto claims = DecodeJwtClaims(token);
  ASSERT_FALSE(claims);
  EXPECT_NE(claims.error().message().find("not JSON"), std::string::npos);
}

// Found by fuzz/jwt_fuzz.cc: an exp outside int64 was converted anyway (undefined behaviour).
TEST(LabJwt, AnExpOutsideInt64IsAnError) {
  for (const char* exp : {"2e20", "-2e20", "18446744073709551615"}) {
    std::string token = Base64UrlEncode(R"({"alg":"none"})") + "." +
                        Base64UrlEncode(std::string(R"({"exp":)") + exp + "}") + ".sig";
    auto claims = DecodeJwtClaims(token);
    ASSERT_FALSE(claims) << exp;
    EXPECT_NE(claims.error().message().find("out of range"), std::string::npos);
  }
  std::string fraction = Base64UrlEncode(R"({"alg":"none"})") + "." +
                         Base64UrlEncode(R"({"exp":1900000000.5})") + ".sig";
  EXPECT_EQ(DecodeJwtClaims(fraction)->exp, 1900000000);
}

}  // namespace
}  // namespace hubspoke::lab
