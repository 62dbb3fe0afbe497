// The lab's stateless tokens (field_sealer.h).
#include "lab/field_sealer.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <stdexcept>

#include "core/base64.h"
#include "core/strings.h"
#include "core/time.h"
#include "crypto/random.h"
#include "crypto/sha256.h"

namespace hubspoke::lab {
namespace {

constexpr std::size_t kMaxTokenBytes = 4096;

std::string MacOf(const std::string& key, std::string_view sealed) {
  const crypto::Digest mac = crypto::HmacSha256(key, sealed);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

}  // namespace

FieldSealer::FieldSealer(std::string_view what) {
  std::array<unsigned char, 32> key{};
  if (!crypto::RandomBytes(key)) {
    throw std::runtime_error("lab: no random bytes for the " + std::string(what) + " key");
  }
  key_.assign(reinterpret_cast<const char*>(key.data()), key.size());
  crypto::SecureWipe(key);
}

FieldSealer::~FieldSealer() {
  crypto::SecureWipe(std::span(reinterpret_cast<unsigned char*>(key_.data()), key_.size()));
}

std::string FieldSealer::Seal(std::string_view prefix, const Fields& fields) const {
  std::string payload;
  for (const std::string& f : fields) payload += f + "\n";
  const std::string sealed = std::string(prefix) + Base64UrlEncode(payload);
  return sealed + "." + MacOf(key_, sealed);
}

std::optional<FieldSealer::Fields> FieldSealer::Open(std::string_view prefix,
                                                     std::string_view token,
                                                     std::size_t count) const {
  if (!token.starts_with(prefix) || token.size() > kMaxTokenBytes) return std::nullopt;
  const std::size_t dot = token.rfind('.');
  if (dot == std::string_view::npos || dot < prefix.size()) return std::nullopt;
  if (!crypto::ConstantTimeEquals(MacOf(key_, token.substr(0, dot)), token.substr(dot + 1))) {
    return std::nullopt;
  }
  auto payload = Base64UrlDecode(token.substr(prefix.size(), dot - prefix.size()));
  if (!payload || payload->empty() || payload->back() != '\n') return std::nullopt;
  Fields fields = Split(payload->substr(0, payload->size() - 1), '\n');
  if (fields.size() != count) return std::nullopt;
  return fields;
}

std::string TimeField(TimePoint t) { return std::to_string(UnixSeconds(t)); }

std::optional<TimePoint> ParseTimeField(std::string_view text) {
  if (text.empty() || text.size() > 15 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return TimePoint(std::chrono::seconds(std::stoll(std::string(text))));
}

}  // namespace hubspoke::lab
