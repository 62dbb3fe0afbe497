// The fixture of the tests that talk to a FakeSts: one set of fakes (clock, logger, randomness,
// files in memory), a real HTTP client, the base user's key (BaseCredentials()), and an
// environment that never reads the shared config files of whoever runs the tests. Tests only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "testing/fake_process_runner.h"
#include "hubspoke/credentials.h"
#include "hubspoke/system.h"
#include "testing/fake_sts.h"
#include "testing/memory_file_system.h"

namespace hubspoke::testing {

// A path no test creates: a missing shared config file counts as an empty one.
inline constexpr char kNoFile[] = "/nonexistent/assume-spoke-role-test/file";

// `vars`, plus AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE at kNoFile unless `vars` sets
// them: a test reads only the config files it writes.
inline std::unique_ptr<Environment> HermeticEnvironment(
    std::vector<std::pair<std::string, std::string>> vars) {
  for (const char* name : {"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"}) {
    bool set = false;
    for (const auto& [k, v] : vars) set = set || k == name;
    if (!set) vars.emplace_back(name, kNoFile);
  }
  return MakeMapEnvironment(std::move(vars));
}

inline constexpr char kBaseKey[] = "AKIABASEBASEBASE0001";
inline constexpr char kBaseSecret[] = "baseSecret/wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLE";
inline constexpr char kBaseUserArn[] = "arn:aws:iam::111111111111:user/sys-automation";

inline Credentials BaseCredentials() {
  Credentials base;
  base.access_key_id = kBaseKey;
  base.secret_access_key = SecretString(kBaseSecret);
  return base;
}

class FakeStsTest : public ::testing::Test {
 protected:
  // The environment: `vars`, hermetic (above), and with `sts_endpoint` AWS_ENDPOINT_URL set to
  // the FakeSts.
  explicit FakeStsTest(std::vector<std::pair<std::string, std::string>> vars = {},
                       bool sts_endpoint = false)
      : env_(HermeticEnvironment(WithEndpoint(std::move(vars), sts_endpoint))),
        http_(MakeHttpClient({})),
        sys_{clock_, *env_, *http_, log_, random_, files_, processes_} {
    sts_.AddKey(kBaseKey, kBaseSecret, kBaseUserArn);
  }

  // Nothing secret in the log: not the base secret, not any key or token the server issued.
  void ExpectNoSecretsInLog() const {
    const std::string log = log_.text();
    EXPECT_EQ(log.find(kBaseSecret), std::string::npos);
    for (const auto& s : sts_.secrets()) EXPECT_EQ(log.find(s), std::string::npos) << s;
  }

  FakeSts sts_;
  FakeClock clock_;
  CapturingLogger log_;
  MaxRandom random_;
  MemoryFileSystem files_;  // the files the code under test sees (none until a test adds them)
  FakeProcessRunner processes_;
  std::unique_ptr<Environment> env_;
  std::unique_ptr<HttpTransport> http_;
  SystemContext sys_;

 private:
  std::vector<std::pair<std::string, std::string>> WithEndpoint(
      std::vector<std::pair<std::string, std::string>> vars, bool sts_endpoint) const {
    if (sts_endpoint) vars.emplace_back("AWS_ENDPOINT_URL", sts_.url());
    return vars;
  }
};

}  // namespace hubspoke::testing
