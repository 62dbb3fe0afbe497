#include <chrono>

#include "core/json.h"
#include "core/partition.h"
#include "core/time.h"
#include "hubspoke/arn.h"
#include "hubspoke/hints.h"
#include "hubspoke/hubspoke.h"

namespace hubspoke {
namespace {

Error HopError(Hop hop, const std::string& role_arn, Error e, const std::string& region) {
  std::string hint = HintFor(hop, e, region);
  std::string context = std::string(HopName(hop)) + " hop";
  if (!role_arn.empty()) context += " " + role_arn;
  Error wrapped = e.Wrap(context);
  if (!hint.empty()) return std::move(wrapped).WithHint(std::move(hint));
  return wrapped;
}

long long MillisSince(const Clock& clock, std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Monotonic() - start).count();
}

}  // namespace

Result<SpokeCredentials> GetSpokeCredentials(const SpokeCredentialsInput& input,
                                             const SystemContext& sys,
                                             CredentialsProvider& base) {
  if (auto s = ValidateSpokeInput(input); !s) return std::move(s).error();
  auto endpoint = ResolveStsEndpoint(sys.env, input.region, input.endpoint_url);
  if (!endpoint) return std::move(endpoint).error();
  const std::string partition(PartitionForRegion(endpoint->region).id);

  auto hub_role = ResolveRole("hub_role_name", input.hub_role_name, "hub_account_id",
                              input.hub_account_id, partition);
  if (!hub_role) return std::move(hub_role).error();
  auto spoke_role = ResolveRole("spoke_role_name", input.spoke_role_name, "spoke_account_id",
                                input.spoke_account_id, partition);
  if (!spoke_role) return std::move(spoke_role).error();

  std::string policy;
  if (!input.policy.empty()) {
    auto compact = CompactJson("policy", input.policy);
    if (!compact) return std::move(compact).error();
    policy = std::move(*compact);
  }
  const std::string session_string =
      input.session_string.empty() ? DefaultSessionString(sys.env, sys.clock.Now())
                                   : input.session_string;
  const std::string hub_session = HubSessionName(session_string);
  const std::string spoke_session = SpokeSessionName(spoke_role->account_id, session_string);
  const std::string& hub_external_id =
      input.hub_external_id.empty() ? input.external_id : input.hub_external_id;
  const std::string& spoke_external_id =
      input.spoke_external_id.empty() ? input.external_id : input.spoke_external_id;

  // Base identity.
  auto base_creds = base.GetCredentials();
  if (!base_creds) {
    return HopError(Hop::kBase, "", std::move(base_creds).error().Wrap(base.Describe()),
                    endpoint->region);
  }
  sys.log.Log(LogLevel::kInfo,
              "base: " + MaskAccessKeyId(base_creds->access_key_id) + " from " + base.Describe() +
                  (base_creds->session_token.empty() ? " (long-term key)"
                                                     : " (temporary session)"));
  sys.log.Log(LogLevel::kInfo, "sts endpoint: " + endpoint->url + " (" + endpoint->source + ")");

  StsClient sts(sys, StsClientOptions{.endpoint = endpoint->url,
                                      .signing_region = endpoint->signing_region,
                                      .max_attempts = input.retries + 1,
                                      .attempt_timeout = input.timeout});

  // Hub hop: base → hub role.
  const std::string hub_arn = hub_role->ToString();
  AssumeRoleRequest hub_req{.role_arn = hub_arn,
                            .role_session_name = hub_session,
                            .duration = input.hub_duration,
                            .external_id = hub_external_id,
                            .source_identity = input.source_identity};
  sys.log.Log(LogLevel::kInfo, "hub: AssumeRole " + hub_arn + " session " + hub_session +
                                   " duration " + std::to_string(input.hub_duration.count()) +
                                   "s" + (hub_external_id.empty() ? "" : " with external id"));
  auto started = sys.clock.Monotonic();
  auto hub = sts.AssumeRole(*base_creds, hub_req);
  if (!hub) return HopError(Hop::kHub, hub_arn, std::move(hub).error(), endpoint->region);
  sys.log.Log(LogLevel::kInfo, "hub: got " + hub->assumed_role_arn + " (" +
                                   MaskAccessKeyId(hub->credentials.access_key_id) +
                                   ", expires " + FormatRfc3339(*hub->credentials.expiration) +
                                   ", request id " + hub->request_id + ", " +
                                   std::to_string(MillisSince(sys.clock, started)) + " ms)");

  // Spoke hop: hub session → spoke role (role chaining: STS caps it at 1 h).
  const std::string spoke_arn = spoke_role->ToString();
  AssumeRoleRequest spoke_req{.role_arn = spoke_arn,
                              .role_session_name = spoke_session,
                              .duration = input.duration,
                              .external_id = spoke_external_id,
                              .policy = policy,
                              .policy_arns = input.policy_arns,
                              .tags = input.tags};
  sys.log.Log(LogLevel::kInfo,
              "spoke: AssumeRole " + spoke_arn + " session " + spoke_session + " duration " +
                  std::to_string(input.duration.count()) + "s" +
                  (spoke_external_id.empty() ? "" : " with external id") +
                  (policy.empty() && input.policy_arns.empty() ? "" : " with session policy") +
                  (input.tags.empty() ? "" : " with " + std::to_string(input.tags.size()) +
                                                 " session tag(s)"));
  started = sys.clock.Monotonic();
  auto spoke = sts.AssumeRole(hub->credentials, spoke_req);
  if (!spoke) return HopError(Hop::kSpoke, spoke_arn, std::move(spoke).error(), endpoint->region);
  sys.log.Log(LogLevel::kInfo, "spoke: got " + spoke->assumed_role_arn + " (" +
                                   MaskAccessKeyId(spoke->credentials.access_key_id) +
                                   ", expires " + FormatRfc3339(*spoke->credentials.expiration) +
                                   ", request id " + spoke->request_id + ", " +
                                   std::to_string(MillisSince(sys.clock, started)) + " ms)");

  return SpokeCredentials{.credentials = std::move(spoke->credentials),
                          .assumed_role_arn = spoke->assumed_role_arn,
                          .assumed_role_id = spoke->assumed_role_id,
                          .hub_role_arn = hub_arn,
                          .spoke_role_arn = spoke_arn,
                          .hub_session_arn = hub->assumed_role_arn,
                          .region = endpoint->region};
}

Result<SpokeCredentials> GetSpokeCredentials(const SpokeCredentialsInput& input) {
  RealSystem system;
  auto base = MakeEnvironmentCredentialsProvider(system.context().env);
  return GetSpokeCredentials(input, system.context(), *base);
}

}  // namespace hubspoke
