#include <gtest/gtest.h>

#include "hubspoke/profile.h"
#include "profile/profile_json.h"

namespace hubspoke {
namespace {

TEST(ProfileJson, SuiteShapeWithoutServices) {
  EXPECT_EQ(ProfileSetToJson(ProfileSet{}), R"({"profiles":{},"ssoSessions":{}})");
  auto set = ParseProfileFile(
      "[profile b]\n[profile a]\nq = say \"hi\"\\\nml = x\n  y\ns3 =\n  k = v\n"
      "[sso-session s]\nsso_region = eu-west-1\n[services x]\nsts =\n  endpoint_url = http://h\n",
      ProfileFileKind::kConfig, "/c");
  ASSERT_TRUE(set.has_value()) << set.error().message();
  EXPECT_EQ(ProfileSetToJson(*set),
            R"({"profiles":{"a":{"ml":"x\ny","q":"say \"hi\"\\","s3":{"k":"v"}},"b":{}},)"
            R"("ssoSessions":{"s":{"sso_region":"eu-west-1"}}})");
}

TEST(ProfileJson, NonAsciiPassesThroughAndBadUtf8IsReplaced) {
  ProfileSet set;
  set.profiles["p"].properties["emoji"].value = "\xF0\x9F\x98\x82";
  set.profiles["p"].properties["bad"].value = "\xFF";
  std::string json = ProfileSetToJson(set);
  EXPECT_NE(json.find("\"emoji\":\"\xF0\x9F\x98\x82\""), std::string::npos) << json;
  EXPECT_EQ(json.find('\xFF'), std::string::npos) << json;
}

}  // namespace
}  // namespace hubspoke
