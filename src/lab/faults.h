// Fault injection for the lab: a compact, seeded spec turned into the HttpServer's FaultHook.
//
//   seed=42,throttle=0.2,500=0.05,503=0.1,latency=50ms@0.3,drop=0.05,truncate=0.05,
//   garbage=0.05,skew=+20m,first=3:throttle,every=10:503
//
// - KIND=P (throttle, 500, 503, drop, truncate, garbage): each request suffers KIND with
//   probability P (the probabilities together at most 1; one fault per request).
//   throttle → 400 Throttling "Rate exceeded"; 500 → InternalFailure; 503 → ServiceUnavailable;
//   drop → the connection is closed without a response; truncate → the response is cut short;
//   garbage → bytes that are not HTTP.
// - latency=D[@P]: D (e.g. 50ms, 2s) added to a request's response with probability P (1).
// - skew=±D: the lab's clock runs D ahead (+) or behind (-): clients see RequestExpired beyond
//   15 minutes, and credentials that expire early or late.
// - first=N:KIND: the first N requests suffer KIND; every=N:KIND: every Nth request does.
//   Schedules win over probabilities.
// - seed=S: the decisions are a pure function of (seed, request number), so a sequential
//   client sees the same faults on every run (default seed 1).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/result.h"
#include "hubspoke/system.h"
#include "http_server/http_server.h"

namespace hubspoke::lab {

enum class FaultKind { kThrottle, k500, k503, kDrop, kTruncate, kGarbage };
const char* FaultKindName(FaultKind kind);  // "throttle", "500", …

struct FaultSpec {
  std::uint64_t seed = 1;
  std::vector<std::pair<FaultKind, double>> probabilities;
  std::chrono::milliseconds latency{0};
  double latency_probability = 0;
  std::chrono::seconds skew{0};
  struct Schedule {
    bool every = false;  // false: the first `n` requests; true: every `n`th
    std::uint64_t n = 0;
    FaultKind kind = FaultKind::kThrottle;
  };
  std::vector<Schedule> schedules;

  bool empty() const {
    return probabilities.empty() && latency_probability == 0 && schedules.empty();
  }
};

// A duration as the spec writes it: "50ms", "2s", "20m", "1h" (a bare number is milliseconds);
// nullopt when it is not one. Also `lab --sts-latency`.
std::optional<std::chrono::milliseconds> ParseFaultDuration(std::string_view text);

// kInvalidArgument errors name the offending item: "--faults: 'throttle=2': …".
Result<FaultSpec> ParseFaultSpec(std::string_view text);

// Decides the fault for each request (thread-safe; logs each injected fault at kInfo).
class FaultInjector {
 public:
  // `id_seed` makes the request ids of injected errors: the lab's id seed (random unless --seed
  // is given), so that two runs with the same fault spec do not hand out the same ids, while
  // the faults themselves stay a function of the spec's seed.
  FaultInjector(FaultSpec spec, Logger& log, std::uint64_t id_seed)
      : spec_(std::move(spec)), log_(log), id_seed_(id_seed) {}
  FaultAction Decide(const ServerRequest& request);
  // A hook calling Decide(); the injector must outlive the server.
  FaultHook AsHook();
  std::uint64_t requests() const { return counter_.load(); }

 private:
  FaultSpec spec_;
  Logger& log_;
  std::uint64_t id_seed_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace hubspoke::lab
