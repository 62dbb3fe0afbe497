#include "hubspoke/version.h"

#include <openssl/crypto.h>

#include <gtest/gtest.h>

namespace hubspoke {
namespace {

TEST(BuildInfo, NamesTheVersionCommitDateAndTheOpenSslRunning) {
  BuildInfo info = GetBuildInfo();
  EXPECT_EQ(info.version, HUBSPOKE_VERSION);
  EXPECT_FALSE(info.git_commit.empty());
  ASSERT_EQ(info.build_date.size(), 10u) << info.build_date;
  EXPECT_EQ(info.build_date[4], '-');
  EXPECT_EQ(info.build_date[7], '-');
  // The running library's own answer, not the headers': what a security update changes.
  EXPECT_EQ(info.openssl_linked, OpenSSL_version(OPENSSL_VERSION));
  EXPECT_EQ(info.openssl_built.rfind("OpenSSL 3.", 0), 0u) << info.openssl_built;
  // The tests link the shared OpenSSL: the file it runs from is named.
  EXPECT_NE(info.openssl_library.find("libcrypto.so"), std::string::npos) << info.openssl_library;
}

}  // namespace
}  // namespace hubspoke
