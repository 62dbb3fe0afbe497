#include "core/partition.h"

#include <array>
#include <cctype>

#include "core/strings.h"

namespace hubspoke {
namespace {

struct PartitionRow {
  Partition partition;
  std::string_view region_prefix;  // the prefix group of regionRegex ^PREFIX-\w+-\d+$
  std::string_view global_region;  // the pseudo-region of the global endpoint
  std::string_view global_signing_region;
};

// From botocore partitions.json (regionRegex, dnsSuffix). The aws partition's regex has a
// group of prefixes; its row is expanded below.
constexpr std::array<PartitionRow, 8> kRows = {{
    {{"aws-us-gov", "amazonaws.com", "signin.amazonaws-us-gov.com", "https://console.amazonaws-us-gov.com/"}, "us-gov", "aws-us-gov-global", "us-gov-west-1"},
    {{"aws-iso", "c2s.ic.gov", "", ""}, "us-iso", "aws-iso-global", "us-iso-east-1"},
    {{"aws-iso-b", "sc2s.sgov.gov", "", ""}, "us-isob", "aws-iso-b-global", "us-isob-east-1"},
    {{"aws-iso-e", "cloud.adc-e.uk", "", ""}, "eu-isoe", "aws-iso-e-global", "eu-isoe-west-1"},
    {{"aws-iso-f", "csp.hci.ic.gov", "", ""}, "us-isof", "aws-iso-f-global", "us-isof-south-1"},
    {{"aws-eusc", "amazonaws.eu", "", ""}, "eusc-de", "aws-eusc-global", "eusc-de-east-1"},
    {{"aws-cn", "amazonaws.com.cn", "signin.amazonaws.cn", "https://console.amazonaws.cn/"}, "cn", "aws-cn-global", "cn-north-1"},
    {{"aws", "amazonaws.com", "signin.aws.amazon.com", "https://console.aws.amazon.com/"}, "", "aws-global", "us-east-1"},
}};

bool IsWord(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}
bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Splits "us-gov-west-1" into prefix "us-gov" when it has the shape PREFIX-\w+-\d+.
bool SplitRegion(std::string_view region, std::string_view& prefix) {
  std::size_t last = region.rfind('-');
  if (last == std::string_view::npos || !IsDigits(region.substr(last + 1))) return false;
  std::size_t mid = region.rfind('-', last - 1);
  if (mid == std::string_view::npos || mid == 0) return false;
  if (!IsWord(region.substr(mid + 1, last - mid - 1))) return false;
  prefix = region.substr(0, mid);
  return true;
}

const PartitionRow& RowForRegion(std::string_view region) {
  for (const auto& row : kRows)
    if (region == row.global_region) return row;
  std::string_view prefix;
  if (SplitRegion(region, prefix)) {
    for (const auto& row : kRows)
      if (!row.region_prefix.empty() && prefix == row.region_prefix) return row;
  }
  return kRows.back();  // "aws", also for its own prefixes and unknown regions
}

}  // namespace

Partition PartitionForRegion(std::string_view region) { return RowForRegion(region).partition; }

Partition PartitionById(std::string_view id) {
  for (const auto& row : kRows)
    if (row.partition.id == id) return row.partition;
  return {"", "", "", ""};
}

std::string StsRegionalEndpoint(std::string_view region) {
  const PartitionRow& row = RowForRegion(region);
  if (region == row.global_region) {
    return "https://sts." + std::string(row.partition.dns_suffix);
  }
  return "https://sts." + std::string(region) + "." + std::string(row.partition.dns_suffix);
}

std::string SigningRegion(std::string_view region) {
  const PartitionRow& row = RowForRegion(region);
  if (region == row.global_region) return std::string(row.global_signing_region);
  return std::string(region);
}

}  // namespace hubspoke
