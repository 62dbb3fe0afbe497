// ResolveProfileChain, table-tested from profile_chain_cases.json (its "about" explains the
// format); each case is one test, named by its index and described by its "docs".
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "hubspoke/chain_plan.h"
#include "hubspoke/profile.h"

namespace hubspoke {
namespace {

using nlohmann::json;

json LoadCases() {
  std::ifstream f(std::string(HUBSPOKE_SOURCE_DIR) + "/src/creds/profile_chain_cases.json");
  std::stringstream s;
  s << f.rdbuf();
  return json::parse(s.str())["cases"];
}

const json& Cases() {
  static const json cases = LoadCases();
  return cases;
}

// The case's profiles as the text of a config file.
std::string ConfigText(const json& input) {
  std::string text;
  auto section = [&](const std::string& header, const json& properties) {
    text += header + "\n";
    for (const auto& [key, value] : properties.items()) {
      text += key + " = " + value.get<std::string>() + "\n";
    }
  };
  for (const auto& [name, properties] : input["profiles"].items()) {
    section(name == "default" ? "[default]" : "[profile " + name + "]", properties);
  }
  if (input.contains("sso_sessions")) {
    for (const auto& [name, properties] : input["sso_sessions"].items()) {
      section("[sso-session " + name + "]", properties);
    }
  }
  return text;
}

const char* KindName(ChainBase::Kind kind) {
  switch (kind) {
    case ChainBase::Kind::kStaticKeys: return "static_keys";
    case ChainBase::Kind::kCredentialSource: return "credential_source";
    case ChainBase::Kind::kWebIdentity: return "web_identity";
    case ChainBase::Kind::kSso: return "sso";
    case ChainBase::Kind::kCredentialProcess: return "credential_process";
  }
  return "?";
}

const char* ReasonName(ErrorReason reason) {
  switch (reason) {
    case ErrorReason::kUnspecified: return "";
    case ErrorReason::kProfileLoop: return "profile_loop";
    case ErrorReason::kCredentialProcessLoop: return "credential_process_loop";
    case ErrorReason::kCredentialProcessTooDeep: return "credential_process_too_deep";
    case ErrorReason::kNoCredentialsFound: return "no_credentials_found";
    default: return "other";
  }
}

// The plan as the JSON the cases use, every field present.
json BaseJson(const ChainBase& b) {
  return json{{"kind", KindName(b.kind)},
              {"profile", b.profile},
              {"access_key_id", b.static_credentials.access_key_id},
              {"own_static_keys", b.own_static_keys},
              {"credential_source", b.credential_source},
              {"role_arn", b.role_arn},
              {"token_file", b.token_file},
              {"session_name", b.session_name},
              {"sso_session", b.sso.sso_session_name},
              {"start_url", b.sso.start_url},
              {"sso_region", b.sso.sso_region},
              {"account_id", b.sso.account_id},
              {"role_name", b.sso.role_name},
              {"command", b.command}};
}

json HopJson(const ChainHop& h) {
  return json{{"profile", h.profile},
              {"role_arn", h.request.role_arn},
              {"role_session_name", h.request.role_session_name},
              {"external_id", h.request.external_id},
              {"serial_number", h.request.serial_number},
              {"duration", h.request.duration ? json(h.request.duration->count()) : json(nullptr)},
              {"source_context", h.source_context}};
}

// Every field the case gives must match; fields it leaves out are not checked.
void ExpectSubset(const json& expected, const json& actual, const std::string& where) {
  for (const auto& [key, value] : expected.items()) {
    ASSERT_TRUE(actual.contains(key)) << where << ": unknown field " << key;
    EXPECT_EQ(actual[key], value) << where << "." << key;
  }
}

class ProfileChainCase : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ProfileChainCase, ResolvesAsTheTableSays) {
  const json& c = Cases()[GetParam()];
  SCOPED_TRACE(c["docs"].get<std::string>());
  const json& input = c["input"];
  auto profiles = ParseProfileFile(ConfigText(input), ProfileFileKind::kConfig, "config");
  ASSERT_TRUE(profiles) << profiles.error().message();
  ProfileChainOptions options;
  options.explicit_profile = input.value("explicit", false);
  if (input.contains("inherited")) {
    options.inherited_chain = input["inherited"].get<std::vector<std::string>>();
  }
  auto plan = ResolveProfileChain(*profiles, input["profile"].get<std::string>(), options);

  const json& output = c["output"];
  if (output.contains("error")) {
    ASSERT_FALSE(plan) << "expected an error, got a plan";
    const json& e = output["error"];
    EXPECT_EQ(ErrorCodeName(plan.error().code()), e["code"].get<std::string>())
        << plan.error().message();
    EXPECT_EQ(ReasonName(plan.error().reason()), e.value("reason", std::string()));
    EXPECT_NE(plan.error().message().find(e["message"].get<std::string>()), std::string::npos)
        << plan.error().message();
    return;
  }
  ASSERT_TRUE(plan) << plan.error().message();
  const json& expected = output["plan"];
  ExpectSubset(expected["base"], BaseJson(plan->base), "base");
  ASSERT_EQ(plan->hops.size(), expected["hops"].size());
  for (std::size_t i = 0; i < plan->hops.size(); ++i) {
    ExpectSubset(expected["hops"][i], HopJson(plan->hops[i]), "hops[" + std::to_string(i) + "]");
  }
  if (expected.contains("profiles")) {
    EXPECT_EQ(json(plan->profiles), expected["profiles"]);
  }
}

std::vector<std::size_t> CaseIndexes() {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < Cases().size(); ++i) out.push_back(i);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Table, ProfileChainCase, ::testing::ValuesIn(CaseIndexes()));

TEST(ProfileChainCases, TheTableIsThere) { EXPECT_GE(Cases().size(), 30u); }

// Resolving never touches the secret beyond moving it into the plan.
TEST(ProfileChain, StaticKeysKeepTheSecretAsASecretString) {
  auto profiles = ParseProfileFile(
      "[profile a]\naws_access_key_id = AKIDABC123\naws_secret_access_key = s3cr3t\n",
      ProfileFileKind::kConfig, "config");
  ASSERT_TRUE(profiles);
  auto plan = ResolveProfileChain(*profiles, "a");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->base.static_credentials.secret_access_key.reveal(), "s3cr3t");
}

}  // namespace
}  // namespace hubspoke
