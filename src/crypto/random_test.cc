#include "crypto/random.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <vector>

namespace hubspoke::crypto {
namespace {

TEST(RandomBytes, FillsEveryByteAndNeverRepeats) {
  std::set<std::vector<unsigned char>> seen;
  std::array<int, 256> counts{};
  for (int i = 0; i < 64; ++i) {
    std::vector<unsigned char> bytes(64, 0);
    ASSERT_TRUE(RandomBytes(bytes));
    for (unsigned char b : bytes) ++counts[b];
    seen.insert(bytes);
  }
  EXPECT_EQ(seen.size(), 64u);
  // 4096 bytes over 256 values: each expected 16 times; a buffer left partly unfilled (zeros)
  // would show up as a huge count of 0.
  EXPECT_LT(counts[0], 64);
  std::vector<unsigned char> none;
  EXPECT_TRUE(RandomBytes(none));
}

}  // namespace
}  // namespace hubspoke::crypto
