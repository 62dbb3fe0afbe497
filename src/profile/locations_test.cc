#include "profile/locations.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "testing/testdata.h"

namespace hubspoke {
namespace {

constexpr char kSuite[] = "profile/smithy-python/config-file-location-tests.json";
constexpr int kSuiteCases = 10;

// Every case runs, Windows ones included, through the platform-parameterised resolver. Unlike
// smithy-python's runner, the "ignored" values stay in the environment: they must lose to the
// variables that outrank them, which the test then proves.
TEST(ProfileLocationSuite, EveryCaseMatches) {
  std::string text = testing::ReadTestdata(kSuite);
  ASSERT_FALSE(text.empty()) << "the location suite is missing: " << testing::TestdataDir() << "/"
                             << kSuite << " (set HUBSPOKE_TESTDATA)";
  nlohmann::json suite = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(suite.is_discarded()) << kSuite << " is not valid JSON";
  ASSERT_TRUE(suite.contains("tests") && suite["tests"].is_array());
  int run = 0, passed = 0;
  for (const nlohmann::json& test : suite["tests"]) {
    ++run;
    std::string name = test.value("name", std::string("(unnamed)"));
    std::vector<std::pair<std::string, std::string>> vars;
    for (const auto& [key, value] : test.at("environment").items()) {
      vars.emplace_back(key, value.get<std::string>());
    }
    auto env = MakeMapEnvironment(std::move(vars));
    std::string platform = test.at("platform").get<std::string>();
    ASSERT_TRUE(platform == "linux" || platform == "windows") << name << ": " << platform;
    std::optional<std::string> language_home;
    if (test.contains("languageSpecificHome")) {
      language_home = test["languageSpecificHome"].get<std::string>();
    }
    auto locations = ResolveProfileFileLocationsFor(
        *env, platform == "windows" ? PathPlatform::kWindows : PathPlatform::kPosix, language_home);
    std::string profile = SelectedProfileName(*env, "");
    std::string want_config = test.at("configLocation").get<std::string>();
    std::string want_credentials = test.at("credentialsLocation").get<std::string>();
    std::string want_profile = test.at("profile").get<std::string>();
    if (!locations) {
      ADD_FAILURE() << "case #" << run << " \"" << name
                    << "\": unexpected error: " << locations.error().message();
    } else if (locations->config != want_config || locations->credentials != want_credentials ||
               profile != want_profile) {
      ADD_FAILURE() << "case #" << run << " \"" << name << "\": got config " << locations->config
                    << ", credentials " << locations->credentials << ", profile " << profile
                    << "; want " << want_config << ", " << want_credentials << ", " << want_profile;
    } else {
      ++passed;
    }
  }
  EXPECT_EQ(run, kSuiteCases);
  EXPECT_EQ(passed, run);
  RecordProperty("cases_passed", passed);
}

ProfileFileLocations Locate(std::vector<std::pair<std::string, std::string>> vars,
                            PathPlatform platform = PathPlatform::kPosix,
                            std::optional<std::string> language_home = std::nullopt) {
  auto env = MakeMapEnvironment(std::move(vars));
  auto locations = ResolveProfileFileLocationsFor(*env, platform, language_home);
  EXPECT_TRUE(locations.has_value()) << locations.error().message();
  return locations ? *locations : ProfileFileLocations{};
}

TEST(ProfileLocations, TildeInAnOverrideExpandsToTheHome) {
  auto l = Locate({{"HOME", "/home/u"},
                   {"AWS_CONFIG_FILE", "~/cfg/config"},
                   {"AWS_SHARED_CREDENTIALS_FILE", "~"}});
  EXPECT_EQ(l.config, "/home/u/cfg/config");
  EXPECT_EQ(l.credentials, "/home/u");
  // Only "~" followed by a separator: "~bob/x" names another user, which the SDKs do not expand.
  EXPECT_EQ(Locate({{"HOME", "/h"}, {"AWS_CONFIG_FILE", "~bob/x"}}).config, "~bob/x");
  auto w =
      Locate({{"USERPROFILE", "C:\\u"}, {"AWS_CONFIG_FILE", "~\\cfg"}}, PathPlatform::kWindows);
  EXPECT_EQ(w.config, "C:\\u\\cfg");
}

TEST(ProfileLocations, EmptyVariablesCountAsUnsetAndTrailingSlashIsNotDoubled) {
  auto l = Locate({{"HOME", "/home/u/"}, {"AWS_CONFIG_FILE", ""}}, PathPlatform::kPosix, "/pw");
  EXPECT_EQ(l.config, "/home/u/.aws/config");
  EXPECT_EQ(Locate({{"HOME", ""}}, PathPlatform::kPosix, "/pw").credentials,
            "/pw/.aws/credentials");
  // On POSIX the Windows variables mean nothing.
  EXPECT_EQ(Locate({{"USERPROFILE", "/x"}}, PathPlatform::kPosix, "/pw").config, "/pw/.aws/config");
  // HOMEDRIVE without HOMEPATH is no home.
  EXPECT_EQ(Locate({{"HOMEDRIVE", "C:"}}, PathPlatform::kWindows, "D:\\pw").config,
            "D:\\pw\\.aws\\config");
}

TEST(ProfileLocations, NoHomeIsNotConfiguredUnlessBothFilesAreOverridden) {
  auto env = MakeMapEnvironment({{"AWS_CONFIG_FILE", "/etc/aws/config"}});
  auto l = ResolveProfileFileLocationsFor(*env, PathPlatform::kPosix, std::nullopt);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code(), ErrorCode::kNotConfigured);
  EXPECT_NE(l.error().message().find("AWS_SHARED_CREDENTIALS_FILE"), std::string::npos);
  auto both = Locate({{"AWS_CONFIG_FILE", "/a"}, {"AWS_SHARED_CREDENTIALS_FILE", "/b"}});
  EXPECT_EQ(both.config, "/a");
  EXPECT_EQ(both.credentials, "/b");
}

// The public resolver is the POSIX one; with HOME set it never consults passwd.
TEST(ProfileLocations, PublicResolverUsesHome) {
  auto env = MakeMapEnvironment({{"HOME", "/home/someone"}});
  auto l = ResolveProfileFileLocations(*env);
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->config, "/home/someone/.aws/config");
  EXPECT_EQ(l->credentials, "/home/someone/.aws/credentials");
}

}  // namespace
}  // namespace hubspoke
