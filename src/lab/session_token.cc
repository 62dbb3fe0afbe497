#include "lab/session_token.h"

#include <chrono>
#include <cstdint>

#include "core/base64.h"
#include "crypto/sha256.h"

namespace hubspoke::lab {
namespace {

// Real session tokens start with these characters (base 64 of the start of AWS's own framing);
// clients and people recognise a session token by them.
constexpr std::string_view kPrefix = "IQoJb3JpZ2luX2VjE";
constexpr unsigned char kVersion = 1;
constexpr std::size_t kTagSize = 32;  // HMAC-SHA256
constexpr unsigned char kMfa = 1, kHasSessionPolicy = 2, kHasMfaTime = 4;

// Big-endian integers and length-prefixed strings.
class Writer {
 public:
  void U8(unsigned char v) { out_.push_back(static_cast<char>(v)); }
  void U32(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) U8(static_cast<unsigned char>(v >> shift));
  }
  void I64(std::int64_t v) {
    const auto u = static_cast<std::uint64_t>(v);
    U32(static_cast<std::uint32_t>(u >> 32));
    U32(static_cast<std::uint32_t>(u));
  }
  void Str(std::string_view s) {
    U32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void Strs(const std::vector<std::string>& v) {
    U32(static_cast<std::uint32_t>(v.size()));
    for (const std::string& s : v) Str(s);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

// Every read is bounds-checked; the first failure sticks (ok() is false from then on).
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  unsigned char U8() {
    if (!Need(1)) return 0;
    return static_cast<unsigned char>(in_[pos_++]);
  }
  std::uint32_t U32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | U8();
    return v;
  }
  std::int64_t I64() {
    const std::uint64_t hi = U32();
    return static_cast<std::int64_t>(hi << 32 | U32());
  }
  std::string Str() {
    const std::uint32_t n = U32();
    if (!Need(n)) return {};
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::vector<std::string> Strs() {
    const std::uint32_t n = U32();
    std::vector<std::string> v;
    for (std::uint32_t i = 0; i < n && ok_; ++i) v.push_back(Str());
    return v;
  }
  bool ok() const { return ok_; }
  bool done() const { return ok_ && pos_ == in_.size(); }

 private:
  bool Need(std::size_t n) {
    if (!ok_ || in_.size() - pos_ < n) ok_ = false;
    return ok_;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

std::string_view AsChars(const crypto::Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace

SessionSealer::SessionSealer(std::string key) : key_(std::move(key)) {}

std::string SessionSealer::SecretFor(std::string_view tag) const {
  const crypto::Digest d = crypto::HmacSha256(key_, std::string("secret access key\n") += tag);
  return Base64Encode(AsChars(d).substr(0, 30));  // 30 bytes: exactly 40 characters
}

SessionSealer::Sealed SessionSealer::Seal(const SessionClaims& c) const {
  Writer w;
  w.U8(kVersion);
  w.I64(std::chrono::duration_cast<std::chrono::seconds>(c.expiration.time_since_epoch()).count());
  w.Str(c.access_key_id);
  w.Str(c.role_arn);
  w.Str(c.session_name);
  w.Str(c.source_identity);
  w.U8(static_cast<unsigned char>((c.mfa ? kMfa : 0) | (c.session_policy ? kHasSessionPolicy : 0) |
                                  (c.mfa_time ? kHasMfaTime : 0)));
  if (c.session_policy) w.Str(*c.session_policy);
  if (c.mfa_time) {
    w.I64(std::chrono::duration_cast<std::chrono::seconds>(c.mfa_time->time_since_epoch()).count());
  }
  w.Strs(c.policy_arns);
  w.U32(static_cast<std::uint32_t>(c.tags.size()));
  for (const auto& [k, v] : c.tags) {
    w.Str(k);
    w.Str(v);
  }
  w.Strs(c.transitive_tag_keys);
  std::string& body = w.out();
  const crypto::Digest tag = crypto::HmacSha256(key_, body);
  body.append(AsChars(tag));
  std::string token(kPrefix);
  token += Base64Encode(body);
  return Sealed{.session_token = std::move(token), .secret_access_key = SecretFor(AsChars(tag))};
}

std::optional<SessionSealer::Opened> SessionSealer::Open(std::string_view token) const {
  if (!token.starts_with(kPrefix)) return std::nullopt;
  const std::string_view encoded = token.substr(kPrefix.size());
  std::optional<std::string> body = Base64Decode(encoded);
  if (!body || body->size() < 1 + kTagSize) return std::nullopt;
  // One spelling per token: base 64 can hide a change in the last character's unused bits.
  if (Base64Encode(*body) != encoded) return std::nullopt;
  const std::string_view payload = std::string_view(*body).substr(0, body->size() - kTagSize);
  const std::string_view tag = std::string_view(*body).substr(payload.size());
  if (!crypto::ConstantTimeEquals(AsChars(crypto::HmacSha256(key_, payload)), tag)) {
    return std::nullopt;
  }
  // Authentic from here on (only this key made it), but parsed as carefully as any input.
  Reader r(payload);
  if (r.U8() != kVersion) return std::nullopt;
  Opened o;
  SessionClaims& c = o.claims;
  c.expiration = TimePoint(std::chrono::seconds(r.I64()));
  c.access_key_id = r.Str();
  c.role_arn = r.Str();
  c.session_name = r.Str();
  c.source_identity = r.Str();
  const unsigned char flags = r.U8();
  c.mfa = (flags & kMfa) != 0;
  if (flags & ~(kMfa | kHasSessionPolicy | kHasMfaTime)) return std::nullopt;
  if (flags & kHasSessionPolicy) c.session_policy = r.Str();
  if (flags & kHasMfaTime) c.mfa_time = TimePoint(std::chrono::seconds(r.I64()));
  c.policy_arns = r.Strs();
  const std::uint32_t tags = r.U32();
  for (std::uint32_t i = 0; i < tags && r.ok(); ++i) {
    std::string k = r.Str();
    c.tags[std::move(k)] = r.Str();
  }
  c.transitive_tag_keys = r.Strs();
  if (!r.done()) return std::nullopt;
  o.secret_access_key = SecretFor(tag);
  return o;
}

}  // namespace hubspoke::lab
