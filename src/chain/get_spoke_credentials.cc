// GetSpokeCredentials: the hub→spoke chain as one call, built from the same pieces as the
// refreshing providers (include/hubspoke/refreshing.h): the plan validates and resolves the
// input, then an assume-role provider for the spoke whose source is an assume-role provider for
// the hub whose source is the base credentials. Nothing is cached (unless a HubSessionFileCache is
// given), and both hops send through sys.http, so they share one kept-alive connection.
#include <optional>
#include <utility>

#include "chain/spoke_session_cache_plan.h"
#include "core/time.h"
#include "hubspoke/assume_role_provider.h"
#include "hubspoke/hub_session_file_cache.h"
#include "hubspoke/hubspoke.h"
#include "hubspoke/profile.h"
#include "hubspoke/credential_sources.h"

namespace hubspoke {
namespace {

// The hub hop as the spoke's source, keeping the hub session's ARN for the result; with a
// hub session cache, a cached session instead of the call, and the new session saved.
class HubSource final : public CredentialsProvider {
 public:
  HubSource(std::shared_ptr<AssumeRoleCredentialsProvider> hub, HubSessionFileCache* cache,
            std::string cache_key, Logger& log)
      : hub_(std::move(hub)), cache_(cache), cache_key_(std::move(cache_key)), log_(log) {}
  Result<Credentials> GetCredentials() override {
    if (cache_ != nullptr) {
      if (auto cached = cache_->Load(cache_key_)) {
        session_arn_ = cached->session_arn;
        log_.Log(LogLevel::kInfo, "hub: cached session " + session_arn_ + " (" +
                                      MaskAccessKeyId(cached->credentials.access_key_id) +
                                      ", expires " +
                                      FormatRfc3339(*cached->credentials.expiration) + ")");
        return std::move(cached->credentials);
      }
    }
    auto response = hub_->AssumeRole();
    if (!response) return std::move(response).error();
    session_arn_ = response->assumed_role_arn;
    if (cache_ != nullptr) {
      cache_->Store(cache_key_, CachedHubSession{.credentials = response->credentials,
                                                 .session_arn = session_arn_});
    }
    return std::move(response->credentials);
  }
  std::string Describe() const override { return hub_->Describe(); }
  const std::string& session_arn() const { return session_arn_; }

 private:
  std::shared_ptr<AssumeRoleCredentialsProvider> hub_;
  HubSessionFileCache* cache_;
  std::string cache_key_;
  Logger& log_;
  std::string session_arn_;
};

}  // namespace

Result<SpokeCredentials> GetSpokeCredentials(const SpokeCredentialsInput& input,
                                             const SystemContext& sys, CredentialsProvider& base) {
  return GetSpokeCredentials(input, sys, base, SpokeChainOptions{});
}

Result<SpokeCredentials> GetSpokeCredentials(const SpokeCredentialsInput& input,
                                             const SystemContext& sys, CredentialsProvider& base,
                                             const SpokeChainOptions& options) {
  const std::string default_session_string =
      input.session_string.empty() ? DefaultSessionString(sys.env, sys.clock.Now()) : "";
  // The shared config files (for the profile's region and endpoint): the caller's, else read.
  std::optional<ProfileSet> loaded;
  if (options.profiles == nullptr) {
    auto profiles = LoadProfiles(sys.env, sys.files);
    if (!profiles) return std::move(profiles).error().WithCode(ErrorCode::kInvalidArgument);
    loaded = std::move(*profiles);
  }
  const ProfileSet& profiles = options.profiles != nullptr ? *options.profiles : *loaded;
  auto plan = PlanSpokeChain(input, sys.env, profiles, default_session_string);
  if (!plan) return std::move(plan).error();
  // One shot: both hops end within the chain's timeout, counted from here.
  if (input.chain_timeout.count() > 0) {
    plan->sts.deadline = sys.clock.Monotonic() + input.chain_timeout;
  }

  // Base identity, fetched (and logged) before anything goes on the wire.
  auto base_creds = FetchBaseCredentials(base, sys.log, plan->endpoint.region);
  if (!base_creds) return std::move(base_creds).error();
  sys.log.Log(LogLevel::kInfo,
              "sts endpoint: " + plan->endpoint.url + " (" + plan->endpoint.source + ")");

  // spoke ← hub ← base, one shot on this thread; transports = null: both hops use sys.http.
  std::string cache_key;
  if (options.hub_cache != nullptr) {
    // A defaulted session string carries the time ("me-20261202T010203Z"): it must not be part
    // of the key, or no later run would find the session. A session named by an earlier run is
    // what the cache is for.
    SpokeChainPlan keyed = *plan;
    if (input.session_string.empty()) keyed.hub.role_session_name = "(default session name)";
    cache_key = HubSessionFileCache::KeyFor(base_creds->access_key_id, SpokeSessionKeyOf(keyed).hub);
  }
  auto hub = std::make_shared<HubSource>(
      MakeAssumeRoleProvider(
          sys, MakeStaticCredentialsProvider(std::move(*base_creds), base.Describe()),
          HubHopOptions(*plan, nullptr)),
      options.hub_cache, std::move(cache_key), sys.log);
  auto spoke = MakeAssumeRoleProvider(sys, hub, SpokeHopOptions(*plan, nullptr));
  auto response = spoke->AssumeRole();
  if (!response) return std::move(response).error();

  return SpokeCredentials{.credentials = std::move(response->credentials),
                          .assumed_role_arn = response->assumed_role_arn,
                          .assumed_role_id = response->assumed_role_id,
                          .hub_role_arn = plan->hub.role_arn,
                          .spoke_role_arn = plan->spoke.role_arn,
                          .hub_session_arn = hub->session_arn(),
                          .region = plan->endpoint.region};
}

Result<SpokeCredentials> GetSpokeCredentials(const SpokeCredentialsInput& input) {
  RealSystem system;
  // The chain keeps a reference to the context: it must outlive it (not a temporary).
  const SystemContext sys = system.context();
  auto profiles = LoadProfiles(sys.env, sys.files);
  if (!profiles) return std::move(profiles).error().WithCode(ErrorCode::kInvalidArgument);
  auto base = MakeDefaultCredentialsChain(sys, *profiles,
                                          DefaultChainOptions{.profile = input.profile});
  return GetSpokeCredentials(input, sys, *base, SpokeChainOptions{.profiles = &*profiles});
}

}  // namespace hubspoke
