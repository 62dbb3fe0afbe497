// Organizations' one endpoint per partition (botocore's organizations endpoint rule set,
// without FIPS or dual-stack): it is a global service, signed for the endpoint's own region.
#pragma once

#include <string>
#include <string_view>

namespace hubspoke::organizations {

struct GlobalEndpoint {
  std::string url;
  std::string signing_region;
};

// The endpoint of `region`'s partition: aws → organizations.us-east-1.amazonaws.com (us-east-1),
// aws-cn → organizations.cn-northwest-1.amazonaws.com.cn (cn-northwest-1), aws-us-gov →
// organizations.us-gov-west-1.amazonaws.com (us-gov-west-1), aws-iso, aws-iso-b, aws-iso-f →
// their one region; other partitions have no global row: organizations.{region}.{dnsSuffix},
// signed for the region (the rule set's fallback).
GlobalEndpoint OrganizationsGlobalEndpoint(std::string_view region);

}  // namespace hubspoke::organizations
