#include "crypto/sha1.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "core/hex.h"

namespace hubspoke::crypto {
namespace {

TEST(Sha1, Fips180Vectors) {
  EXPECT_EQ(HexEncode(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(HexEncode(Sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(HexEncode(Sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(HexEncode(Sha1(std::string(1000000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha1, HashesEmbeddedNulBytes) {
  EXPECT_NE(HexEncode(Sha1(std::string("a\0b", 3))), HexEncode(Sha1("a")));
}

// OpenSSL's one-shot SHA1() (deprecated-free in OpenSSL 3) on every length around the block and
// padding boundaries and on pseudo-random contents.
TEST(Sha1, AgreesWithOpenSslOnManyInputs) {
  std::string data;
  std::uint32_t x = 777;
  for (std::size_t len = 0; len < 300; ++len) {
    Sha1Digest ours = Sha1(data);
    unsigned char theirs[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), theirs);
    ASSERT_EQ(0, std::memcmp(ours.data(), theirs, sizeof theirs)) << "length " << len;
    x = x * 1103515245 + 12345;
    data.push_back(static_cast<char>(x >> 16));
  }
}

}  // namespace
}  // namespace hubspoke::crypto
