// JWT claims (the lab's second use of nlohmann-json, kept beside the model loader).
#include <nlohmann/json.hpp>

#include "lab/jwt.h"

namespace hubspoke::lab {
namespace {

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-' || c == '+') return 62;
  if (c == '_' || c == '/') return 63;
  return -1;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = Base64UrlValue(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

Error JwtError(const std::string& what) { return Error(ErrorCode::kParse, what); }

}  // namespace

std::string Base64UrlEncode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3F];
  return out;
}

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
  } catch (const nlohmann::json::parse_error&) {
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
    out.exp = it->get<std::int64_t>();
  }
  return out;
}

}  // namespace hubspoke::lab
