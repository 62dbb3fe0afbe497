#include "core/partition.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/testdata.h"

namespace hubspoke {
namespace {

// Every region botocore lists must map to its partition, with the partition's dnsSuffix.
TEST(Partition, MatchesBotocorePartitionsJson) {
  std::string text = testing::ReadTestdata("sts/model/partitions.json");
  ASSERT_FALSE(text.empty()) << "missing " << testing::TestdataDir() << "/sts/model/partitions.json";
  auto doc = nlohmann::json::parse(text);
  int regions = 0;
  for (const auto& p : doc["partitions"]) {
    std::string id = p["id"];
    for (const auto& [region, _] : p["regions"].items()) {
      Partition got = PartitionForRegion(region);
      EXPECT_EQ(got.id, id) << region;
      EXPECT_EQ(got.dns_suffix, p["outputs"]["dnsSuffix"].get<std::string>()) << region;
      ++regions;
    }
  }
  EXPECT_GT(regions, 40);
}

TEST(Partition, RegexFallbackForUnlistedRegions) {
  EXPECT_EQ(PartitionForRegion("eu-central-9").id, "aws");
  EXPECT_EQ(PartitionForRegion("cn-south-7").id, "aws-cn");
  EXPECT_EQ(PartitionForRegion("us-gov-central-3").id, "aws-us-gov");
  EXPECT_EQ(PartitionForRegion("us-isob-west-4").id, "aws-iso-b");
  EXPECT_EQ(PartitionForRegion("eusc-de-west-2").id, "aws-eusc");
  EXPECT_EQ(PartitionForRegion("nowhere").id, "aws");
}

TEST(Partition, StsEndpoints) {
  EXPECT_EQ(StsRegionalEndpoint("eu-west-1"), "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(StsRegionalEndpoint("cn-north-1"), "https://sts.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(StsRegionalEndpoint("us-gov-west-1"), "https://sts.us-gov-west-1.amazonaws.com");
  EXPECT_EQ(StsRegionalEndpoint("aws-global"), "https://sts.amazonaws.com");
  EXPECT_EQ(SigningRegion("aws-global"), "us-east-1");
  EXPECT_EQ(SigningRegion("eu-west-1"), "eu-west-1");
}


TEST(Partition, ConsoleSigninHosts) {
  // AWS docs, id_roles_providers_enable-console-custom-url: one federation endpoint per partition.
  EXPECT_EQ(PartitionForRegion("eu-west-1").signin_host, "signin.aws.amazon.com");
  EXPECT_EQ(PartitionForRegion("eu-west-1").console_url, "https://console.aws.amazon.com/");
  EXPECT_EQ(PartitionForRegion("us-gov-west-1").signin_host, "signin.amazonaws-us-gov.com");
  EXPECT_EQ(PartitionForRegion("us-gov-east-1").console_url, "https://console.amazonaws-us-gov.com/");
  EXPECT_EQ(PartitionForRegion("cn-north-1").signin_host, "signin.amazonaws.cn");
  EXPECT_EQ(PartitionById("aws-cn").console_url, "https://console.amazonaws.cn/");
  EXPECT_TRUE(PartitionById("aws-iso").signin_host.empty());
  EXPECT_TRUE(PartitionById("nope").signin_host.empty());
}

}  // namespace
}  // namespace hubspoke
