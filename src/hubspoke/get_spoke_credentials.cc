// GetSpokeCredentials: the hub→spoke chain as one call, built from the same pieces as the
// refreshing providers (include/hubspoke/refreshing.h): the plan validates and resolves the
// input, then an assume-role provider for the spoke whose source is an assume-role provider for
// the hub whose source is the base credentials. Nothing is cached, and both hops send through
// sys.http, so they share one kept-alive connection.
#include <optional>
#include <utility>

#include "hubspoke/hubspoke.h"
#include "hubspoke/refreshing.h"
#include "hubspoke/spoke_session_cache_plan.h"

namespace hubspoke {
namespace {

// The hub hop as the spoke's source, keeping the hub session's ARN for the result.
class HubSessionRecorder final : public CredentialsProvider {
 public:
  explicit HubSessionRecorder(std::shared_ptr<AssumeRoleCredentialsProvider> hub)
      : hub_(std::move(hub)) {}
  Result<Credentials> GetCredentials() override {
    auto response = hub_->AssumeRole();
    if (!response) return std::move(response).error();
    session_arn_ = response->assumed_role_arn;
    return std::move(response->credentials);
  }
  std::string Describe() const override { return hub_->Describe(); }
  const std::string& session_arn() const { return session_arn_; }

 private:
  std::shared_ptr<AssumeRoleCredentialsProvider> hub_;
  std::string session_arn_;
};

}  // namespace

Result<SpokeCredentials> GetSpokeCredentials(const SpokeCredentialsInput& input,
                                             const SystemContext& sys, CredentialsProvider& base) {
  const std::string default_session_string =
      input.session_string.empty() ? DefaultSessionString(sys.env, sys.clock.Now()) : "";
  auto plan = PlanSpokeChain(input, sys.env, default_session_string);
  if (!plan) return std::move(plan).error();

  // Base identity, fetched (and logged) before anything goes on the wire.
  auto base_creds = FetchBaseCredentials(base, sys.log, plan->endpoint.region);
  if (!base_creds) return std::move(base_creds).error();
  sys.log.Log(LogLevel::kInfo,
              "sts endpoint: " + plan->endpoint.url + " (" + plan->endpoint.source + ")");

  // spoke ← hub ← base, one shot on this thread; transports = null: both hops use sys.http.
  auto hub = std::make_shared<HubSessionRecorder>(MakeAssumeRoleProvider(
      sys, MakeStaticCredentialsProvider(std::move(*base_creds), base.Describe()),
      HubHopOptions(*plan, nullptr)));
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
  auto base = MakeEnvironmentCredentialsProvider(system.context().env);
  return GetSpokeCredentials(input, system.context(), *base);
}

}  // namespace hubspoke
