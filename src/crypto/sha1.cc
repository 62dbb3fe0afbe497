#include "crypto/sha1.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace hubspoke::crypto {
namespace {

// Not a security primitive here (SHA-1 is broken for collisions): it only reproduces the cache
// file names the AWS CLI writes. The tests check it against FIPS 180 vectors and OpenSSL.
constexpr std::uint32_t Rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

class Sha1State {
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
  Sha1Digest Final() {
    const std::uint64_t bits = total_ * 8;
    static constexpr unsigned char kPad[64] = {0x80};
    std::size_t pad = (used_ < 56) ? 56 - used_ : 120 - used_;
    Update(kPad, pad);
    unsigned char length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
    Update(length, 8);
    Sha1Digest out{};
    for (int i = 0; i < 5; ++i) {
      out[4 * i] = static_cast<unsigned char>(h_[i] >> 24);
      out[4 * i + 1] = static_cast<unsigned char>(h_[i] >> 16);
      out[4 * i + 2] = static_cast<unsigned char>(h_[i] >> 8);
      out[4 * i + 3] = static_cast<unsigned char>(h_[i]);
    }
    return out;
  }

 private:
  void Block(const unsigned char* p) {
    std::uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      w[i] = (std::uint32_t{p[4 * i]} << 24) | (std::uint32_t{p[4 * i + 1]} << 16) |
             (std::uint32_t{p[4 * i + 2]} << 8) | std::uint32_t{p[4 * i + 3]};
    }
    for (int i = 16; i < 80; ++i) w[i] = Rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
    for (int i = 0; i < 80; ++i) {
      std::uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      std::uint32_t t = Rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = Rotl(b, 30);
      b = a;
      a = t;
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
  }

  std::array<std::uint32_t, 5> h_ = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  std::array<unsigned char, 64> buffer_{};
  std::size_t used_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace

Sha1Digest Sha1(std::string_view data) {
  Sha1State state;
  state.Update(reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return state.Final();
}

}  // namespace hubspoke::crypto
