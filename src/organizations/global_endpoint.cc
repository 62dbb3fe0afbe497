#include "organizations/global_endpoint.h"

#include <array>

#include "core/partition.h"

namespace hubspoke::organizations {
namespace {

struct Row {
  std::string_view partition;
  std::string_view region;  // the region the global endpoint is in and signs for
};

// botocore/data/organizations/2016-11-28/endpoint-rule-set-1.json.
constexpr std::array<Row, 6> kRows = {{
    {"aws", "us-east-1"},
    {"aws-cn", "cn-northwest-1"},
    {"aws-us-gov", "us-gov-west-1"},
    {"aws-iso", "us-iso-east-1"},
    {"aws-iso-b", "us-isob-east-1"},
    {"aws-iso-f", "us-isof-south-1"},
}};

}  // namespace

GlobalEndpoint OrganizationsGlobalEndpoint(std::string_view region) {
  const Partition partition = PartitionForRegion(region);
  std::string_view in = region;
  for (const Row& row : kRows) {
    if (row.partition == partition.id) in = row.region;
  }
  // A pseudo-region of a partition without a row ("aws-eusc-global") signs as its real region.
  const std::string signing = SigningRegion(in);
  return GlobalEndpoint{
      "https://organizations." + signing + "." + std::string(partition.dns_suffix), signing};
}

}  // namespace hubspoke::organizations
