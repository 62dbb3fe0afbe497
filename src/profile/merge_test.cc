#include <gtest/gtest.h>

#include "hubspoke/profile.h"
#include "profile/profile_json.h"

namespace hubspoke {
namespace {

ProfileSet Parse(std::string_view text, ProfileFileKind kind, std::string_view path) {
  auto set = ParseProfileFile(text, kind, path);
  EXPECT_TRUE(set.has_value()) << set.error().message();
  return set ? *set : ProfileSet{};
}

TEST(ProfileMerge, CredentialsWinPropertyByProperty) {
  ProfileSet config = Parse(
      "[default]\nregion = us-east-1\naws_access_key_id = FROMCONFIG\n"
      "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Dev\n"
      "s3 =\n  a = 1\n  b = 2\n"
      "[sso-session corp]\nsso_region = eu-west-1\n",
      ProfileFileKind::kConfig, "/c/config");
  ProfileSet credentials = Parse(
      "[default]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s\n"
      "[dev]\ns3 =\n  a = 9\n[only-creds]\nx = 1\n",
      ProfileFileKind::kCredentials, "/c/credentials");
  ProfileSet merged = MergeProfileSets(config, credentials);
  const ProfileSection* d = merged.FindProfile("default");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->Get("region"), "us-east-1");
  EXPECT_EQ(d->Get("aws_access_key_id"), "FROMCREDS");
  EXPECT_EQ(d->Get("aws_secret_access_key"), "s");
  // A property is replaced whole: the config file's s3.b does not survive.
  const ProfileSection* dev = merged.FindProfile("dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->Get("role_arn"), "arn:aws:iam::123456789012:role/Dev");
  EXPECT_EQ(dev->GetSub("s3", "a"), "9");
  EXPECT_EQ(dev->GetSub("s3", "b"), std::nullopt);
  ASSERT_NE(merged.FindProfile("only-creds"), nullptr);
  EXPECT_EQ(merged.FindProfile("only-creds")->name, "only-creds");
  EXPECT_NE(merged.FindSsoSession("corp"), nullptr);
  EXPECT_EQ(merged.config_path, "/c/config");
  EXPECT_EQ(merged.credentials_path, "/c/credentials");
}

TEST(ProfileMerge, EmptySidesAreIdentity) {
  ProfileSet config = Parse("[profile a]\nx = 1\n", ProfileFileKind::kConfig, "/c");
  EXPECT_EQ(ProfileSetToJson(MergeProfileSets(config, ProfileSet{})), ProfileSetToJson(config));
  EXPECT_EQ(ProfileSetToJson(MergeProfileSets(ProfileSet{}, config)), ProfileSetToJson(config));
}

}  // namespace
}  // namespace hubspoke
