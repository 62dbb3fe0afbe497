// AWS partitions (aws, aws-cn, aws-us-gov, …) and the region → partition mapping, as in
// botocore's partitions.json: an explicit region list first, then the partition's region regex,
// else "aws". ARNs and endpoints take the partition of the region; nothing hard-codes "arn:aws".
#pragma once

#include <string>
#include <string_view>

namespace hubspoke {

struct Partition {
  std::string_view id;          // "aws", "aws-cn", …
  std::string_view dns_suffix;  // "amazonaws.com", "amazonaws.com.cn", …
  // The console's federation sign-in host and home page (AWS docs,
  // id_roles_providers_enable-console-custom-url); empty where the partition has no public
  // console sign-in (the isolated partitions).
  std::string_view signin_host;  // "signin.aws.amazon.com"
  std::string_view console_url;  // "https://console.aws.amazon.com/"
};

// The partition a region belongs to. Unknown but well-formed regions fall back to "aws",
// as the SDKs do.
Partition PartitionForRegion(std::string_view region);
// nullptr-like result (empty id) when `id` is not a known partition.
Partition PartitionById(std::string_view id);

// The STS regional endpoint for a region: https://sts.{region}.{dnsSuffix}. The pseudo-regions
// "aws-global" (and the other partitions' *-global) map to the partition's global endpoint.
std::string StsRegionalEndpoint(std::string_view region);
// The region to sign with for a region name: "aws-global" signs as us-east-1, etc.
std::string SigningRegion(std::string_view region);

}  // namespace hubspoke
