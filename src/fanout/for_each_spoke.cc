// ForEachSpoke: one shared hub session, a spoke session per account, a bounded pool, a result
// per account.
#include <algorithm>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "chain/spoke_session_cache_plan.h"
#include "core/validate.h"
#include "hubspoke/fanout.h"
#include "hubspoke/sts_rate_limiter.h"

namespace hubspoke {
namespace {

constexpr const char* kAnyAccount = "000000000000";  // validates the input before any account

SpokeResult ChainFailure(const SpokeAccount& account, const Error& e) {
  SpokeResult r;
  r.account = account;
  r.status = SpokeStatus::kChainFailed;
  r.hop = e.hop().empty() ? "spoke" : e.hop();
  r.aws = e.aws();
  r.message = e.message();
  r.hint = e.hint();
  return r;
}

// The account of arn:PARTITION:iam::ACCOUNT:role/NAME.
std::string AccountOfRoleArn(const std::string& arn) {
  std::size_t pos = 0;
  for (int colons = 0; colons < 4; ++colons) {
    pos = arn.find(':', pos);
    if (pos == std::string::npos) return "";
    ++pos;
  }
  return arn.substr(pos, arn.find(':', pos) - pos);
}

// The first session (the spoke hop's, fetched before the function was called; or the hub
// session the caller gave), then that hop for every refresh: the caching provider over it
// starts with credentials in hand.
class FirstThenProvider final : public CredentialsProvider {
 public:
  FirstThenProvider(Credentials first, std::shared_ptr<CredentialsProvider> rest)
      : first_(std::move(first)), rest_(std::move(rest)) {}
  Result<Credentials> GetCredentials() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (first_) {
        Credentials c = std::move(*first_);
        first_.reset();
        return c;
      }
    }
    return rest_->GetCredentials();
  }
  std::string Describe() const override { return rest_->Describe(); }

 private:
  std::mutex mu_;
  std::optional<Credentials> first_;
  std::shared_ptr<CredentialsProvider> rest_;
};

}  // namespace

const char* SpokeStatusName(SpokeStatus status) {
  switch (status) {
    case SpokeStatus::kOk: return "ok";
    case SpokeStatus::kCommandFailed: return "command-failed";
    case SpokeStatus::kChainFailed: return "chain-failed";
    case SpokeStatus::kTimedOut: return "timed-out";
    case SpokeStatus::kSkipped: return "skipped";
  }
  return "unknown";
}

Result<FanoutReport> ForEachSpoke(const SystemContext& sys,
                                  std::shared_ptr<CredentialsProvider> base,
                                  const std::vector<SpokeAccount>& accounts,
                                  const ForEachSpokeOptions& options, const SpokeFunction& fn) {
  Result<ProfileSet> profiles = ProfileSet{};
  if (options.profiles != nullptr) {
    profiles = *options.profiles;
  } else {
    profiles = LoadProfiles(sys.env, sys.files);
    if (!profiles) return Error(profiles.error()).WithCode(ErrorCode::kInvalidArgument);
  }
  const std::string session_string = options.input.session_string.empty()
                                         ? DefaultSessionString(sys.env, sys.clock.Now())
                                         : options.input.session_string;
  // Everything but the account is the same for every spoke: one plan validates it all.
  SpokeCredentialsInput input = options.input;
  input.spoke_account_id = accounts.empty() ? kAnyAccount : accounts.front().id;
  auto first_plan = PlanSpokeChain(input, sys.env, *profiles, session_string);
  if (!first_plan) return std::move(first_plan).error();
  for (const SpokeAccount& a : accounts) {
    if (auto s = ValidateAccountId("spoke_account_id", a.id); !s) return std::move(s).error();
  }

  FanoutReport report;
  report.results.resize(accounts.size());
  for (std::size_t i = 0; i < accounts.size(); ++i) report.results[i].account = accounts[i];
  if (accounts.empty()) return report;

  TransportPool::Factory factory = options.transport_factory;
  if (!factory) {
    factory = [http = HttpClientOptionsFromEnvironment(sys.env)] { return MakeHttpClient(http); };
  }
  const std::size_t threads = std::max<std::size_t>(1, std::min(options.concurrency, accounts.size()));
  auto transports = std::make_shared<TransportPool>(std::move(factory), threads + 1);
  StsRateLimiters limiters(StsRateLimiterOptions{.max_rate = options.max_sts_rate});
  const std::string& region = first_plan->endpoint.region;
  // Counters the providers hold shared: a provider handed to fn may outlive this call.
  auto hub_attempts = std::make_shared<std::atomic<std::uint64_t>>(0);

  // base → hub, shared by every spoke. The hub hop's caller account is the base identity's,
  // not known before its credentials are: its limiter is named "base".
  auto base_session = MakeCachingProvider(MakeBaseHopProvider(std::move(base), sys.log, region),
                                          sys.clock, sys.log, options.caching);
  AssumeRoleProviderOptions hub_options = HubHopOptions(*first_plan, transports);
  hub_options.sts.limiter = limiters.For("base", region);
  hub_options.sts.on_attempt = [hub_attempts] { hub_attempts->fetch_add(1); };
  std::shared_ptr<CredentialsProvider> hub_hop =
      MakeAssumeRoleProvider(sys, base_session, std::move(hub_options));
  if (options.hub_session) {
    hub_hop = std::make_shared<FirstThenProvider>(*options.hub_session, std::move(hub_hop));
  }
  auto hub_session = MakeCachingProvider(std::move(hub_hop), sys.clock, sys.log, options.caching);
  const std::string hub_account = AccountOfRoleArn(first_plan->hub.role_arn);
  auto spoke_limiter = limiters.For(hub_account, region);

  std::mutex mu;  // report counters, callbacks, `stop`
  bool stop = false;
  auto finish = [&](std::size_t i, SpokeResult result) {
    std::lock_guard<std::mutex> lock(mu);
    if (result.status == SpokeStatus::kOk) {
      ++report.ok;
    } else if (result.status == SpokeStatus::kSkipped) {
      ++report.skipped;
    } else {
      ++report.failed;
      if (options.fail_fast) stop = true;
    }
    report.results[i] = std::move(result);
    if (options.on_finish) options.on_finish(report.results[i], i);
  };

  if (auto hub = hub_session->GetSharedCredentials(); !hub) {
    // Nothing can succeed; say so once per account and call nothing.
    for (std::size_t i = 0; i < accounts.size(); ++i) finish(i, ChainFailure(accounts[i], hub.error()));
    report.sts_attempts = hub_attempts->load();
    report.sts_throttled = limiters.For("base", region)->stats().throttled;
    return report;
  }

  const FanoutCancellation never;
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= accounts.size()) return;
      const SpokeAccount& account = accounts[i];
      {
        std::lock_guard<std::mutex> lock(mu);
        const bool cancelled = options.cancellation && options.cancellation->cancelled();
        if (stop || cancelled) {
          ++report.skipped;
          report.results[i].status = SpokeStatus::kSkipped;
          if (options.on_finish) options.on_finish(report.results[i], i);
          continue;
        }
        if (options.on_start) options.on_start(account, i);
      }
      SpokeResult result;
      result.account = account;
      result.start = sys.clock.Now();
      const auto started = sys.clock.Monotonic();
      auto elapsed = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(sys.clock.Monotonic() -
                                                                     started);
      };
      SpokeCredentialsInput spoke_input = options.input;
      spoke_input.spoke_account_id = account.id;
      auto plan = PlanSpokeChain(spoke_input, sys.env, *profiles, session_string);
      if (!plan) {
        SpokeResult failed = ChainFailure(account, plan.error());
        failed.start = result.start;
        finish(i, std::move(failed));
        continue;
      }
      result.role_arn = plan->spoke.role_arn;
      auto attempts = std::make_shared<std::atomic<int>>(0);
      AssumeRoleProviderOptions spoke_options = SpokeHopOptions(*plan, transports);
      spoke_options.sts.limiter = spoke_limiter;
      spoke_options.sts.on_attempt = [attempts] { attempts->fetch_add(1); };
      auto spoke_hop = MakeAssumeRoleProvider(sys, hub_session, std::move(spoke_options));
      // A chain failure of this account, with what is known of it so far.
      auto chain_failed = [&](const Error& e) {
        SpokeResult failed = ChainFailure(account, e);
        failed.role_arn = result.role_arn;
        failed.start = result.start;
        failed.duration = elapsed();
        failed.sts_attempts = attempts->load();
        finish(i, std::move(failed));
      };
      auto first = spoke_hop->AssumeRole();
      if (!first) {
        chain_failed(first.error());
        continue;
      }
      // Later refreshes (a long function) go through the same hop; the first session is in
      // hand already.
      auto spoke_session = MakeCachingProvider(
          std::make_shared<FirstThenProvider>(std::move(first->credentials), spoke_hop),
          sys.clock, sys.log, options.caching);
      if (auto primed = spoke_session->GetSharedCredentials(); !primed) {
        chain_failed(primed.error());
        continue;
      }
      SpokeOutcome outcome;
      try {
        SpokeTask task{.account = account,
                       .index = i,
                       .credentials = spoke_session,
                       .region = plan->endpoint.region,
                       .role_arn = plan->spoke.role_arn,
                       .assumed_role_arn = first->assumed_role_arn,
                       .cancellation = options.cancellation ? *options.cancellation : never};
        outcome = fn(task);
      } catch (const std::exception& e) {
        outcome = SpokeOutcome::Failed(std::string("the function threw: ") + e.what());
      } catch (...) {
        outcome = SpokeOutcome::Failed("the function threw");
      }
      result.status = outcome.status == SpokeStatus::kChainFailed ? SpokeStatus::kCommandFailed
                                                                   : outcome.status;
      result.exit_status = outcome.exit_status;
      result.signal = outcome.signal;
      result.message = std::move(outcome.message);
      result.duration = elapsed();
      result.sts_attempts = attempts->load();
      finish(i, std::move(result));
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();

  report.cancelled = options.cancellation && options.cancellation->cancelled();
  report.sts_attempts = hub_attempts->load() + spoke_limiter->stats().attempts;
  report.sts_throttled =
      limiters.For("base", region)->stats().throttled + spoke_limiter->stats().throttled;
  return report;
}

}  // namespace hubspoke
