#include "chain/format.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "testing/temp_directory.h"

namespace hubspoke {
namespace {

SpokeCredentials Sample() {
  SpokeCredentials s;
  s.credentials.access_key_id = "ASIAIOSFODNN7EXAMPLE";
  s.credentials.secret_access_key = SecretString("se'cret/+=");
  s.credentials.session_token = SecretString("tok\"en");
  s.credentials.expiration = *ParseTimestamp("2026-11-22T05:00:00Z");
  s.assumed_role_arn = "arn:aws:sts::888888888888:assumed-role/automation-spoke-role/x";
  s.region = "eu-west-1";
  return s;
}

TEST(FormatCredentials, CredentialProcessIsVersion1Json) {
  auto j = nlohmann::json::parse(FormatCredentials(Sample(), CredentialsFormat::kCredentialProcess));
  EXPECT_EQ(j["Version"], 1);
  EXPECT_EQ(j["AccessKeyId"], "ASIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(j["SecretAccessKey"], "se'cret/+=");
  EXPECT_EQ(j["SessionToken"], "tok\"en");
  EXPECT_EQ(j["Expiration"], "2026-11-22T05:00:00Z");
}

// Values as the STS client lets them through: base64 secret and token, RFC 3339, a region.
SpokeCredentials Plain() {
  SpokeCredentials s = Sample();
  s.credentials.secret_access_key = SecretString("wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY");
  s.credentials.session_token = SecretString("IQoJb3JpZ2luX2VjE+/9=.ab_c-d");
  return s;
}

TEST(FormatCredentials, JsonEnvAndExport) {
  auto j = nlohmann::json::parse(FormatCredentials(Sample(), CredentialsFormat::kJson));
  EXPECT_EQ(j["AssumedRoleUser"]["Arn"], Sample().assumed_role_arn);
  EXPECT_EQ(j["Region"], "eu-west-1");
  std::string env = FormatCredentials(Plain(), CredentialsFormat::kEnv);
  EXPECT_EQ(env,
            "AWS_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE\n"
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY\n"
            "AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjE+/9=.ab_c-d\n"
            "AWS_SECURITY_TOKEN=IQoJb3JpZ2luX2VjE+/9=.ab_c-d\n"
            "AWS_SESSION_EXPIRATION=2026-11-22T05:00:00Z\n"
            "AWS_CREDENTIAL_EXPIRATION=2026-11-22T05:00:00Z\n"
            "AWS_REGION=eu-west-1\n"
            "AWS_DEFAULT_REGION=eu-west-1\n");
  std::string exp = FormatCredentials(Sample(), CredentialsFormat::kExport);
  EXPECT_NE(exp.find("export AWS_SECRET_ACCESS_KEY='se'\\''cret/+='\n"), std::string::npos);
}

// --format env has no quoting every consumer agrees on (docker --env-file keeps quotes, `env
// $(…)` splits at spaces): any value outside A-Z a-z 0-9 + / = . _ : - is not written; the
// output is then one comment line naming the variable, with none of the values.
TEST(FormatCredentials, EnvRefusesOddValuesWithOneCommentLine) {
  struct Odd {
    const char* name;
    std::string value;
  };
  const Odd odd[] = {
      {"AWS_SECRET_ACCESS_KEY", "se'cret"},          {"AWS_SECRET_ACCESS_KEY", "a\"b"},
      {"AWS_SECRET_ACCESS_KEY", "a`id`b"},           {"AWS_SECRET_ACCESS_KEY", "x$(touch y)"},
      {"AWS_SECRET_ACCESS_KEY", "a\\b"},             {"AWS_SECRET_ACCESS_KEY", "a b"},
      {"AWS_SECRET_ACCESS_KEY", "a\nAWS_X=1"},       {"AWS_SECRET_ACCESS_KEY", "a\rb"},
      {"AWS_SECRET_ACCESS_KEY", std::string("a\0b", 3)},
      {"AWS_SECRET_ACCESS_KEY", "a\x7f"},            {"AWS_SECRET_ACCESS_KEY", "caf\xc3\xa9"},
      {"AWS_SECRET_ACCESS_KEY", "a#b"},              {"AWS_SECRET_ACCESS_KEY", "~/x"},
      {"AWS_SESSION_TOKEN", "tok\"en"},              {"AWS_SESSION_TOKEN", "t;reboot"},
      {"AWS_ACCESS_KEY_ID", "ASIA\nAWS_X=1"},        {"AWS_ACCESS_KEY_ID", "ASIA*"},
      {"AWS_REGION", "eu-west-1 x"},                 {"AWS_REGION", "eu-west-1|x"},
  };
  for (const Odd& o : odd) {
    SCOPED_TRACE(std::string(o.name) + " = " + o.value);
    SpokeCredentials s = Plain();
    if (std::string(o.name) == "AWS_SECRET_ACCESS_KEY") {
      s.credentials.secret_access_key = SecretString(o.value);
    } else if (std::string(o.name) == "AWS_SESSION_TOKEN") {
      s.credentials.session_token = SecretString(o.value);
    } else if (std::string(o.name) == "AWS_ACCESS_KEY_ID") {
      s.credentials.access_key_id = o.value;
    } else {
      s.region = o.value;
    }
    const std::string env = FormatCredentials(s, CredentialsFormat::kEnv);
    EXPECT_EQ(env.rfind("# ", 0), 0u) << env;
    EXPECT_EQ(env.find('\n'), env.size() - 1) << env;  // one line
    EXPECT_NE(env.find(std::string(o.name) + " has characters"), std::string::npos) << env;
    EXPECT_EQ(env.find(o.value), std::string::npos) << env;
    EXPECT_EQ(env.find("wJalrXUtnFEMI"), std::string::npos) << env;
    EXPECT_EQ(env.find("IQoJb3JpZ2luX2VjE"), std::string::npos) << env;
    EXPECT_EQ(env.find(std::string(o.name) + "="), std::string::npos) << env;
  }
}

// `set -a; . file`, as a consumer of --format env would: odd values run nothing and set
// nothing; the export format (ShellQuote) gives back every byte but NUL exactly.
std::string Sh(const std::string& script_file, const std::string& command) {
  std::string out;
  FILE* p = popen(("/bin/sh -c '" + command + "' sh " + script_file).c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

TEST(FormatCredentials, SourcingEnvInAShellRunsNothing) {
  testing::TempDirectory tmp("hubspoke-format");  // real: a shell reads the file
  const std::string dir = tmp.path();
  const std::string file = dir + "/creds.env", pwned = dir + "/pwned";
  const std::string hostile[] = {"x$(touch " + pwned + ")", "x`touch " + pwned + "`",
                                 "x\ntouch " + pwned, "x;touch " + pwned, "x' ; touch " + pwned};
  for (const std::string& value : hostile) {
    SCOPED_TRACE(value);
    SpokeCredentials s = Plain();
    s.credentials.secret_access_key = SecretString(value);
    {
      std::ofstream f(file, std::ios::binary | std::ios::trunc);
      f << FormatCredentials(s, CredentialsFormat::kEnv);
    }
    const std::string got =
        Sh(file, "set -a; . \"$1\" 2>/dev/null; printf %s \"${AWS_SECRET_ACCESS_KEY-unset}\"");
    EXPECT_EQ(got, "unset");
    EXPECT_FALSE(std::filesystem::exists(pwned));
  }
  // The plain values come back exactly.
  {
    std::ofstream f(file, std::ios::binary | std::ios::trunc);
    f << FormatCredentials(Plain(), CredentialsFormat::kEnv);
  }
  EXPECT_EQ(Sh(file, "set -a; . \"$1\"; printf %s \"$AWS_SESSION_TOKEN|$AWS_SECRET_ACCESS_KEY\""),
            "IQoJb3JpZ2luX2VjE+/9=.ab_c-d|wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY");
}

// Passes on the old code too: it checks that ShellQuote, which --format export already used,
// carries every byte (NUL aside: no shell string can hold it).
TEST(FormatCredentials, ExportGivesEveryByteBackToAShell) {
  testing::TempDirectory tmp("hubspoke-format");  // real: a shell reads the file
  const std::string dir = tmp.path();
  const std::string file = dir + "/creds.sh";
  std::string every;
  for (int c = 1; c < 256; ++c) every += static_cast<char>(c);
  SpokeCredentials s = Plain();
  s.credentials.secret_access_key = SecretString(every + "'\\''" + every);
  {
    std::ofstream f(file, std::ios::binary | std::ios::trunc);
    f << FormatCredentials(s, CredentialsFormat::kExport);
  }
  EXPECT_EQ(Sh(file, ". \"$1\"; printf %s \"$AWS_SECRET_ACCESS_KEY\""),
            s.credentials.secret_access_key.reveal());
}

TEST(FormatCredentials, ParsesFormatNames) {
  EXPECT_EQ(*ParseCredentialsFormat("--format", "credential-process"),
            CredentialsFormat::kCredentialProcess);
  auto bad = ParseCredentialsFormat("--format", "yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("env, export, json, credential-process"), std::string::npos);
}

TEST(SessionNames, SeedRulesAndSanitizing) {
  EXPECT_EQ(HubSessionName("me@example.com"), "me@example.com");
  EXPECT_EQ(SpokeSessionName("888888888888", "me@example.com"), "888888888888-me@example.com");
  EXPECT_EQ(HubSessionName("a b/c"), "a-b-c");
  EXPECT_EQ(HubSessionName("x"), "x-");
  EXPECT_EQ(SpokeSessionName("888888888888", std::string(80, 'y')).size(), 64u);
  auto env = MakeMapEnvironment({{"USER", "alice smith"}});
  std::string def = DefaultSessionString(*env, *ParseTimestamp("2026-11-22T03:04:05Z"));
  EXPECT_EQ(def, "alice smith-20261122T030405Z");
  EXPECT_EQ(HubSessionName(def), "alice-smith-20261122T030405Z");
}

}  // namespace
}  // namespace hubspoke
