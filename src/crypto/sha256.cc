#include "crypto/sha256.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace hubspoke::crypto {
namespace {

// SHA-256 (FIPS 180-4) written out rather than taken from OpenSSL: OpenSSL 3's first EVP call
// initializes its provider machinery, which costs about 2 MiB of resident memory and some
// start-up time in every process — a quarter of our whole RSS budget for a chain over plain
// HTTP. TLS still uses OpenSSL (and pays that price only when it is needed). The tests check
// this implementation against OpenSSL's on many inputs and against the FIPS/RFC 4231 vectors.
constexpr std::array<std::uint32_t, 64> kK = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

constexpr std::uint32_t Rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

class Sha256State {
 public:
  void Update(const unsigned char* data, std::size_t len) {
    total_ += len;
    while (len > 0) {
      std::size_t take = std::min(len, buffer_.size() - used_);
      std::memcpy(buffer_.data() + used_, data, take);
      used_ += take;
      data += take;
      len -= take;
      if (used_ == buffer_.size()) {
        Block(buffer_.data());
        used_ = 0;
      }
    }
  }
  void Update(std::string_view s) {
    Update(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  }
  Digest Final() {
    const std::uint64_t bits = total_ * 8;
    static constexpr unsigned char kPad[64] = {0x80};
    std::size_t pad = (used_ < 56) ? 56 - used_ : 120 - used_;
    Update(kPad, pad);
    unsigned char length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
    Update(length, 8);
    Digest out{};
    for (int i = 0; i < 8; ++i) {
      out[4 * i] = static_cast<unsigned char>(h_[i] >> 24);
      out[4 * i + 1] = static_cast<unsigned char>(h_[i] >> 16);
      out[4 * i + 2] = static_cast<unsigned char>(h_[i] >> 8);
      out[4 * i + 3] = static_cast<unsigned char>(h_[i]);
    }
    SecureWipe(buffer_);
    return out;
  }

 private:
  void Block(const unsigned char* p) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      w[i] = (std::uint32_t{p[4 * i]} << 24) | (std::uint32_t{p[4 * i + 1]} << 16) |
             (std::uint32_t{p[4 * i + 2]} << 8) | std::uint32_t{p[4 * i + 3]};
    }
    for (int i = 16; i < 64; ++i) {
      std::uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      std::uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6],
                  h = h_[7];
    for (int i = 0; i < 64; ++i) {
      std::uint32_t t1 = h + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                         kK[static_cast<std::size_t>(i)] + w[i];
      std::uint32_t t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
    h_[5] += f;
    h_[6] += g;
    h_[7] += h;
  }

  std::array<std::uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> buffer_{};
  std::size_t used_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace

Digest Sha256(std::string_view data) {
  Sha256State state;
  state.Update(data);
  return state.Final();
}

Digest HmacSha256(std::string_view key, std::string_view data) {
  // RFC 2104: keys longer than the block size are hashed first; then zero-padded to 64 bytes.
  std::array<unsigned char, 64> block{};
  if (key.size() > block.size()) {
    Digest hashed = Sha256(key);
    std::memcpy(block.data(), hashed.data(), hashed.size());
    SecureWipe(hashed);
  } else if (!key.empty()) {
    std::memcpy(block.data(), key.data(), key.size());
  }
  std::array<unsigned char, 64> pad{};
  for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x36;
  Sha256State inner;
  inner.Update(pad.data(), pad.size());
  inner.Update(data);
  Digest inner_digest = inner.Final();
  for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x5c;
  Sha256State outer;
  outer.Update(pad.data(), pad.size());
  outer.Update(inner_digest.data(), inner_digest.size());
  Digest out = outer.Final();
  SecureWipe(block);
  SecureWipe(pad);
  SecureWipe(inner_digest);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void SecureWipe(std::span<unsigned char> bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

}  // namespace hubspoke::crypto
