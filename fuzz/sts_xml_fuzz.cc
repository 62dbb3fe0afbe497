// STS responses as a server (or a man in the middle of a plain-http endpoint) may send them:
// AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity result documents.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "sts/sts_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto a = hubspoke::sts::ParseAssumeRoleResponse(xml);
  auto w = hubspoke::sts::ParseAssumeRoleWithWebIdentityResponse(xml);
  auto c = hubspoke::sts::ParseGetCallerIdentityResponse(xml);
  // A successful parse hands out credentials the chain will use: never empty ones.
  if (a) FUZZ_CHECK(!a->credentials.access_key_id.empty());
  if (w) FUZZ_CHECK(!w->credentials.access_key_id.empty());
  (void)c;
  return 0;
}
