// The AWS Organizations endpoint: configured endpoints with the SDKs' precedence, else the
// global endpoint of the region's partition (botocore's organizations endpoint rule set).
#include <gtest/gtest.h>

#include "hubspoke/config.h"

namespace hubspoke {
namespace {

const char kConfig[] = R"(
[default]
region = eu-west-1

[profile local]
region = ap-south-1
endpoint_url = http://localhost:4566
services = local-orgs

[profile global-only]
endpoint_url = https://global.example

[profile china]
region = cn-north-1

[profile bad-region]
region = Mars

[services local-orgs]
organizations =
  endpoint_url = http://localhost:5000
sts =
  endpoint_url = http://localhost:6000
)";

ProfileSet Parse() {
  auto set = ParseProfileFile(kConfig, ProfileFileKind::kConfig, "/home/u/.aws/config");
  EXPECT_TRUE(set) << set.error().message();
  ProfileSet out = set ? std::move(*set) : ProfileSet{};
  out.config_path = "/home/u/.aws/config";
  return out;
}

struct Case {
  std::string name;
  std::vector<std::pair<std::string, std::string>> env;
  std::string profile;
  std::string region_flag, endpoint_flag;
  std::string url, signing_region;
  std::string source_has;
};

TEST(OrganizationsEndpoint, Precedence) {
  const ProfileSet profiles = Parse();
  const Case cases[] = {
      {"aws: the global endpoint in us-east-1, whatever the region",
       {},
       "",
       "",
       "",
       "https://organizations.us-east-1.amazonaws.com",
       "us-east-1",
       "global endpoint of the aws partition (region eu-west-1 from region in profile default"},
      {"aws-cn",
       {},
       "china",
       "",
       "",
       "https://organizations.cn-northwest-1.amazonaws.com.cn",
       "cn-northwest-1",
       "aws-cn partition"},
      {"aws-us-gov",
       {{"AWS_REGION", "us-gov-east-1"}},
       "",
       "",
       "",
       "https://organizations.us-gov-west-1.amazonaws.com",
       "us-gov-west-1",
       "region us-gov-east-1 from AWS_REGION"},
      {"aws-iso",
       {},
       "",
       "us-iso-west-1",
       "",
       "https://organizations.us-iso-east-1.c2s.ic.gov",
       "us-iso-east-1",
       "from --region"},
      {"aws-iso-b",
       {},
       "",
       "us-isob-east-1",
       "",
       "https://organizations.us-isob-east-1.sc2s.sgov.gov",
       "us-isob-east-1",
       "aws-iso-b"},
      {"a partition without a global row: the regional pattern",
       {},
       "",
       "eu-isoe-west-1",
       "",
       "https://organizations.eu-isoe-west-1.cloud.adc-e.uk",
       "eu-isoe-west-1",
       "aws-iso-e"},
      {"no region anywhere: us-east-1",
       {},
       "nope",
       "",
       "",
       "https://organizations.us-east-1.amazonaws.com",
       "us-east-1",
       "from default"},
      {"the services section's organizations endpoint",
       {},
       "local",
       "",
       "",
       "http://localhost:5000",
       "ap-south-1",
       "[services local-orgs] organizations endpoint_url"},
      {"AWS_ENDPOINT_URL beats the services section",
       {{"AWS_ENDPOINT_URL", "http://env:1"}},
       "local",
       "",
       "",
       "http://env:1",
       "ap-south-1",
       "AWS_ENDPOINT_URL"},
      {"AWS_ENDPOINT_URL_ORGANIZATIONS beats AWS_ENDPOINT_URL",
       {{"AWS_ENDPOINT_URL", "http://env:1"},
        {"AWS_ENDPOINT_URL_ORGANIZATIONS", "http://orgs-env:2"}},
       "local",
       "",
       "",
       "http://orgs-env:2",
       "ap-south-1",
       "AWS_ENDPOINT_URL_ORGANIZATIONS"},
      {"AWS_ENDPOINT_URL_STS is not for Organizations",
       {{"AWS_ENDPOINT_URL_STS", "http://sts:1"}},
       "",
       "",
       "",
       "https://organizations.us-east-1.amazonaws.com",
       "us-east-1",
       "global"},
      {"the profile's endpoint_url",
       {},
       "global-only",
       "",
       "",
       "https://global.example",
       "us-east-1",
       "endpoint_url in profile global-only"},
      {"an explicit endpoint beats everything",
       {{"AWS_ENDPOINT_URL_ORGANIZATIONS", "http://orgs-env:2"}},
       "local",
       "eu-north-1",
       "http://flag:3",
       "http://flag:3",
       "eu-north-1",
       "--organizations-endpoint-url"},
      {"ignore_configured_endpoint_urls",
       {{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}, {"AWS_ENDPOINT_URL", "http://env:1"}},
       "local",
       "",
       "",
       "https://organizations.us-east-1.amazonaws.com",
       "us-east-1",
       "global"},
  };
  for (const Case& c : cases) {
    auto env = MakeMapEnvironment(c.env);
    SharedConfig config = SelectSharedConfig(*env, profiles, c.profile);
    auto e = ResolveOrganizationsEndpoint(*env, config, c.region_flag, c.endpoint_flag, "--region",
                                          "--organizations-endpoint-url");
    ASSERT_TRUE(e) << c.name << ": " << e.error().message();
    EXPECT_EQ(e->endpoint, c.url) << c.name;
    EXPECT_EQ(e->signing_region, c.signing_region) << c.name;
    EXPECT_NE(e->source.find(c.source_has), std::string::npos) << c.name << ": " << e->source;
    // The other options keep their defaults.
    EXPECT_EQ(e->page_size, 0) << c.name;
    EXPECT_EQ(e->max_attempts, OrganizationsOptions{}.max_attempts) << c.name;
  }
}

TEST(OrganizationsEndpoint, BadValuesNameWhereTheyCameFrom) {
  const ProfileSet profiles = Parse();
  auto env = MakeMapEnvironment({});
  auto region =
      ResolveOrganizationsEndpoint(*env, SelectSharedConfig(*env, profiles, "bad-region"), "", "");
  ASSERT_FALSE(region);
  EXPECT_EQ(region.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(region.error().message().find("region in profile bad-region"), std::string::npos)
      << region.error().message();
  auto url_env = MakeMapEnvironment({{"AWS_ENDPOINT_URL_ORGANIZATIONS", "ftp://x"}});
  auto url =
      ResolveOrganizationsEndpoint(*url_env, SelectSharedConfig(*url_env, profiles, ""), "", "");
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(url.error().message().find("AWS_ENDPOINT_URL_ORGANIZATIONS"), std::string::npos);
  auto flag = ResolveOrganizationsEndpoint(*env, SelectSharedConfig(*env, profiles, ""), "",
                                           "not a url", "--region", "--organizations-endpoint-url");
  ASSERT_FALSE(flag);
  EXPECT_EQ(flag.error().message().rfind("--organizations-endpoint-url", 0), 0u)
      << flag.error().message();
}

}  // namespace
}  // namespace hubspoke
