#include "core/base64.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <iterator>
#include <string>

namespace hubspoke {
namespace {

// RFC 4648 §10.
constexpr const char* kPlain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
constexpr const char* kPadded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
constexpr const char* kUnpadded[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};

std::string AllBytes() {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  return all;
}

TEST(Base64, Rfc4648Vectors) {
  for (std::size_t i = 0; i < std::size(kPlain); ++i) {
    EXPECT_EQ(Base64Encode(kPlain[i]), kPadded[i]);
    EXPECT_EQ(Base64Decode(kPadded[i]), kPlain[i]);
  }
}

TEST(Base64, StandardAlphabetAndBinary) {
  EXPECT_EQ(Base64Encode(std::string("\xfb\xff\xbf", 3)), "+/+/");
  EXPECT_EQ(Base64Decode("+/+/"), std::string("\xfb\xff\xbf", 3));
  EXPECT_EQ(Base64Encode(std::string("\0\0", 2)), "AAA=");
  EXPECT_EQ(Base64Encode("user:pa ss"), "dXNlcjpwYSBzcw==");
}

TEST(Base64, RoundTripsAllBytesAndLengths) {
  const std::string all = AllBytes();
  EXPECT_EQ(Base64Decode(Base64Encode(all)), all);
  for (std::size_t n = 0; n <= 10; ++n) {
    const std::string data = all.substr(250 - n, n);
    const std::string text = Base64Encode(data);
    EXPECT_EQ(text.size(), (n + 2) / 3 * 4) << n;
    EXPECT_EQ(Base64Decode(text), data) << n;
  }
}

TEST(Base64, StrictDecoderRejects) {
  for (const char* bad : {
           "Z", "Zg", "Zg=", "Zm9vY", "Zm9vYg=",  // length not a multiple of 4
           "Zm9v!g==", "Zm 9", "Zm9\n", "Zm-_",   // outside the standard alphabet
           "Zg=A", "Z=gA", "=Zm9", "Zm9v=Zg=",    // '=' before the end
           "Z===", "====", "Zm9vZ===",            // more than two '='
       }) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
  EXPECT_FALSE(Base64Decode(std::string("Zg=\0", 4)).has_value());
  EXPECT_FALSE(Base64Decode("Zm9\x80").has_value());
}

TEST(Base64, StrictDecoderIgnoresUnusedBits) {
  // As before the shared module: the low bits of the last character are not checked.
  EXPECT_EQ(Base64Decode("Zh=="), "f");
}

TEST(Base64Url, Rfc4648Vectors) {
  for (std::size_t i = 0; i < std::size(kPlain); ++i) {
    EXPECT_EQ(Base64UrlEncode(kPlain[i]), kUnpadded[i]);
    EXPECT_EQ(Base64UrlDecode(kUnpadded[i]), kPlain[i]);
  }
}

TEST(Base64Url, UrlAlphabetWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(std::string("\xfb\xff\xbf", 3)), "-_-_");
  EXPECT_EQ(Base64UrlEncode(std::string("\xfb\xff", 2)), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_-_"), std::string("\xfb\xff\xbf", 3));
}

TEST(Base64Url, RoundTripsAllBytesAndLengths) {
  const std::string all = AllBytes();
  EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(all)), all);
  for (std::size_t n = 0; n <= 10; ++n) {
    const std::string data = all.substr(250 - n, n);
    const std::string text = Base64UrlEncode(data);
    EXPECT_EQ(text.size(), (n * 4 + 2) / 3) << n;
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << n;
    EXPECT_EQ(Base64UrlDecode(text), data) << n;
  }
}

TEST(Base64Url, LenientDecoderAcceptsPaddingAndStandardAlphabet) {
  for (std::size_t i = 0; i < std::size(kPlain); ++i) {
    EXPECT_EQ(Base64UrlDecode(kPadded[i]), kPlain[i]);
  }
  EXPECT_EQ(Base64UrlDecode("Zg="), "f");
  EXPECT_EQ(Base64UrlDecode("Zg==="), "f");
  EXPECT_EQ(Base64UrlDecode("+/+/"), std::string("\xfb\xff\xbf", 3));
  EXPECT_EQ(Base64UrlDecode("-/+_"), std::string("\xfb\xff\xbf", 3));
  EXPECT_EQ(Base64UrlDecode("Z"), "");  // a lone final character adds no byte
}

TEST(Base64Url, LenientDecoderRejects) {
  for (const char* bad : {"Zm9v!g", "Zm 9v", "Zg=A", "=Zg", "Zm9v.Zg", "Z\n"}) {
    EXPECT_FALSE(Base64UrlDecode(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace hubspoke
