// Web identity tokens (JWTs) as AssumeRoleWithWebIdentity callers send them to the lab.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "lab/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view token(reinterpret_cast<const char*>(data), size);
  auto claims = hubspoke::lab::DecodeJwtClaims(token);
  if (!claims) {
    // Errors never quote the token: each is one of these fixed texts, whatever the token.
    // (The earlier property, "the message does not contain the token", failed for a token that
    // is itself part of a message, "not a JWT (expected header.payload": found by this target.)
    static constexpr std::array<std::string_view, 9> kMessages = {
        "not a JWT (expected header.payload.signature)",
        "the JWT payload is not base64url",
        "the JWT payload is not JSON",
        "the JWT payload is not a JSON object",
        "the JWT claim iss is not a string",
        "the JWT claim sub is not a string",
        "the JWT claim aud is not a string or strings",
        "the JWT claim exp is not a number",
        "the JWT claim exp is out of range",
    };
    bool known = false;
    for (std::string_view m : kMessages) known = known || claims.error().message() == m;
    FUZZ_CHECK(known);
  }
  return 0;
}
