#include "chain/spoke_session_cache_plan.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/partition.h"
#include "hubspoke/arn.h"
#include "chain/hints.h"

namespace hubspoke {
namespace {

// Length-prefixed, so that no choice of field values makes two different keys collide.
void Field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ';';
}

HopHintFunction HintsFor(Hop hop, std::string region) {
  return [hop, region = std::move(region)](const Error& e) { return HintFor(hop, e, region); };
}

class BaseHopProvider final : public CredentialsProvider {
 public:
  BaseHopProvider(std::shared_ptr<CredentialsProvider> base, Logger& log, std::string region)
      : base_(std::move(base)), log_(log), region_(std::move(region)) {}
  Result<Credentials> GetCredentials() override {
    return FetchBaseCredentials(*base_, log_, region_);
  }
  std::string Describe() const override { return base_->Describe(); }

 private:
  std::shared_ptr<CredentialsProvider> base_;
  Logger& log_;
  std::string region_;
};

}  // namespace

Result<SpokeChainPlan> PlanSpokeChain(const SpokeCredentialsInput& input, const Environment& env,
                                      const ProfileSet& profiles,
                                      const std::string& default_session_string) {
  if (auto s = ValidateSpokeInput(input); !s) return std::move(s).error();
  auto endpoint = ResolveSpokeEndpoint(input, env, profiles);
  if (!endpoint) return std::move(endpoint).error();
  SpokeChainPlan plan;
  plan.partition = std::string(PartitionForRegion(endpoint->region).id);

  auto hub_role = ResolveRole("hub_role_name", input.hub_role_name, "hub_account_id",
                              input.hub_account_id, plan.partition);
  if (!hub_role) return std::move(hub_role).error();
  auto spoke_role = ResolveRole("spoke_role_name", input.spoke_role_name, "spoke_account_id",
                                input.spoke_account_id, plan.partition);
  if (!spoke_role) return std::move(spoke_role).error();

  std::string policy;
  if (!input.policy.empty()) {
    auto compact = CompactJson("policy", input.policy);
    if (!compact) return std::move(compact).error();
    policy = std::move(*compact);
  }
  const std::string& session_string =
      input.session_string.empty() ? default_session_string : input.session_string;

  plan.spoke_account = spoke_role->account_id;
  plan.sts = StsClientOptions{.endpoint = endpoint->url,
                              .signing_region = endpoint->signing_region,
                              .max_attempts = input.retries + 1,
                              .attempt_timeout = input.timeout,
                              .chain_timeout = input.chain_timeout};
  plan.hub = AssumeRoleRequest{
      .role_arn = hub_role->ToString(),
      .role_session_name = HubSessionName(session_string),
      .duration = input.hub_duration,
      .external_id = input.hub_external_id.empty() ? input.external_id : input.hub_external_id,
      .source_identity = input.source_identity};
  plan.hub.serial_number = input.mfa_serial;
  plan.hub.token_code = input.mfa_code;
  plan.mfa_reader = input.mfa_reader;
  plan.spoke = AssumeRoleRequest{
      .role_arn = spoke_role->ToString(),
      .role_session_name = SpokeSessionName(spoke_role->account_id, session_string),
      .duration = input.duration,
      .external_id = input.spoke_external_id.empty() ? input.external_id : input.spoke_external_id,
      .policy = std::move(policy),
      .policy_arns = input.policy_arns,
      .tags = input.tags};
  plan.endpoint = std::move(*endpoint);
  return plan;
}

AssumeRoleProviderOptions HubHopOptions(const SpokeChainPlan& plan,
                                        std::shared_ptr<TransportPool> transports) {
  AssumeRoleProviderOptions options{.request = plan.hub,
                                    .sts = plan.sts,
                                    .hop_name = HopName(Hop::kHub),
                                    .hint = HintsFor(Hop::kHub, plan.endpoint.region),
                                    .transports = std::move(transports)};
  options.mfa_reader = plan.mfa_reader;
  return options;
}

AssumeRoleProviderOptions SpokeHopOptions(const SpokeChainPlan& plan,
                                          std::shared_ptr<TransportPool> transports) {
  return AssumeRoleProviderOptions{.request = plan.spoke,
                                   .sts = plan.sts,
                                   .hop_name = HopName(Hop::kSpoke),
                                   .hint = HintsFor(Hop::kSpoke, plan.endpoint.region),
                                   .transports = std::move(transports)};
}

Result<Credentials> FetchBaseCredentials(CredentialsProvider& base, Logger& log,
                                         const std::string& region) {
  auto creds = base.GetCredentials();
  if (!creds) {
    Error e = std::move(creds).error().Wrap(base.Describe());
    std::string hint = HintFor(Hop::kBase, e, region);
    Error wrapped = e.Wrap(std::string(HopName(Hop::kBase)) + " hop").WithHop(HopName(Hop::kBase));
    if (!hint.empty()) return std::move(wrapped).WithHint(std::move(hint));
    return wrapped;
  }
  log.Log(LogLevel::kInfo,
          "base: " + MaskAccessKeyId(creds->access_key_id) + " from " + base.Describe() +
              (creds->session_token.empty() ? " (long-term key)" : " (temporary session)"));
  return creds;
}

std::shared_ptr<CredentialsProvider> MakeBaseHopProvider(std::shared_ptr<CredentialsProvider> base,
                                                         Logger& log, std::string region) {
  return std::make_shared<BaseHopProvider>(std::move(base), log, std::move(region));
}

SpokeSessionKey SpokeSessionKeyOf(const SpokeChainPlan& plan) {
  SpokeSessionKey key{.partition = plan.partition,
                      .region = plan.endpoint.region,
                      .account = plan.spoke_account,
                      .role_arn = plan.spoke.role_arn,
                      .external_id = plan.spoke.external_id};
  // The hub hop, and where both hops go.
  Field(key.hub, plan.partition);
  Field(key.hub, plan.endpoint.url);
  Field(key.hub, plan.endpoint.signing_region);
  Field(key.hub, plan.hub.role_arn);
  Field(key.hub, plan.hub.external_id);
  Field(key.hub, plan.hub.role_session_name);
  Field(key.hub, plan.hub.duration ? std::to_string(plan.hub.duration->count()) : "");
  Field(key.hub, plan.hub.source_identity);
  // A session made with MFA is another session (aws:MultiFactorAuthPresent); the code is not
  // part of the key: it changes every 30 s and the session it made stays the same.
  Field(key.hub, plan.hub.serial_number);
  // The spoke session's options. STS treats policy ARNs and tags as sets (tag keys are
  // case-insensitive and unique, validation checked that), so their order does not matter.
  const AssumeRoleRequest& s = plan.spoke;
  Field(key.session, s.role_session_name);
  Field(key.session, s.duration ? std::to_string(s.duration->count()) : "");
  Field(key.session, s.policy);
  std::vector<std::string> arns = s.policy_arns;
  std::sort(arns.begin(), arns.end());
  Field(key.session, std::to_string(arns.size()));
  for (const auto& arn : arns) Field(key.session, arn);
  std::vector<std::pair<std::string, std::string>> tags;
  for (const auto& tag : s.tags) tags.emplace_back(tag.key, tag.value);
  std::sort(tags.begin(), tags.end());
  Field(key.session, std::to_string(tags.size()));
  for (const auto& [k, v] : tags) {
    Field(key.session, k);
    Field(key.session, v);
  }
  Field(key.session, key.hub);
  return key;
}

}  // namespace hubspoke
