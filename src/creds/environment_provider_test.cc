#include <gtest/gtest.h>

#include <sstream>

#include "hubspoke/credentials_provider.h"

namespace hubspoke {
namespace {

// The environment provider's cases (long-term and temporary keys, the legacy token, half a pair,
// bad key ids and expirations) are scenarios: tests/scenarios/credentials/env_*.

TEST(MaskAccessKeyId, ShowsOnlyTheEnds) {
  EXPECT_EQ(MaskAccessKeyId("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
  EXPECT_EQ(MaskAccessKeyId("AKIA"), "AKIA…");
}

TEST(SecretString, NeverPrintsItself) {
  SecretString s("hunter2");
  std::ostringstream out;
  out << s;
  EXPECT_EQ(out.str(), "<redacted>");
  EXPECT_EQ(s.reveal(), "hunter2");
  SecretString moved = std::move(s);
  EXPECT_TRUE(s.empty());  // NOLINT(bugprone-use-after-move): moved-from is wiped
  EXPECT_EQ(moved.reveal(), "hunter2");
}

}  // namespace
}  // namespace hubspoke
