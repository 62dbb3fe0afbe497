// JWT claims of a web identity token, for the lab's AssumeRoleWithWebIdentity (nlohmann-json).
#include <cstdint>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "lab/jwt.h"

namespace hubspoke::lab {
namespace {

Error JwtError(const std::string& what) { return Error(ErrorCode::kParse, what); }

}  // namespace

Result<JwtClaims> DecodeJwtClaims(std::string_view token) {
  std::size_t a = token.find('.');
  std::size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) {
    return JwtError("not a JWT (expected header.payload.signature)");
  }
  auto payload = Base64UrlDecode(token.substr(a + 1, b - a - 1));
  if (!payload) return JwtError("the JWT payload is not base64url");
  nlohmann::json claims;
  try {
    claims = nlohmann::json::parse(*payload);
  } catch (const nlohmann::json::exception&) {
    // parse_error, or out_of_range for a number too large for a double ("exp": 1E800), which
    // escaped as an exception and ended the lab (found by fuzz/jwt_fuzz.cc).
    return JwtError("the JWT payload is not JSON");
  }
  if (!claims.is_object()) return JwtError("the JWT payload is not a JSON object");
  JwtClaims out;
  auto str = [&](const char* key, std::string& into) -> Status {
    auto it = claims.find(key);
    if (it == claims.end()) return Ok();
    if (!it->is_string()) return JwtError(std::string("the JWT claim ") + key + " is not a string");
    into = it->get<std::string>();
    return Ok();
  };
  if (auto s = str("iss", out.iss); !s) return std::move(s).error();
  if (auto s = str("sub", out.sub); !s) return std::move(s).error();
  if (auto it = claims.find("aud"); it != claims.end()) {
    if (it->is_string()) {
      out.aud.push_back(it->get<std::string>());
    } else if (it->is_array()) {
      for (const auto& v : *it) {
        if (!v.is_string()) return JwtError("the JWT claim aud is not a string or strings");
        out.aud.push_back(v.get<std::string>());
      }
    } else {
      return JwtError("the JWT claim aud is not a string or strings");
    }
  }
  if (auto it = claims.find("exp"); it != claims.end()) {
    if (!it->is_number()) return JwtError("the JWT claim exp is not a number");
    // A NumericDate may have a fraction; one outside int64 (2e20, or an unsigned past 2^63)
    // made get<int64_t>() undefined behaviour (found by fuzz/jwt_fuzz.cc).
    if (it->is_number_float()) {
      const double d = it->get<double>();
      if (!(d > -9.2e18 && d < 9.2e18)) return JwtError("the JWT claim exp is out of range");
      out.exp = static_cast<std::int64_t>(d);
    } else if (it->is_number_unsigned() &&
               it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      return JwtError("the JWT claim exp is out of range");
    } else {
      out.exp = it->get<std::int64_t>();
    }
  }
  return out;
}

}  // namespace hubspoke::lab
