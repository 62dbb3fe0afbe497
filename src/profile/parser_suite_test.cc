// The cross-SDK config-file parser suite (smithy-python's copy): every case parsed, merged and
// compared as JSON. A missing suite fails the test.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "hubspoke/profile.h"
#include "profile/profile_json.h"
#include "testing/testdata.h"

namespace hubspoke {
namespace {

constexpr char kSuite[] = "profile/smithy-python/config-file-parser-tests.json";
constexpr int kSuiteCases = 118;
constexpr char kConfigPath[] = "/suite/.aws/config";
constexpr char kCredentialsPath[] = "/suite/.aws/credentials";

// The suite words errors as smithy-python does; ours differ. Each suite phrase maps to the
// phrase our message must contain for the same meaning. The phrases are chosen so that none is
// part of another (a property-line error never passes for a sub-property-line one).
std::optional<std::string_view> MeaningOf(std::string_view suite_phrase) {
  static const std::vector<std::pair<std::string_view, std::string_view>> kTable = {
      {"Section definition must end with ']'", "must end with ']'"},
      {"Expected a section definition", "expected a section header"},
      {"Property did not have a name in sub-property",
       "missing name before '=' in a sub-property line"},
      {"Property did not have a name", "missing name before '=' in a property line"},
      {"Expected an '=' sign defining a property in sub-property",
       "expected '=' in a sub-property line"},
      {"Expected an '=' sign defining a property", "expected '=' in a property line"},
      {"Expected a property definition, found continuation",
       "expected a property ('name = value') before this continuation line"},
      {"Expected a property definition",
       "expected a property ('name = value') before this continuation line"},
  };
  for (const auto& [phrase, ours] : kTable) {
    if (phrase == suite_phrase) return ours;
  }
  return std::nullopt;
}

// Parses the files a case gives, each with its own path, and merges them.
Result<ProfileSet> ParseCase(const nlohmann::json& input) {
  ProfileSet config, credentials;
  if (input.contains("configFile")) {
    auto parsed = ParseProfileFile(input["configFile"].get<std::string>(), ProfileFileKind::kConfig,
                                   kConfigPath);
    if (!parsed) return std::move(parsed).error();
    config = std::move(*parsed);
  }
  if (input.contains("credentialsFile")) {
    auto parsed = ParseProfileFile(input["credentialsFile"].get<std::string>(),
                                   ProfileFileKind::kCredentials, kCredentialsPath);
    if (!parsed) return std::move(parsed).error();
    credentials = std::move(*parsed);
  }
  return MergeProfileSets(config, credentials);
}

// Empty when the case passes, else why it failed.
std::string RunCase(const nlohmann::json& test) {
  const nlohmann::json& expected = test.at("output");
  Result<ProfileSet> actual = ParseCase(test.at("input"));
  if (expected.contains("errorContaining")) {
    std::string phrase = expected["errorContaining"].get<std::string>();
    if (actual) return "expected an error like '" + phrase + "', got " + ProfileSetToJson(*actual);
    const Error& error = actual.error();
    const std::string& message = error.message();
    auto meaning = MeaningOf(phrase);
    if (!meaning) return "the suite's error '" + phrase + "' has no entry in the meaning table";
    if (error.code() != ErrorCode::kInvalidArgument) return "error code is not kInvalidArgument";
    static const std::regex kWhere(R"(^/suite/\.aws/(config|credentials):[0-9]+: .+)");
    if (!std::regex_match(message, kWhere))
      return "error does not start with file:line: " + message;
    if (message.find('\n') != std::string::npos) return "error is not one line: " + message;
    if (message.find(*meaning) == std::string::npos) {
      return "error '" + message + "' does not mean '" + phrase + "'";
    }
    return "";
  }
  if (!actual) return "unexpected error: " + actual.error().message();
  std::string json_text = ProfileSetToJson(*actual);
  nlohmann::json json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return "ProfileSetToJson is not valid JSON: " + json_text;
  if (json.size() != 2 || !json.contains("profiles") || !json.contains("ssoSessions")) {
    return "ProfileSetToJson does not have exactly profiles and ssoSessions: " + json_text;
  }
  // A case names the parts it checks ("profiles", "ssoSessions" or both); a part it leaves out
  // must be empty here, which is stricter than the suite's own runner.
  for (const char* part : {"profiles", "ssoSessions"}) {
    nlohmann::json want = expected.contains(part) ? expected[part] : nlohmann::json::object();
    if (json[part] != want) {
      return std::string(part) + ": expected " + want.dump() + ", got " + json[part].dump();
    }
  }
  for (const auto& [key, value] : expected.items()) {
    if (key != "profiles" && key != "ssoSessions") return "unknown output key '" + key + "'";
  }
  return "";
}

TEST(ProfileParserSuite, EveryCaseMatches) {
  std::string text = testing::ReadTestdata(kSuite);
  ASSERT_FALSE(text.empty()) << "the parser suite is missing: " << testing::TestdataDir() << "/"
                             << kSuite << " (set HUBSPOKE_TESTDATA)";
  nlohmann::json suite = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(suite.is_discarded()) << kSuite << " is not valid JSON";
  ASSERT_TRUE(suite.contains("tests") && suite["tests"].is_array());
  int run = 0, passed = 0;
  for (const nlohmann::json& test : suite["tests"]) {
    ++run;
    std::string name = test.value("name", std::string("(unnamed)"));
    std::string failure = RunCase(test);
    if (failure.empty()) {
      ++passed;
    } else {
      // Names repeat between the profile and sso-session halves, so the index is part of it.
      ADD_FAILURE() << "case #" << run << " \"" << name << "\": " << failure;
    }
  }
  EXPECT_EQ(run, kSuiteCases);
  EXPECT_EQ(passed, run);
  RecordProperty("cases_passed", passed);
}

// The table above must not accept a message of the neighbouring meaning.
TEST(ProfileParserSuite, MeaningTableSeparatesPropertyAndSubPropertyErrors) {
  auto no_name = ParseProfileFile("[profile foo]\n= value", ProfileFileKind::kConfig, "c");
  auto sub_no_name =
      ParseProfileFile("[profile foo]\ns3 =\n = value", ProfileFileKind::kConfig, "c");
  ASSERT_FALSE(no_name.has_value());
  ASSERT_FALSE(sub_no_name.has_value());
  auto property = MeaningOf("Property did not have a name");
  auto sub_property = MeaningOf("Property did not have a name in sub-property");
  ASSERT_TRUE(property && sub_property);
  EXPECT_EQ(sub_no_name.error().message().find(*property), std::string::npos);
  EXPECT_EQ(no_name.error().message().find(*sub_property), std::string::npos);
}

}  // namespace
}  // namespace hubspoke
