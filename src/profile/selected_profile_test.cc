#include <gtest/gtest.h>

#include "hubspoke/profile.h"

namespace hubspoke {
namespace {

std::string Selected(std::vector<std::pair<std::string, std::string>> vars,
                     const std::string& explicit_name = "") {
  return SelectedProfileName(*MakeMapEnvironment(std::move(vars)), explicit_name);
}

TEST(ProfileSelectedName, ExplicitThenAwsProfileThenAwsDefaultProfileThenDefault) {
  EXPECT_EQ(Selected({{"AWS_PROFILE", "p"}, {"AWS_DEFAULT_PROFILE", "d"}}, "flag"), "flag");
  EXPECT_EQ(Selected({{"AWS_PROFILE", "p"}, {"AWS_DEFAULT_PROFILE", "d"}}), "p");
  EXPECT_EQ(Selected({{"AWS_DEFAULT_PROFILE", "d"}}), "d");
  EXPECT_EQ(Selected({}), "default");
}

TEST(ProfileSelectedName, EmptyValuesCountAsUnset) {
  EXPECT_EQ(Selected({{"AWS_PROFILE", ""}, {"AWS_DEFAULT_PROFILE", "d"}}), "d");
  EXPECT_EQ(Selected({{"AWS_PROFILE", ""}, {"AWS_DEFAULT_PROFILE", ""}}), "default");
  EXPECT_EQ(Selected({{"AWS_PROFILE", "p"}}, ""), "p");
}

}  // namespace
}  // namespace hubspoke
