// SpokeSessionCache: one refreshing provider per spoke session key, sharing hub sessions.
#include "hubspoke/spoke_session_cache.h"

#include <map>
#include <shared_mutex>
#include <utility>

#include "chain/spoke_session_cache_plan.h"

namespace hubspoke {

struct SpokeSessionCache::Impl {
  Impl(const SystemContext& system, SpokeSessionCacheOptions opts)
      : sys(system), options(std::move(opts)) {}

  const SystemContext sys;
  SpokeSessionCacheOptions options;
  std::string default_session_string;
  Result<ProfileSet> profiles = ProfileSet{};
  std::shared_ptr<TransportPool> transports;
  std::shared_ptr<CachingCredentialsProvider> base;  // caching, errors named "base hop"

  mutable std::shared_mutex mu;
  // Hub sessions by SpokeSessionKey::hub, shared by their spokes.
  std::map<std::string, std::shared_ptr<CachingCredentialsProvider>> hubs;
  std::map<SpokeSessionKey, std::shared_ptr<CachingCredentialsProvider>> spokes;
};

SpokeSessionCache::SpokeSessionCache(const SystemContext& sys,
                                     std::shared_ptr<CredentialsProvider> base,
                                     SpokeSessionCacheOptions options)
    : impl_(std::make_unique<Impl>(sys, std::move(options))) {
  Impl& d = *impl_;
  d.default_session_string = d.options.default_session_string.empty()
                                 ? DefaultSessionString(sys.env, sys.clock.Now())
                                 : d.options.default_session_string;
  TransportPool::Factory factory = d.options.transport_factory;
  if (!factory) {
    factory = [http = HttpClientOptionsFromEnvironment(sys.env)] { return MakeHttpClient(http); };
  }
  d.transports = std::make_shared<TransportPool>(std::move(factory), d.options.max_idle_transports);
  if (d.options.profiles != nullptr) {
    d.profiles = *d.options.profiles;
  } else {
    d.profiles = LoadProfiles(sys.env, sys.files);
    if (!d.profiles) d.profiles = Error(d.profiles.error()).WithCode(ErrorCode::kInvalidArgument);
  }
  d.options.profiles = nullptr;  // not kept: the copy above is
  // The region only feeds the base hint, which does not depend on it.
  d.base = MakeCachingProvider(
      MakeBaseHopProvider(std::move(base), sys.log, std::string()),
      sys.clock, sys.log, d.options.caching);
}

SpokeSessionCache::~SpokeSessionCache() = default;

Result<SpokeSessionKey> SpokeSessionCache::KeyFor(const SpokeCredentialsInput& input) const {
  if (!impl_->profiles) return impl_->profiles.error();
  auto plan =
      PlanSpokeChain(input, impl_->sys.env, *impl_->profiles, impl_->default_session_string);
  if (!plan) return std::move(plan).error();
  return SpokeSessionKeyOf(*plan);
}

Result<std::shared_ptr<CachingCredentialsProvider>> SpokeSessionCache::Get(
    const SpokeCredentialsInput& input) {
  Impl& d = *impl_;
  if (!d.profiles) return d.profiles.error();
  auto plan = PlanSpokeChain(input, d.sys.env, *d.profiles, d.default_session_string);
  if (!plan) return std::move(plan).error();
  SpokeSessionKey key = SpokeSessionKeyOf(*plan);
  {
    std::shared_lock<std::shared_mutex> lock(d.mu);
    if (auto it = d.spokes.find(key); it != d.spokes.end()) return it->second;
  }
  std::shared_ptr<CachingCredentialsProvider> spoke;
  bool new_hub = false;
  {
    std::unique_lock<std::shared_mutex> lock(d.mu);
    if (auto it = d.spokes.find(key); it != d.spokes.end()) return it->second;
    // Providers are lazy (no network call until used), so making them under the lock is cheap.
    std::shared_ptr<CachingCredentialsProvider>& hub = d.hubs[key.hub];
    if (!hub) {
      new_hub = true;
      hub = MakeCachingProvider(
          MakeAssumeRoleProvider(d.sys, d.base, HubHopOptions(*plan, d.transports)), d.sys.clock,
          d.sys.log, d.options.caching);
    }
    spoke = MakeCachingProvider(
        MakeAssumeRoleProvider(d.sys, hub, SpokeHopOptions(*plan, d.transports)), d.sys.clock,
        d.sys.log, d.options.caching);
    d.spokes.emplace(std::move(key), spoke);
  }
  if (d.sys.log.Enabled(LogLevel::kDebug)) {
    if (new_hub) {
      d.sys.log.Log(LogLevel::kDebug, "session cache: new hub session " + plan->hub.role_arn +
                                          " session " + plan->hub.role_session_name + " via " +
                                          plan->endpoint.url + " (" + plan->endpoint.source + ")");
    }
    d.sys.log.Log(LogLevel::kDebug, "session cache: new spoke session " + plan->spoke.role_arn +
                                        " session " + plan->spoke.role_session_name);
  }
  return spoke;
}

std::size_t SpokeSessionCache::spoke_sessions() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->spokes.size();
}

std::size_t SpokeSessionCache::hub_sessions() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mu);
  return impl_->hubs.size();
}

}  // namespace hubspoke
