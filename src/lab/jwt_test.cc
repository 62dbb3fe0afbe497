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

}  // namespace
}  // namespace hubspoke::lab
