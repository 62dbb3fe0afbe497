// Web identity tokens (JWTs) as AssumeRoleWithWebIdentity callers send them to the lab.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "lab/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view token(reinterpret_cast<const char*>(data), size);
  auto claims = hubspoke::lab::DecodeJwtClaims(token);
  if (!claims) {
    // Errors never quote the token (long enough not to occur in a message by chance).
    if (token.size() >= 32) {
      FUZZ_CHECK(claims.error().message().find(token) == std::string::npos);
    }
  }
  return 0;
}
