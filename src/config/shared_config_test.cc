// Region and endpoint precedence from the environment and the selected profile.
#include <gtest/gtest.h>

#include "hubspoke/config.h"

namespace hubspoke {
namespace {

ProfileSet Parse(const std::string& config) {
  auto set = ParseProfileFile(config, ProfileFileKind::kConfig, "/home/u/.aws/config");
  EXPECT_TRUE(set) << set.error().message();
  ProfileSet out = set ? std::move(*set) : ProfileSet{};
  out.config_path = "/home/u/.aws/config";
  return out;
}

const char kConfig[] = R"(
[default]
region = eu-west-1

[profile local]
region = ap-south-1
endpoint_url = http://localhost:4566
services = local-sts

[profile global-only]
endpoint_url = https://global.example

[profile legacy]
region = eu-central-1
sts_regional_endpoints = legacy

[profile legacy-far]
region = ap-east-1
sts_regional_endpoints = legacy

[profile ignore]
endpoint_url = https://ignored.example
ignore_configured_endpoint_urls = true

[profile bad-mode]
sts_regional_endpoints = sometimes

[profile bad-region]
region = Mars

[services local-sts]
sts =
  endpoint_url = http://localhost:5000
s3 =
  endpoint_url = http://localhost:9000
)";

struct Case {
  std::string name;
  std::vector<std::pair<std::string, std::string>> env;
  std::string profile;
  std::string region_flag, endpoint_flag;
  std::string url, region, signing_region;
  std::string source_has;  // a substring of StsEndpoint::source
};

TEST(SharedConfig, StsEndpointPrecedence) {
  const ProfileSet profiles = Parse(kConfig);
  const Case cases[] = {
      {"the default profile's region", {}, "", "", "", "https://sts.eu-west-1.amazonaws.com",
       "eu-west-1", "eu-west-1", "region in profile default in /home/u/.aws/config"},
      {"AWS_REGION beats the profile", {{"AWS_REGION", "us-west-2"}}, "", "", "",
       "https://sts.us-west-2.amazonaws.com", "us-west-2", "us-west-2", "AWS_REGION"},
      {"AWS_DEFAULT_REGION beats the profile", {{"AWS_DEFAULT_REGION", "ca-central-1"}}, "", "",
       "", "https://sts.ca-central-1.amazonaws.com", "ca-central-1", "ca-central-1",
       "AWS_DEFAULT_REGION"},
      {"--region beats everything", {{"AWS_REGION", "us-west-2"}}, "", "sa-east-1", "",
       "https://sts.sa-east-1.amazonaws.com", "sa-east-1", "sa-east-1", "--region"},
      {"services section beats the profile's endpoint_url", {}, "local", "", "",
       "http://localhost:5000", "ap-south-1", "ap-south-1", "[services local-sts] sts"},
      {"AWS_ENDPOINT_URL beats the services section", {{"AWS_ENDPOINT_URL", "http://env:1"}},
       "local", "", "", "http://env:1", "ap-south-1", "ap-south-1", "AWS_ENDPOINT_URL"},
      {"AWS_ENDPOINT_URL_STS beats AWS_ENDPOINT_URL",
       {{"AWS_ENDPOINT_URL", "http://env:1"}, {"AWS_ENDPOINT_URL_STS", "http://sts-env:2"}},
       "local", "", "", "http://sts-env:2", "ap-south-1", "ap-south-1", "AWS_ENDPOINT_URL_STS"},
      {"--endpoint-url beats everything", {{"AWS_ENDPOINT_URL_STS", "http://sts-env:2"}}, "local",
       "", "http://flag:3", "http://flag:3", "ap-south-1", "ap-south-1", "--endpoint-url"},
      {"a profile's global endpoint_url", {}, "global-only", "", "", "https://global.example",
       "us-east-1", "us-east-1", "endpoint_url in profile global-only"},
      {"legacy: the global endpoint for a legacy region", {}, "legacy", "", "",
       "https://sts.amazonaws.com", "eu-central-1", "us-east-1", "legacy"},
      {"legacy: regional for a newer region", {}, "legacy-far", "", "",
       "https://sts.ap-east-1.amazonaws.com", "ap-east-1", "ap-east-1", "regional endpoint"},
      {"AWS_STS_REGIONAL_ENDPOINTS=regional beats the profile's legacy",
       {{"AWS_STS_REGIONAL_ENDPOINTS", "regional"}}, "legacy", "", "",
       "https://sts.eu-central-1.amazonaws.com", "eu-central-1", "eu-central-1", "regional"},
      {"ignore_configured_endpoint_urls", {{"AWS_ENDPOINT_URL", "http://env:1"}}, "ignore", "",
       "", "https://sts.us-east-1.amazonaws.com", "us-east-1", "us-east-1", "regional endpoint"},
      {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, but a flag still counts",
       {{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}, {"AWS_ENDPOINT_URL", "http://env:1"}},
       "local", "", "http://flag:3", "http://flag:3", "ap-south-1", "ap-south-1",
       "--endpoint-url"},
      {"no such profile: environment only", {}, "nope", "", "",
       "https://sts.us-east-1.amazonaws.com", "us-east-1", "us-east-1", "default"},
      {"China: its own partition's endpoint", {{"AWS_REGION", "cn-north-1"}}, "", "", "",
       "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1", "cn-north-1", "AWS_REGION"},
  };
  for (const Case& c : cases) {
    auto env = MakeMapEnvironment(c.env);
    SharedConfig config = SelectSharedConfig(*env, profiles, c.profile);
    auto e = ResolveStsEndpoint(*env, config, c.region_flag, c.endpoint_flag, "--region",
                                "--endpoint-url");
    ASSERT_TRUE(e) << c.name << ": " << e.error().message();
    EXPECT_EQ(e->url, c.url) << c.name;
    EXPECT_EQ(e->region, c.region) << c.name;
    EXPECT_EQ(e->signing_region, c.signing_region) << c.name;
    EXPECT_NE(e->source.find(c.source_has), std::string::npos) << c.name << ": " << e->source;
  }
}

TEST(SharedConfig, BadValuesNameWhereTheyCameFrom) {
  const ProfileSet profiles = Parse(kConfig);
  auto env = MakeMapEnvironment({});
  auto mode = ResolveStsEndpoint(*env, SelectSharedConfig(*env, profiles, "bad-mode"), "", "");
  ASSERT_FALSE(mode);
  EXPECT_EQ(mode.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(mode.error().message(),
            "sts_regional_endpoints in profile bad-mode in /home/u/.aws/config: invalid value "
            "'sometimes': must be regional or legacy");
  auto region = ResolveStsEndpoint(*env, SelectSharedConfig(*env, profiles, "bad-region"), "", "");
  ASSERT_FALSE(region);
  EXPECT_NE(region.error().message().find("region in profile bad-region"), std::string::npos)
      << region.error().message();
  auto url_env = MakeMapEnvironment({{"AWS_ENDPOINT_URL_STS", "ftp://x"}});
  auto url = ResolveStsEndpoint(*url_env, SelectSharedConfig(*url_env, profiles, ""), "", "");
  ASSERT_FALSE(url);
  EXPECT_NE(url.error().message().find("AWS_ENDPOINT_URL_STS"), std::string::npos);
}

TEST(SharedConfig, AwsProfileSelectsTheProfile) {
  const ProfileSet profiles = Parse(kConfig);
  auto env = MakeMapEnvironment({{"AWS_PROFILE", "local"}});
  SharedConfig config = SelectSharedConfig(*env, profiles, "");
  EXPECT_EQ(config.profile_name, "local");
  ASSERT_NE(config.profile, nullptr);
  auto region = ConfiguredRegion(*env, config);
  ASSERT_TRUE(region);
  EXPECT_EQ(region->value, "ap-south-1");
  // Other services' endpoints come from the same section (the SSO portal uses this).
  auto s3 = ConfiguredEndpointUrl(*env, config, "S3", "s3");
  ASSERT_TRUE(s3);
  EXPECT_EQ(s3->value, "http://localhost:9000");
  EXPECT_FALSE(ConfiguredEndpointUrl(*env, SelectSharedConfig(*env, profiles, "legacy"), "SSO",
                                     "sso"));
}

}  // namespace
}  // namespace hubspoke
