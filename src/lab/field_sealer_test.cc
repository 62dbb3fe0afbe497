#include "lab/field_sealer.h"

#include <gtest/gtest.h>

#include <string>

namespace hubspoke::lab {
namespace {

TEST(FieldSealer, FieldsRoundTripUnderTheirPrefix) {
  FieldSealer sealer("test");
  const FieldSealer::Fields fields = {"access", "alice", "", "1900000000"};
  const std::string token = sealer.Seal("aoa", fields);
  EXPECT_TRUE(token.starts_with("aoa"));
  EXPECT_EQ(token.find('\n'), std::string::npos);
  EXPECT_EQ(token.find("alice"), std::string::npos);  // encoded, not plain
  auto opened = sealer.Open("aoa", token, 4);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, fields);
  // With no prefix too (the console's sign-in tokens).
  auto bare = sealer.Open("", sealer.Seal("", {"a", "b", "c"}), 3);
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(*bare, (FieldSealer::Fields{"a", "b", "c"}));
}

TEST(FieldSealer, RefusesAnyOtherToken) {
  FieldSealer sealer("test");
  const std::string token = sealer.Seal("aor", {"refresh", "client", "alice", "1900000000"});
  EXPECT_FALSE(sealer.Open("aoa", token, 4));          // another kind of token
  EXPECT_FALSE(sealer.Open("aor", token, 3));          // another number of fields
  EXPECT_FALSE(FieldSealer("other").Open("aor", token, 4));  // another key (another lab)
  for (std::size_t i = 3; i < token.size(); ++i) {      // any one character changed
    std::string altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(sealer.Open("aor", altered, 4)) << "position " << i;
  }
  EXPECT_FALSE(sealer.Open("aor", token.substr(0, token.rfind('.')), 4));  // no MAC
  EXPECT_FALSE(sealer.Open("aor", "", 4));
  EXPECT_FALSE(sealer.Open("", ".", 0));
  // Over 4 KiB: refused before any work, even when sealed here.
  const std::string big = sealer.Seal("", {std::string(4000, 'x')});
  ASSERT_GT(big.size(), 4096u);
  EXPECT_FALSE(sealer.Open("", big, 1));
}

TEST(FieldSealer, TimeFieldsAreWholeUnixSeconds) {
  const TimePoint t = TimePoint(std::chrono::milliseconds(1'900'000'000'999));
  EXPECT_EQ(TimeField(t), "1900000000");
  EXPECT_EQ(ParseTimeField("1900000000"), TimePoint(std::chrono::seconds(1'900'000'000)));
  for (const char* bad : {"", "-1", "12a", " 1", "1234567890123456", "1e9"}) {
    EXPECT_FALSE(ParseTimeField(bad)) << bad;
  }
}

}  // namespace
}  // namespace hubspoke::lab
