// Typed getters over the model file's JSON (see model_reader.h).
#include "iam/model_reader.h"

#include <set>

#include "crypto/sha256.h"

namespace hubspoke::iam::model_reader {

std::string DerivedUniqueId(std::string_view prefix, std::string_view arn) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  crypto::Digest d = crypto::Sha256(arn);
  std::string out(prefix);
  for (int i = 0; i < 17; ++i) out += kAlphabet[d[static_cast<std::size_t>(i)] % 32];
  return out;
}

Error ModelError(const std::string& path, const std::string& problem) {
  return Error(ErrorCode::kInvalidArgument, path + ": " + problem);
}

const char* TypeName(const json& j) { return j.type_name(); }

// Checks that `object` is an object with only `allowed` members.
Status CheckObject(const json& object, const std::string& path,
                   std::initializer_list<std::string_view> allowed) {
  if (!object.is_object()) {
    return ModelError(path, std::string("expected an object, got ") + TypeName(object));
  }
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string names;
      for (std::string_view a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      return ModelError(path, "unknown member \"" + key + "\" (expected one of: " + names + ")");
    }
  }
  return Ok();
}

Result<std::string> GetString(const json& object, const std::string& path, const char* key,
                              bool required, std::string fallback) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) return ModelError(path, std::string("missing required member \"") + key + "\"");
    return fallback;
  }
  if (!it->is_string()) {
    return ModelError(path + "." + key, std::string("expected a string, got ") + TypeName(*it));
  }
  return it->get<std::string>();
}

Result<std::uint64_t> GetWholeNumber(const json& object, const std::string& path, const char* key,
                                     std::uint64_t low, std::uint64_t high, std::uint64_t fallback,
                                     const std::string& rule) {
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() < low ||
      it->get<std::uint64_t>() > high) {
    return ModelError(path + "." + key, rule);
  }
  return it->get<std::uint64_t>();
}

Result<std::vector<std::string>> GetStrings(const json& object, const std::string& path,
                                            const char* key) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end()) return out;
  if (!it->is_array()) {
    return ModelError(path + "." + key, std::string("expected an array, got ") + TypeName(*it));
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (!v.is_string()) {
      return ModelError(path + "." + key + "[" + std::to_string(i) + "]",
                        std::string("expected a string, got ") + TypeName(v));
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> GetTags(const json& object, const std::string& path) {
  std::map<std::string, std::string> out;
  auto it = object.find("tags");
  if (it == object.end()) return out;
  if (!it->is_object()) {
    return ModelError(path + ".tags", std::string("expected an object, got ") + TypeName(*it));
  }
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) {
      return ModelError(path + ".tags." + k, std::string("expected a string, got ") + TypeName(v));
    }
    out[k] = v.get<std::string>();
  }
  return out;
}

const json* GetArray(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// A policy document: a JSON object, or a string holding one (as IAM APIs take it).
Result<policy::NamedPolicy> ParseDocument(const json& doc, const std::string& path,
                                          std::string name, policy::PolicyKind kind,
                                          std::string scp_group) {
  std::string text;
  if (doc.is_string()) {
    text = doc.get<std::string>();
  } else if (doc.is_object()) {
    text = doc.dump();
  } else {
    return ModelError(path, std::string("expected a policy document (object or string), got ") +
                                TypeName(doc));
  }
  auto parsed = policy::ParseNamedPolicy(std::move(name), kind, text, std::move(scp_group));
  if (!parsed) return ModelError(path, parsed.error().message());
  return parsed;
}

// [{"name": "...", "document": {...}}, ...]
Result<std::vector<policy::NamedPolicy>> ParsePolicyList(const json& object,
                                                         const std::string& path, const char* key,
                                                         policy::PolicyKind kind,
                                                         const std::string& owner,
                                                         const std::string& scp_group) {
  std::vector<policy::NamedPolicy> out;
  const json* list = GetArray(object, key);
  if (!list) return out;
  const std::string list_path = path + "." + key;
  if (!list->is_array()) {
    return ModelError(list_path, std::string("expected an array, got ") + TypeName(*list));
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string p = list_path + "[" + std::to_string(i) + "]";
    const json& item = (*list)[i];
    if (auto s = CheckObject(item, p, {"name", "document"}); !s) return std::move(s).error();
    auto name = GetString(item, p, "name", true);
    if (!name) return std::move(name).error();
    if (!names.insert(*name).second) return ModelError(p, "duplicate policy name \"" + *name + "\"");
    auto doc = item.find("document");
    if (doc == item.end()) return ModelError(p, "missing required member \"document\"");
    std::string label = kind == policy::PolicyKind::kScp
                            ? "SCP '" + *name + "'" + (owner.empty() ? "" : " of " + owner)
                            : std::string(kind == policy::PolicyKind::kIdentity ? "identity"
                                                                                : "session") +
                                  " policy '" + *name + "' of " + owner;
    auto parsed = ParseDocument(*doc, p + ".document", label, kind, scp_group);
    if (!parsed) return std::move(parsed).error();
    out.push_back(std::move(*parsed));
  }
  return out;
}

}  // namespace hubspoke::iam::model_reader
