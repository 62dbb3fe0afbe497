// Region and endpoint settings from the environment and the selected profile, with the SDKs'
// precedence (AWS SDKs and Tools Reference Guide: "Service-specific endpoints", "AWS Region",
// "AWS STS Regional endpoints").
#include <algorithm>
#include <array>

#include "core/partition.h"
#include "core/strings.h"
#include "core/validate.h"
#include "hubspoke/config.h"

namespace hubspoke {
namespace {

std::string FromEnv(const Environment& env, std::string_view name) {
  auto v = env.Get(name);
  return v ? Trim(*v) : std::string();
}

// The regions AWS served from the global endpoint (sts.amazonaws.com) under the legacy setting
// (botocore's _LEGACY_GLOBAL_STS_REGIONS).
constexpr std::array<std::string_view, 16> kLegacyGlobalRegions = {
    "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global",
    "ca-central-1",   "eu-central-1", "eu-north-1",   "eu-west-1",      "eu-west-2",
    "eu-west-3",      "sa-east-1",    "us-east-1",    "us-east-2",      "us-west-1",
    "us-west-2"};

}  // namespace

std::optional<std::string> SharedConfig::Get(std::string_view key) const {
  if (profile == nullptr) return std::nullopt;
  auto v = profile->Get(key);
  if (!v) return std::nullopt;
  return Trim(*v);
}

std::string SharedConfig::Describe() const {
  std::string where = profiles && !profiles->config_path.empty() ? profiles->config_path
                                                                   : std::string("~/.aws/config");
  return "profile " + profile_name + " in " + where;
}

SharedConfig SelectSharedConfig(const Environment& env, const ProfileSet& profiles,
                                const std::string& explicit_name) {
  SharedConfig c;
  c.profiles = &profiles;
  c.profile_name = SelectedProfileName(env, explicit_name);
  c.profile = profiles.FindProfile(c.profile_name);
  return c;
}

std::optional<ConfiguredValue> ConfiguredRegion(const Environment& env,
                                                const SharedConfig& config) {
  if (auto v = FromEnv(env, "AWS_REGION"); !v.empty()) return ConfiguredValue{v, "AWS_REGION"};
  if (auto v = FromEnv(env, "AWS_DEFAULT_REGION"); !v.empty()) {
    return ConfiguredValue{v, "AWS_DEFAULT_REGION"};
  }
  if (auto v = config.Get("region"); v && !v->empty()) {
    return ConfiguredValue{*v, "region in " + config.Describe()};
  }
  return std::nullopt;
}

std::optional<ConfiguredValue> ConfiguredEndpointUrl(const Environment& env,
                                                     const SharedConfig& config,
                                                     std::string_view env_id,
                                                     std::string_view config_id) {
  std::string ignore = FromEnv(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  if (ignore.empty()) ignore = config.Get("ignore_configured_endpoint_urls").value_or("");
  if (EqualsIgnoreCase(ignore, "true")) return std::nullopt;

  const std::string service_var = "AWS_ENDPOINT_URL_" + std::string(env_id);
  if (auto v = FromEnv(env, service_var); !v.empty()) return ConfiguredValue{v, service_var};
  if (auto v = FromEnv(env, "AWS_ENDPOINT_URL"); !v.empty()) {
    return ConfiguredValue{v, "AWS_ENDPOINT_URL"};
  }
  if (auto services = config.Get("services"); services && config.profiles != nullptr) {
    if (const ProfileSection* section = config.profiles->FindServices(*services)) {
      if (auto v = section->GetSub(config_id, "endpoint_url"); v && !Trim(*v).empty()) {
        return ConfiguredValue{Trim(*v), "[services " + *services + "] " +
                                             std::string(config_id) + " endpoint_url"};
      }
    }
  }
  if (auto v = config.Get("endpoint_url"); v && !v->empty()) {
    return ConfiguredValue{*v, "endpoint_url in " + config.Describe()};
  }
  return std::nullopt;
}

Result<StsEndpoint> ResolveStsEndpoint(const Environment& env, const SharedConfig& config,
                                       const std::string& region_flag,
                                       const std::string& endpoint_flag,
                                       const std::string& region_name,
                                       const std::string& endpoint_name) {
  StsEndpoint out;
  ConfiguredValue region{"us-east-1", "default"};
  if (!region_flag.empty()) {
    region = {region_flag, region_name};
  } else if (auto r = ConfiguredRegion(env, config)) {
    region = std::move(*r);
  }
  if (auto s = ValidateRegion(region.source, region.value); !s) return std::move(s).error();
  out.region = region.value;
  out.signing_region = SigningRegion(out.region);

  std::optional<ConfiguredValue> endpoint;
  if (!endpoint_flag.empty()) {
    endpoint = ConfiguredValue{endpoint_flag, endpoint_name};
  } else {
    endpoint = ConfiguredEndpointUrl(env, config, "STS", "sts");
  }
  if (endpoint) {
    if (auto s = ValidateEndpointUrl(endpoint->source, endpoint->value); !s) {
      return std::move(s).error();
    }
    out.url = endpoint->value;
    out.source = endpoint->source + ", region " + out.region + " from " + region.source;
    return out;
  }

  std::string mode = FromEnv(env, "AWS_STS_REGIONAL_ENDPOINTS");
  std::string mode_source = "AWS_STS_REGIONAL_ENDPOINTS";
  if (mode.empty()) {
    mode = config.Get("sts_regional_endpoints").value_or("");
    mode_source = "sts_regional_endpoints in " + config.Describe();
  }
  if (!mode.empty() && mode != "regional" && mode != "legacy") {
    return Error(ErrorCode::kInvalidArgument,
                 mode_source + ": invalid value '" + Printable(mode, 40) +
                     "': must be regional or legacy");
  }
  if (mode == "legacy" && std::find(kLegacyGlobalRegions.begin(), kLegacyGlobalRegions.end(),
                                    out.region) != kLegacyGlobalRegions.end()) {
    out.url = "https://sts.amazonaws.com";
    out.signing_region = "us-east-1";
    out.source = "global endpoint (" + mode_source + " = legacy, region " + out.region +
                 " from " + region.source + ")";
    return out;
  }
  out.url = StsRegionalEndpoint(out.region);
  out.source = "regional endpoint of " + out.region + " (region from " + region.source + ")";
  return out;
}

}  // namespace hubspoke
