// The lab's --faults spec ("seed=7,throttle=0.1,latency=50ms@0.2,first=3:500,…") and durations.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "lab/faults.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)hubspoke::lab::ParseFaultDuration(text);
  auto spec = hubspoke::lab::ParseFaultSpec(text);
  if (spec) {
    for (const auto& [kind, p] : spec->probabilities) {
      FUZZ_CHECK(p >= 0 && p <= 1);
      (void)hubspoke::lab::FaultKindName(kind);
    }
    FUZZ_CHECK(spec->latency_probability >= 0 && spec->latency_probability <= 1);
    FUZZ_CHECK(spec->latency.count() >= 0);
  } else {
    FUZZ_CHECK(spec.error().message().find('\n') == std::string::npos);
  }
  return 0;
}
