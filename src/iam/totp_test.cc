#include "iam/totp.h"

#include <gtest/gtest.h>

namespace hubspoke::iam {
namespace {

// RFC 6238 Appendix B, SHA-1, with the seed "12345678901234567890" (8 digits there; a 6-digit
// code is the same number's last 6 digits, as the truncation takes it modulo 10^6).
TEST(Totp, Rfc6238Vectors) {
  const std::string seed = "12345678901234567890";
  struct Row {
    long long time;
    const char* code8;
  } rows[] = {{59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
              {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const Row& r : rows) {
    EXPECT_EQ(Hotp(seed, TotpStep(r.time), 8), r.code8) << r.time;
    EXPECT_EQ(Hotp(seed, TotpStep(r.time), 6), std::string(r.code8).substr(2)) << r.time;
  }
}

TEST(Totp, Rfc4226HotpVectors) {
  const char* codes[] = {"755224", "287082", "359152", "969429", "338314",
                         "254676", "287922", "162583", "399871", "520489"};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Hotp("12345678901234567890", i), codes[i]) << i;
}

TEST(Totp, MatchAcceptsOneStepOfSkewEachWayAndNoMore) {
  const std::string seed = "12345678901234567890";
  const long long t = 1234567890;  // step 41152263
  const std::uint64_t step = TotpStep(t);
  EXPECT_EQ(MatchTotp(seed, Hotp(seed, step), t), step);
  EXPECT_EQ(MatchTotp(seed, Hotp(seed, step - 1), t), step - 1);
  EXPECT_EQ(MatchTotp(seed, Hotp(seed, step + 1), t), step + 1);
  EXPECT_EQ(MatchTotp(seed, Hotp(seed, step - 2), t), std::nullopt);
  EXPECT_EQ(MatchTotp(seed, Hotp(seed, step + 2), t), std::nullopt);
  EXPECT_EQ(MatchTotp(seed, "12345", t), std::nullopt);
  EXPECT_EQ(MatchTotp(seed, Hotp(seed, 0), 5), 0u);  // no step before 0
}

TEST(Totp, Base32AsAuthenticatorsWriteIt) {
  // "12345678901234567890" in base 32 (RFC 4648), as an otpauth:// URI carries it.
  EXPECT_EQ(DecodeBase32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), "12345678901234567890");
  EXPECT_EQ(DecodeBase32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"), "12345678901234567890");
  EXPECT_EQ(DecodeBase32("MZXW6==="), "foo");
  EXPECT_EQ(DecodeBase32("GEZDGNB1"), std::nullopt);  // '1' is not base 32
  EXPECT_EQ(DecodeBase32(""), std::nullopt);
}

}  // namespace
}  // namespace hubspoke::iam
