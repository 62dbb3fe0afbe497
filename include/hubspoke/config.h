// Settings the AWS SDKs read from the environment and the selected profile of the shared config
// files: region, endpoints (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, `[services …]`
// sections, `endpoint_url`), `sts_regional_endpoints`, with the SDKs' precedence.
#pragma once

#include <optional>
#include <string>

#include "hubspoke/organizations.h"
#include "hubspoke/profile.h"
#include "hubspoke/result.h"
#include "hubspoke/sts_client.h"
#include "hubspoke/system.h"

namespace hubspoke {

// The selected profile, as settings are read from it. `profile` may be null (no such profile:
// only the environment counts).
struct SharedConfig {
  const ProfileSet* profiles = nullptr;
  const ProfileSection* profile = nullptr;
  std::string profile_name;  // for messages

  // A profile property, or nullopt (also when there is no profile).
  std::optional<std::string> Get(std::string_view key) const;
  // "profile dev in ~/.aws/config" for messages.
  std::string Describe() const;
};

// The selected profile of `profiles` (SelectedProfileName(env, explicit_name)).
SharedConfig SelectSharedConfig(const Environment& env, const ProfileSet& profiles,
                                const std::string& explicit_name);

// A value and where it came from ("--region", "AWS_REGION", "region in profile dev").
struct ConfiguredValue {
  std::string value;
  std::string source;
};

// The region: AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region`; nullopt when none.
std::optional<ConfiguredValue> ConfiguredRegion(const Environment& env, const SharedConfig& config);

// The endpoint configured for a service, with the SDKs' precedence: AWS_ENDPOINT_URL_<ENV_ID>
// (e.g. STS, SSO), AWS_ENDPOINT_URL, then the `[services NAME]` section the profile's `services`
// names (sub-property `<config_id> = endpoint_url = …`), then the profile's `endpoint_url`.
// None of these when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or ignore_configured_endpoint_urls is
// true. nullopt when nothing is configured.
std::optional<ConfiguredValue> ConfiguredEndpointUrl(const Environment& env,
                                                     const SharedConfig& config,
                                                     std::string_view env_id,
                                                     std::string_view config_id);

// The STS endpoint and signing region from explicit settings (may be empty; errors name them
// `region_name` and `endpoint_name`: a flag for the CLI), the environment and the profile: the
// region from `region`, else ConfiguredRegion, else us-east-1; the endpoint from
// `endpoint_url`, else ConfiguredEndpointUrl(STS), else the regional endpoint,
// or the global https://sts.amazonaws.com when sts_regional_endpoints (AWS_STS_REGIONAL_ENDPOINTS
// or the profile) is `legacy` and the region is one of those AWS served globally before 2022.
// Errors (kInvalidArgument) name where a bad value came from.
Result<StsEndpoint> ResolveStsEndpoint(const Environment& env, const SharedConfig& config,
                                       const std::string& region,
                                       const std::string& endpoint_url,
                                       const std::string& region_name = "region",
                                       const std::string& endpoint_name = "endpoint_url");

// The AWS Organizations endpoint and signing region, as the AWS SDKs choose them: `endpoint_url`
// (explicit, e.g. a flag; errors name it `endpoint_name`), else ConfiguredEndpointUrl
// (AWS_ENDPOINT_URL_ORGANIZATIONS, AWS_ENDPOINT_URL, the profile's `[services]` organizations
// endpoint_url, its endpoint_url), else the global endpoint of the region's partition
// (https://organizations.us-east-1.amazonaws.com for aws, …cn-northwest-1.amazonaws.com.cn for
// aws-cn, …us-gov-west-1.amazonaws.com for aws-us-gov; botocore's endpoint rules). The region
// (`region`, else ConfiguredRegion, else us-east-1) picks the partition. With a configured
// endpoint the request is signed for the region itself (SigningRegion(region)), as botocore
// does when an endpoint URL is given; with the global endpoint, for the endpoint's own region.
// Only endpoint, signing_region and source are set; the other options keep their defaults.
Result<OrganizationsOptions> ResolveOrganizationsEndpoint(
    const Environment& env, const SharedConfig& config, const std::string& region,
    const std::string& endpoint_url, const std::string& region_name = "region",
    const std::string& endpoint_name = "endpoint_url");

}  // namespace hubspoke
