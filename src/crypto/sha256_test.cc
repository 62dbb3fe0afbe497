#include "crypto/sha256.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <cstring>

#include <string>

#include "core/hex.h"

namespace hubspoke::crypto {
namespace {

TEST(Sha256, KnownVectors) {
  // FIPS 180-2 examples.
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, HashesEmbeddedNulBytes) {
  EXPECT_NE(HexEncode(Sha256(std::string("a\0b", 3))), HexEncode(Sha256("a")));
}

TEST(HmacSha256, Rfc4231Case1) {
  EXPECT_EQ(HexEncode(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256, Rfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, Rfc4231Case6KeyLongerThanBlock) {
  EXPECT_EQ(HexEncode(HmacSha256(std::string(131, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, EmptyKeyAndData) {
  EXPECT_EQ(HexEncode(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(SecureWipe, ZeroesTheBytes) {
  Digest d = Sha256("abc");
  SecureWipe(d);
  for (unsigned char b : d) EXPECT_EQ(b, 0);
}

}  // namespace
}  // namespace hubspoke::crypto

// Our SHA-256/HMAC against OpenSSL's on every length around the block and padding boundaries
// and on pseudo-random contents.
namespace hubspoke::crypto {
namespace {

TEST(Sha256, AgreesWithOpenSslOnManyInputs) {
  std::string data;
  std::uint32_t x = 12345;
  for (std::size_t len = 0; len < 300; ++len) {
    Digest ours = Sha256(data);
    unsigned char theirs[32];
    unsigned int n = 0;
    ASSERT_EQ(EVP_Digest(data.data(), data.size(), theirs, &n, EVP_sha256(), nullptr), 1);
    ASSERT_EQ(0, std::memcmp(ours.data(), theirs, 32)) << "length " << len;
    std::string key = data.substr(0, len % 100);
    Digest mac = HmacSha256(key, data);
    unsigned char their_mac[32];
    ASSERT_NE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                   reinterpret_cast<const unsigned char*>(data.data()), data.size(), their_mac,
                   &n),
              nullptr);
    ASSERT_EQ(0, std::memcmp(mac.data(), their_mac, 32)) << "length " << len;
    x = x * 1103515245 + 12345;
    data.push_back(static_cast<char>(x >> 16));
  }
}

}  // namespace
}  // namespace hubspoke::crypto
