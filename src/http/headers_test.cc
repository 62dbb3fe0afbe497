#include <gtest/gtest.h>

#include <vector>

#include "hubspoke/http.h"

namespace hubspoke {
namespace {

TEST(FindHeader, IsCaseInsensitiveAndReturnsTheFirstMatch) {
  std::vector<HttpHeader> headers = {
      {"Content-Type", "text/xml"}, {"x-amz-date", "20150830T123600Z"}, {"CONTENT-TYPE", "x"}};
  const std::string* found = FindHeader(headers, "content-type");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(*found, "text/xml");
  found = FindHeader(headers, "X-Amz-Date");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(*found, "20150830T123600Z");
}

TEST(FindHeader, AbsentIsNull) {
  EXPECT_EQ(FindHeader({}, "host"), nullptr);
  EXPECT_EQ(FindHeader({{"Hos", "x"}, {"Hostname", "y"}}, "host"), nullptr);
}

}  // namespace
}  // namespace hubspoke
