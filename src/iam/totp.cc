#include "iam/totp.h"

#include <array>
#include <cstdio>

#include "crypto/sha1.h"

namespace hubspoke::iam {
namespace {

crypto::Sha1Digest HmacSha1(std::string_view key, std::string_view data) {
  constexpr std::size_t kBlock = 64;  // SHA-1's block size (RFC 2104)
  std::string k(key);
  if (k.size() > kBlock) {
    auto digest = crypto::Sha1(k);
    k.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  }
  k.resize(kBlock, '\0');
  std::string inner(kBlock, '\0'), outer(kBlock, '\0');
  for (std::size_t i = 0; i < kBlock; ++i) {
    inner[i] = static_cast<char>(k[i] ^ 0x36);
    outer[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  auto inner_digest = crypto::Sha1(inner.append(data));
  outer.append(reinterpret_cast<const char*>(inner_digest.data()), inner_digest.size());
  return crypto::Sha1(outer);
}

}  // namespace

std::optional<std::string> DecodeBase32(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a';
    } else if (c >= '2' && c <= '7') {
      v = c - '2' + 26;
    } else if (c == ' ' || c == '=') {
      continue;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 5) | static_cast<unsigned>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string Hotp(std::string_view key, std::uint64_t step, int digits) {
  std::string counter(8, '\0');
  for (int i = 7; i >= 0; --i) {
    counter[static_cast<std::size_t>(i)] = static_cast<char>(step & 0xff);
    step >>= 8;
  }
  auto mac = HmacSha1(key, counter);
  // Dynamic truncation (RFC 4226 5.3).
  const std::size_t offset = mac[19] & 0x0f;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) |
                               static_cast<std::uint32_t>(mac[offset + 3]);
  std::uint32_t modulo = 1;
  for (int i = 0; i < digits; ++i) modulo *= 10;
  std::string code = std::to_string(binary % modulo);
  return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::uint64_t TotpStep(std::int64_t unix_seconds) {
  return unix_seconds < 0 ? 0 : static_cast<std::uint64_t>(unix_seconds) / 30;
}

std::optional<std::uint64_t> MatchTotp(std::string_view key, std::string_view code,
                                       std::int64_t unix_seconds) {
  const std::uint64_t now = TotpStep(unix_seconds);
  for (std::uint64_t step : {now, now + 1, now - 1}) {
    if (step > now + 1) continue;  // now == 0: no step before it
    if (Hotp(key, step, static_cast<int>(code.size())) == code && code.size() == 6) return step;
  }
  return std::nullopt;
}

}  // namespace hubspoke::iam
