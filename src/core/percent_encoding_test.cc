#include "core/percent_encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace hubspoke {
namespace {

TEST(UriEncode, KeepsOnlyUnreserved) {
  const std::string unreserved =
      "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(UriEncode(unreserved, true), unreserved);
  EXPECT_EQ(UriEncode(" !\"#$%&'()*+,:;<=>?@[\\]^`{|}", true),
            "%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E%60%7B%7C%7D");
}

TEST(UriEncode, SlashDependsOnFlag) {
  EXPECT_EQ(UriEncode("/a b/c", false), "/a%20b/c");
  EXPECT_EQ(UriEncode("/a b/c", true), "%2Fa%20b%2Fc");
}

TEST(UriEncode, Utf8ByteWiseUpperCaseHex) {
  EXPECT_EQ(UriEncode("\xe1\x88\xb4", true), "%E1%88%B4");
  EXPECT_EQ(UriEncode(std::string("\x00\x7f\xff", 3), true), "%00%7F%FF");
}

TEST(UriDecode, ReversesUriEncode) {
  const std::string all = [] {
    std::string s;
    for (int c = 0; c < 256; ++c) s.push_back(static_cast<char>(c));
    return s;
  }();
  auto decoded = UriDecode(UriEncode(all, true));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, all);
}

TEST(UriDecode, AcceptsEitherHexCaseAndRawBytes) {
  auto lower = UriDecode("%e1%88%b4");
  ASSERT_TRUE(lower.has_value());
  EXPECT_EQ(*lower, "\xe1\x88\xb4");
  auto raw = UriDecode("a b\xe1\x88\xb4/~");
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(*raw, "a b\xe1\x88\xb4/~");
}

TEST(UriDecode, PlusIsNotASpace) {
  auto decoded = UriDecode("a+b%2B");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, "a+b+");
}

TEST(UriDecode, BadEscapesAreErrors) {
  for (const char* bad : {"%", "%2", "%zz", "a%2", "%G1", "%1G", "abc%"}) {
    auto decoded = UriDecode(bad);
    ASSERT_FALSE(decoded.has_value()) << bad;
    EXPECT_EQ(decoded.error().code(), ErrorCode::kParse) << bad;
  }
}

TEST(FormEncode, StsAssumeRoleBody) {
  EXPECT_EQ(FormEncode({{"Action", "AssumeRole"},
                        {"Version", "2011-06-15"},
                        {"RoleArn", "arn:aws:iam::999999999999:role/automation-hub-role"},
                        {"RoleSessionName", "me@example.com"}}),
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A999999999999%3Arole"
            "%2Fautomation-hub-role&RoleSessionName=me%40example.com");
}

TEST(FormEncode, EncodesSpacePlusAndEmpty) {
  EXPECT_EQ(FormEncode({}), "");
  EXPECT_EQ(FormEncode({{"a b", "c+d"}, {"e", ""}}), "a%20b=c%2Bd&e=");
}

TEST(FormDecode, RoundTripKeepsOrderAndDuplicates) {
  const FormParams params = {{"b", "2"}, {"a", "x/y z+\xe1\x88\xb4"}, {"b", "1"}, {"", ""}};
  auto decoded = FormDecode(FormEncode(params));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, params);
}

TEST(FormDecode, PlusIsASpaceAndMissingEqualsIsEmptyValue) {
  auto decoded = FormDecode("a=b+c&flag&d=%2B&&e==x");
  ASSERT_TRUE(decoded.has_value());
  const FormParams expected = {{"a", "b c"}, {"flag", ""}, {"d", "+"}, {"e", "=x"}};
  EXPECT_EQ(*decoded, expected);
}

TEST(FormDecode, EmptyBodyHasNoParams) {
  auto decoded = FormDecode("");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(decoded->empty());
}

TEST(FormDecode, BadEscapeIsAnErrorNamingThePart) {
  auto bad_value = FormDecode("Action=AssumeRole&RoleArn=arn%3");
  ASSERT_FALSE(bad_value.has_value());
  EXPECT_EQ(bad_value.error().code(), ErrorCode::kParse);
  EXPECT_NE(bad_value.error().message().find("RoleArn"), std::string::npos);
  auto bad_key = FormDecode("%zz=1");
  ASSERT_FALSE(bad_key.has_value());
  EXPECT_EQ(bad_key.error().code(), ErrorCode::kParse);
}

}  // namespace
}  // namespace hubspoke
