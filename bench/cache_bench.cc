// cache_bench: what the credential caches cost (Google Benchmark; bench/run --suite cache, which
// runs bench/cache_bench.py and writes docs/PERFORMANCE.md's cache section).
//
//   BM_CachingProviderHit        GetSharedCredentials() on a warm MakeCachingProvider over a
//                                trivial in-process provider (far-future expiration): the cost
//                                of a cache hit, from 1 and from 64 threads.
//   BM_SpokeSessionCacheGet      SpokeSessionCache::Get(input) + GetSharedCredentials() on a
//                                warm key: what a caller pays per request when it does not hold
//                                on to the provider (Get validates and resolves its input every
//                                time), from 1 and from 64 threads.
//   BM_ChainPerRequest           the naive alternative: GetSpokeCredentials() (hub AssumeRole +
//                                spoke AssumeRole, one kept-alive connection) for every request,
//                                against the in-process lab on loopback, i.e. with no network
//                                latency at all; a real STS adds tens of ms per call.
//   BM_StsCalls/N/M/T            N Get()+GetSharedCredentials() requests round-robin over M spoke
//                                accounts from T threads on a cold SpokeSessionCache; counts the
//                                STS calls it makes (expected: 1 hub + M spoke AssumeRole). One
//                                iteration each; the time is the whole run, STS calls included.
//
// The caches use only the public API (include/hubspoke/). The STS they talk to is the project's
// lab (src/lab/, started in-process on 127.0.0.1 as `assume-spoke-role demo` does), which has
// no public API: this target includes src/ privately, like hubspoke_tests. That is acceptable
// for a benchmark; nothing the caches do depends on it. The lab verifies every SigV4 signature
// and evaluates the trust and identity policies, so the counted calls are real AssumeRoles.
//
// The lab's model is the built-in one (docs/lab.md) with the spoke role deployed to
// kSpokeAccounts accounts instead of two (the "accounts" list of a role, as a StackSet deploys
// it), so M distinct accounts really are M distinct spoke sessions of M roles.
// STS calls are counted by a decorator around every transport the cache's pool makes
// (SpokeSessionCacheOptions::transport_factory), and checked against the number of sessions
// the lab issued.
#include <benchmark/benchmark.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hubspoke/hubspoke.h"
#include "hubspoke/credentials_provider.h"
#include "hubspoke/refreshing.h"
#include "hubspoke/system.h"
// Internal (the lab), see above.
#include "lab/lab_server.h"
#include "iam/model.h"
#include "lab/sts_service.h"

namespace {

using namespace hubspoke;  // NOLINT: a benchmark file

constexpr int kSpokeAccounts = 50;  // spoke accounts in the benchmark's lab model
constexpr char kHubRole[] = "automation-hub-role";
constexpr char kSpokeRole[] = "automation-spoke-role";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "cache_bench: %s\n", what.c_str());
  std::exit(1);
}

// The i-th spoke account: the built-in model's two, then made-up ids.
std::string SpokeAccount(int i) {
  if (i == 0) return iam::kBuiltinSpokeAccount;
  if (i == 1) return iam::kBuiltinSpokeAccount2;
  return std::string(i < 10 ? "30000000000" : "3000000000") + std::to_string(i);  // i < 100
}

void ReplaceOnce(std::string& text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos) Die("the built-in lab model changed: no " + from);
  text.replace(at, from.size(), to);
}

// The built-in model with the spoke role in kSpokeAccounts accounts.
iam::Model BenchModel() {
  std::string text(iam::BuiltinModelJson());
  std::string more_accounts;
  std::string spoke_accounts;
  for (int i = 0; i < kSpokeAccounts; ++i) {
    if (i >= 2) {
      more_accounts += ",\n    {\"id\": \"" + SpokeAccount(i) + "\", \"name\": \"spoke-" +
                       std::to_string(i) + "\"}";
    }
    spoke_accounts += (i ? ", \"" : "\"") + SpokeAccount(i) + "\"";
  }
  ReplaceOnce(text, "{\"id\": \"777777777777\", \"name\": \"spoke-b\"}",
              "{\"id\": \"777777777777\", \"name\": \"spoke-b\"}" + more_accounts);
  ReplaceOnce(text, "\"accounts\": [\"888888888888\", \"777777777777\"]",
              "\"accounts\": [" + spoke_accounts + "]");
  auto model = iam::ParseModel(text, "cache_bench model");
  if (!model) Die(model.error().ToString());
  return std::move(model).value();
}

// The lab on 127.0.0.1 (a free port), for the whole run.
class Lab {
 public:
  Lab() : log_(MakeNullLogger()) {
    auto lab = lab::LabServer::Start(BenchModel(), SystemClock(), *log_,
                                     lab::StsServiceOptions{.seed = 42},
                                     ServerOptions{.threads = 2});
    if (!lab) Die("starting the lab: " + lab.error().ToString());
    lab_ = std::move(lab).value();
  }
  std::string url() const { return lab_->url(); }
  std::uint64_t sessions_issued() const { return lab_->service().sessions_issued(); }

 private:
  std::unique_ptr<Logger> log_;
  std::unique_ptr<lab::LabServer> lab_;
};

Lab& TheLab() {
  static Lab lab;
  return lab;
}

// STS calls made through the transports of one cache.
struct StsCalls {
  std::atomic<long> hub{0};
  std::atomic<long> spoke{0};
  std::atomic<long> other{0};
  long total() const { return hub + spoke + other; }
};

class CountingTransport final : public HttpTransport {
 public:
  CountingTransport(std::unique_ptr<HttpTransport> inner, std::shared_ptr<StsCalls> calls)
      : inner_(std::move(inner)), calls_(std::move(calls)) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    const std::string& b = request.body;
    if (b.find("Action=AssumeRole") != std::string::npos &&
        b.find(kHubRole) != std::string::npos) {
      ++calls_->hub;
    } else if (b.find("Action=AssumeRole") != std::string::npos &&
               b.find(kSpokeRole) != std::string::npos) {
      ++calls_->spoke;
    } else {
      ++calls_->other;
    }
    return inner_->Send(request);
  }

 private:
  std::unique_ptr<HttpTransport> inner_;
  std::shared_ptr<StsCalls> calls_;
};

// The cache must never send through sys.http; this one fails loudly if it does.
class NoTransport final : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest&) override {
    Die("something sent through sys.http");
  }
};

Credentials BaseCredentials() {
  Credentials c;
  c.access_key_id = iam::kBuiltinAccessKeyId;
  c.secret_access_key = SecretString(iam::kBuiltinSecretAccessKey);
  return c;
}

SpokeCredentialsInput Input(const std::string& spoke_account) {
  return SpokeCredentialsInput{.hub_account_id = iam::kBuiltinHubAccount,
                               .spoke_account_id = spoke_account,
                               .hub_role_name = kHubRole,
                               .spoke_role_name = kSpokeRole,
                               .external_id = iam::kBuiltinExternalId,
                               .session_string = "cache-bench"};
}

// A SystemContext pointing at the lab, and a SpokeSessionCache whose STS calls are counted.
class CacheWorld {
 public:
  CacheWorld()
      : env_(MakeMapEnvironment({{"AWS_ENDPOINT_URL", TheLab().url()},
                                 {"AWS_REGION", "us-east-1"}})),
        log_(MakeNullLogger()),
        random_(MakeSystemRandom()),
        files_(MakeRealFileSystem()),
        processes_(MakeRealProcessRunner()),
        sys_{SystemClock(), *env_, no_http_, *log_, *random_, *files_, *processes_} {}

  std::unique_ptr<SpokeSessionCache> NewCache(std::shared_ptr<StsCalls> calls) const {
    SpokeSessionCacheOptions options;
    options.transport_factory = [calls]() -> std::unique_ptr<HttpTransport> {
      return std::make_unique<CountingTransport>(MakeHttpClient({}), calls);
    };
    return std::make_unique<SpokeSessionCache>(
        sys_, std::shared_ptr<CredentialsProvider>(
                  MakeStaticCredentialsProvider(BaseCredentials(), "bench base")),
        std::move(options));
  }
  const SystemContext& sys() const { return sys_; }
  const Environment& env() const { return *env_; }

 private:
  std::unique_ptr<Environment> env_;
  std::unique_ptr<Logger> log_;
  std::unique_ptr<Random> random_;
  std::unique_ptr<FileSystem> files_;
  std::unique_ptr<ProcessRunner> processes_;
  NoTransport no_http_;
  SystemContext sys_;
};

CacheWorld& TheWorld() {
  static CacheWorld world;
  return world;
}

// ---- BM_CachingProviderHit ------------------------------------------------------------------

// A trivial in-process provider: fixed credentials that expire in ten years.
class FixedProvider final : public CredentialsProvider {
 public:
  Result<Credentials> GetCredentials() override {
    Credentials c;
    c.access_key_id = "ASIABENCHBENCHBENCH1";
    c.secret_access_key = SecretString("benchSecret/EXAMPLEKEY/0000000000000000000");
    c.session_token = SecretString("benchToken");
    c.expiration = std::chrono::time_point_cast<std::chrono::seconds>(
        std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 10));
    return c;
  }
  std::string Describe() const override { return "bench fixed credentials"; }
};

CachingCredentialsProvider& WarmCachingProvider() {
  static std::unique_ptr<Logger> log = MakeNullLogger();
  static std::shared_ptr<CachingCredentialsProvider> provider = [] {
    auto p = MakeCachingProvider(std::make_shared<FixedProvider>(), SystemClock(), *log);
    if (auto warm = p->GetSharedCredentials(); !warm) Die(warm.error().ToString());
    return p;
  }();
  return *provider;
}

void BM_CachingProviderHit(benchmark::State& state) {
  CachingCredentialsProvider& provider = WarmCachingProvider();
  for (auto _ : state) {
    auto credentials = provider.GetSharedCredentials();
    if (!credentials) Die(credentials.error().ToString());
    benchmark::DoNotOptimize(credentials->get());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CachingProviderHit)->Threads(1)->Threads(64)->UseRealTime();

// ---- BM_SpokeSessionCacheGet ----------------------------------------------------------------

struct WarmCache {
  std::shared_ptr<StsCalls> calls = std::make_shared<StsCalls>();
  std::unique_ptr<SpokeSessionCache> cache = TheWorld().NewCache(calls);
  SpokeCredentialsInput input = Input(SpokeAccount(0));
  long calls_when_warm = 0;
};

WarmCache& TheWarmCache() {
  static WarmCache warm = [] {
    WarmCache w;
    auto spoke = w.cache->Get(w.input);
    if (!spoke) Die(spoke.error().ToString());
    if (auto c = (*spoke)->GetSharedCredentials(); !c) Die(c.error().ToString());
    w.calls_when_warm = w.calls->total();
    return w;
  }();
  return warm;
}

void BM_SpokeSessionCacheGet(benchmark::State& state) {
  WarmCache& warm = TheWarmCache();
  for (auto _ : state) {
    auto spoke = warm.cache->Get(warm.input);
    if (!spoke) Die(spoke.error().ToString());
    auto credentials = (*spoke)->GetSharedCredentials();
    if (!credentials) Die(credentials.error().ToString());
    benchmark::DoNotOptimize(credentials->get());
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    // STS calls made while measuring: 0 unless a session refreshed (it would show here).
    state.counters["sts_calls_measured"] =
        static_cast<double>(warm.calls->total() - warm.calls_when_warm);
  }
}
BENCHMARK(BM_SpokeSessionCacheGet)->Threads(1)->Threads(64)->UseRealTime();

// ---- BM_ChainPerRequest ---------------------------------------------------------------------

void BM_ChainPerRequest(benchmark::State& state) {
  CacheWorld& world = TheWorld();
  // One thread, so sys.http may be one kept-alive client (as the CLI uses it).
  auto http = MakeHttpClient({});
  SystemContext sys{world.sys().clock, world.env(), *http, world.sys().log, world.sys().random,
                    world.sys().files, world.sys().processes};
  auto base = MakeStaticCredentialsProvider(BaseCredentials(), "bench base");
  const SpokeCredentialsInput input = Input(SpokeAccount(0));
  for (auto _ : state) {
    auto spoke = GetSpokeCredentials(input, sys, *base);
    if (!spoke) Die(spoke.error().ToString());
    benchmark::DoNotOptimize(spoke->credentials.access_key_id.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["sts_calls_per_request"] = 2;
}
// Every iteration leaves two sessions in the lab's memory: keep the run short.
BENCHMARK(BM_ChainPerRequest)->UseRealTime()->Unit(benchmark::kMicrosecond)->MinTime(0.5);

// ---- BM_StsCalls --------------------------------------------------------------------------------

void BM_StsCalls(benchmark::State& state) {
  const long requests = state.range(0);
  const int accounts = static_cast<int>(state.range(1));
  const int threads = static_cast<int>(state.range(2));
  if (accounts < 1 || accounts > kSpokeAccounts) Die("accounts must be 1.." +
                                                     std::to_string(kSpokeAccounts));
  std::vector<SpokeCredentialsInput> inputs;
  for (int a = 0; a < accounts; ++a) inputs.push_back(Input(SpokeAccount(a)));
  std::atomic<long> failures{0};
  StsCalls totals;
  long issued = 0;
  for (auto _ : state) {
    auto calls = std::make_shared<StsCalls>();
    auto cache = TheWorld().NewCache(calls);  // cold
    const std::size_t issued_before = TheLab().sessions_issued();
    std::barrier start(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        start.arrive_and_wait();
        for (long i = t; i < requests; i += threads) {
          auto spoke = cache->Get(inputs[static_cast<std::size_t>(i % accounts)]);
          if (!spoke || !(*spoke)->GetSharedCredentials()) ++failures;
        }
      });
    }
    for (std::thread& th : pool) th.join();
    issued += static_cast<long>(TheLab().sessions_issued() - issued_before);
    totals.hub += calls->hub;
    totals.spoke += calls->spoke;
    totals.other += calls->other;
  }
  if (failures) {
    state.SkipWithError((std::to_string(failures.load()) + " requests failed").c_str());
    return;
  }
  const double runs = static_cast<double>(state.iterations());
  state.counters["requests"] = static_cast<double>(requests);
  state.counters["accounts"] = accounts;
  state.counters["client_threads"] = threads;
  state.counters["hub_calls"] = static_cast<double>(totals.hub) / runs;
  state.counters["spoke_calls"] = static_cast<double>(totals.spoke) / runs;
  state.counters["other_calls"] = static_cast<double>(totals.other) / runs;
  state.counters["sts_calls"] = static_cast<double>(totals.total()) / runs;
  state.counters["lab_sessions_issued"] = static_cast<double>(issued) / runs;
  // The naive alternative: one AssumeRole per request (the spoke hop only, hub cached; the
  // whole chain per request would be 2 per request).
  state.counters["naive_sts_calls"] = static_cast<double>(requests);
}
BENCHMARK(BM_StsCalls)
    ->ArgNames({"requests", "accounts", "threads"})
    ->ArgsProduct({{10000}, {1, 10, kSpokeAccounts}, {1, 64}})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
