#include "core/hex.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace hubspoke {
namespace {

TEST(HexEncode, LowerCaseTwoDigitsPerByte) {
  const std::array<unsigned char, 4> bytes{0x00, 0x0f, 0xab, 0xff};
  EXPECT_EQ(HexEncode(bytes), "000fabff");
  EXPECT_EQ(HexEncode(std::span<const unsigned char>()), "");
}

TEST(HexEncode, StringOverloadEncodesBytes) {
  EXPECT_EQ(HexEncode(std::string_view("")), "");
  EXPECT_EQ(HexEncode(std::string_view("AZ")), "415a");
  EXPECT_EQ(HexEncode(std::string("\x00\x80\xff", 3)), "0080ff");
}

}  // namespace
}  // namespace hubspoke
