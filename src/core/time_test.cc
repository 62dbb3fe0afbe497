#include "core/time.h"

#include <gtest/gtest.h>

namespace hubspoke {
namespace {

TEST(Time, FormatsAndParses) {
  auto t = ParseTimestamp("2015-08-30T12:36:00Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatRfc3339(*t), "2015-08-30T12:36:00Z");
  EXPECT_EQ(FormatAmzDate(*t), "20150830T123600Z");
  EXPECT_EQ(FormatAmzDay(*t), "20150830");
  EXPECT_EQ(*ParseTimestamp("20150830T123600Z"), *t);
  EXPECT_EQ(FormatRfc3339(*ParseTimestamp("2019-07-15T23:28:33.359Z")), "2019-07-15T23:28:33Z");
  EXPECT_EQ(FormatRfc3339(*ParseTimestamp("2015-08-30T14:36:00+02:00")), "2015-08-30T12:36:00Z");
}

TEST(Time, RejectsGarbage) {
  for (const char* bad : {"", "2015-08-30", "2015-13-30T12:36:00Z", "2015-02-30T12:00:00Z",
                          "2015-08-30T12:36:00", "2015-08-30T12:36:00Zjunk", "yesterday"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
}

// Found by fuzz/timestamp_fuzz.cc: a year past 2262 overflowed TimePoint's nanoseconds (UB) and
// came back as a time in the past, so a "never expires" credential looked expired.
TEST(Time, FarFutureAndPastClampInsteadOfOverflowing) {
  auto never = ParseTimestamp("9999-12-31T23:59:59Z");
  ASSERT_TRUE(never);
  EXPECT_EQ(*never, std::chrono::floor<std::chrono::seconds>(TimePoint::max()));
  EXPECT_GT(*never, *ParseTimestamp("2262-04-11T23:47:15Z"));
  EXPECT_EQ(*ParseTimestamp(FormatRfc3339(*never)), *never);
  auto ancient = ParseTimestamp("0001-01-01T00:00:00Z");
  ASSERT_TRUE(ancient);
  EXPECT_EQ(*ancient, std::chrono::ceil<std::chrono::seconds>(TimePoint::min()));
  EXPECT_LT(*ancient, *ParseTimestamp("1970-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace hubspoke
