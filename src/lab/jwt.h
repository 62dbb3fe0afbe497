// The claims of a web identity token (a JWT), for AssumeRoleWithWebIdentity in the lab.
// Security: the lab does NOT verify the token's signature (it has no way to fetch the issuer's
// keys offline); it reads the claims and checks them against the model and the trust policy.
// Never use the lab to decide whether a real token is trustworthy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/result.h"

namespace hubspoke::lab {

struct JwtClaims {
  std::string iss;
  std::string sub;
  std::vector<std::string> aud;  // "aud" may be a string or an array
  std::optional<std::int64_t> exp;  // seconds since the epoch
};

// Splits header.payload.signature, base64url-decodes the payload and reads its claims.
// kParse errors say what is wrong without quoting the token.
Result<JwtClaims> DecodeJwtClaims(std::string_view token);

}  // namespace hubspoke::lab
