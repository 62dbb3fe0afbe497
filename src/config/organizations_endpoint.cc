// The AWS Organizations endpoint from explicit settings, the environment and the profile
// (hubspoke/config.h), with the SDKs' precedence for configured endpoints.
#include "core/partition.h"
#include "core/validate.h"
#include "hubspoke/config.h"
#include "organizations/global_endpoint.h"

namespace hubspoke {

Result<OrganizationsOptions> ResolveOrganizationsEndpoint(const Environment& env,
                                                          const SharedConfig& config,
                                                          const std::string& region_flag,
                                                          const std::string& endpoint_flag,
                                                          const std::string& region_name,
                                                          const std::string& endpoint_name) {
  ConfiguredValue region{"us-east-1", "default"};
  if (!region_flag.empty()) {
    region = {region_flag, region_name};
  } else if (auto r = ConfiguredRegion(env, config)) {
    region = std::move(*r);
  }
  if (auto s = ValidateRegion(region.source, region.value); !s) return std::move(s).error();

  std::optional<ConfiguredValue> endpoint;
  if (!endpoint_flag.empty()) {
    endpoint = ConfiguredValue{endpoint_flag, endpoint_name};
  } else {
    // The service's ids: env "ORGANIZATIONS", config key "organizations" (botocore's serviceId).
    endpoint = ConfiguredEndpointUrl(env, config, "ORGANIZATIONS", "organizations");
  }
  OrganizationsOptions out;
  if (endpoint) {
    if (auto s = ValidateEndpointUrl(endpoint->source, endpoint->value); !s) {
      return std::move(s).error();
    }
    out.endpoint = endpoint->value;
    out.signing_region = SigningRegion(region.value);
    out.source = endpoint->source + ", signed for " + out.signing_region + " (region from " +
                 region.source + ")";
    return out;
  }
  const organizations::GlobalEndpoint global =
      organizations::OrganizationsGlobalEndpoint(region.value);
  out.endpoint = global.url;
  out.signing_region = global.signing_region;
  out.source = "global endpoint of the " + std::string(PartitionForRegion(region.value).id) +
               " partition (region " + region.value + " from " + region.source + ")";
  return out;
}

}  // namespace hubspoke
