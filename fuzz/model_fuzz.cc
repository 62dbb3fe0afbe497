// The lab's IAM model files (`lab --model`, `explain --model`): an organization, accounts,
// users, roles and their policies, in JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "iam/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto model = hubspoke::iam::ParseModel(text, "fuzz.json");
  if (!model) {
    // Errors name the source first.
    FUZZ_CHECK(model.error().message().rfind("fuzz.json", 0) == 0);
  }
  return 0;
}
