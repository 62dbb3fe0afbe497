// Reading the lab's model file: typed getters over nlohmann-json values that turn every
// mismatch into one kInvalidArgument line naming the JSON path ("$.roles[2].trust_policy: …").
// Internal to src/iam/ (model_parse.cc); nlohmann-json is allowed here, see ARCHITECTURE.md.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hubspoke/result.h"
#include "policy/evaluate.h"

namespace hubspoke::iam::model_reader {

using nlohmann::json;

// AIDA…/AROA… + 17 characters of base32 from SHA-256 of the ARN: stable across runs, so logs
// and trust policies naming unique ids stay valid.
std::string DerivedUniqueId(std::string_view prefix, std::string_view arn);
Error ModelError(const std::string& path, const std::string& problem);
const char* TypeName(const json& j);
// Checks that `object` is an object with only `allowed` members.
Status CheckObject(const json& object, const std::string& path,
                   std::initializer_list<std::string_view> allowed);
Result<std::string> GetString(const json& object, const std::string& path, const char* key,
                              bool required, std::string fallback = "");
Result<std::vector<std::string>> GetStrings(const json& object, const std::string& path,
                                            const char* key);
Result<std::map<std::string, std::string>> GetTags(const json& object, const std::string& path);
const json* GetArray(const json& object, const char* key);
// A whole-number member from `low` to `high`, or `fallback` when it is absent; anything else (a
// fraction, a sign, a string, out of range) is refused, `rule` saying what is wanted.
Result<std::uint64_t> GetWholeNumber(const json& object, const std::string& path, const char* key,
                                     std::uint64_t low, std::uint64_t high, std::uint64_t fallback,
                                     const std::string& rule);
// A policy document: a JSON object, or a string holding one (as IAM APIs take it).
Result<policy::NamedPolicy> ParseDocument(const json& doc, const std::string& path,
                                          std::string name, policy::PolicyKind kind,
                                          std::string scp_group = "");
// [{"name": "...", "document": {...}}, ...]
Result<std::vector<policy::NamedPolicy>> ParsePolicyList(const json& object,
                                                         const std::string& path, const char* key,
                                                         policy::PolicyKind kind,
                                                         const std::string& owner,
                                                         const std::string& scp_group = "");

}  // namespace hubspoke::iam::model_reader
