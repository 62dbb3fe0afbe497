// ParsePolicy: JSON text → PolicyDocument. nlohmann-json is used directly here (and only here in
// the policy module), as ARCHITECTURE.md allows for the policy parser.
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "policy/condition_values.h"
#include "policy/policy.h"

namespace hubspoke::policy {
namespace {

using nlohmann::json;

Error Invalid(const std::string& message) { return Error(ErrorCode::kInvalidArgument, message); }

// The statement label used before the Sid is known or when it is missing.
std::string Where(std::size_t index, const std::string& sid) {
  Statement st;
  st.index = index;
  st.sid = sid;
  return st.Label();
}

// Condition values may be strings, numbers or booleans; AWS compares them as strings
// ("Quotation marks are optional for numeric and Boolean values", grammar).
Result<std::string> ScalarText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number_float()) return v.dump();
  return Invalid(std::string("a JSON ") + v.type_name() + " is not a string, number or boolean");
}

// "x" or ["x", "y"]: a non-empty list of strings.
Result<std::vector<std::string>> StringList(const json& v, const std::string& what) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return out;
  }
  if (!v.is_array()) return Invalid(what + " must be a string or an array of strings");
  for (const json& item : v) {
    if (!item.is_string()) return Invalid(what + " must contain only strings");
    out.push_back(item.get<std::string>());
  }
  if (out.empty()) return Invalid(what + " must not be an empty array");
  return out;
}

Result<PrincipalElement> ParsePrincipal(const json& v, const std::string& element) {
  PrincipalElement principal;
  if (v.is_string()) {
    if (v.get<std::string>() != "*") {
      return Invalid(element + " must be \"*\" or an object such as {\"AWS\": \"…\"}");
    }
    principal.everyone = true;
    return principal;
  }
  if (!v.is_object() || v.empty()) {
    return Invalid(element + " must be \"*\" or a non-empty object such as {\"AWS\": \"…\"}");
  }
  for (const auto& [type, values] : v.items()) {
    if (type != "AWS" && type != "Service" && type != "Federated" && type != "CanonicalUser") {
      return Invalid(element + " has unknown principal type '" + Printable(type, 40) +
                     "' (expected AWS, Service, Federated or CanonicalUser)");
    }
    auto list = StringList(values, element + "." + type);
    if (!list) return std::move(list).error();
    for (const std::string& id : *list) {
      // [PRIN]: "You cannot use a wildcard to match part of a principal name or ARN."
      if (id != "*" && id.find_first_of("*?") != std::string::npos) {
        return Invalid(element + "." + type + " value '" + Printable(id, 120) +
                       "' uses a wildcard: only the bare \"*\" is allowed in a principal (match "
                       "patterns with a Condition on aws:PrincipalArn instead)");
      }
      if (id.empty()) return Invalid(element + "." + type + " has an empty value");
    }
    principal.values[type] = std::move(*list);
  }
  return principal;
}

Result<std::vector<ConditionClause>> ParseCondition(const json& v) {
  std::vector<ConditionClause> clauses;
  if (!v.is_object()) return Invalid("Condition must be an object {operator: {key: value}}");
  for (const auto& [op_name, block] : v.items()) {
    auto op = ParseConditionOperator(op_name);
    if (!op) return std::move(op).error();
    if (!block.is_object() || block.empty()) {
      return Invalid("Condition " + op_name + " must be a non-empty object {key: value}");
    }
    for (const auto& [key, value] : block.items()) {
      ConditionClause clause{.op = *op, .key = key, .values = {}};
      const std::string where = "Condition " + op_name + " " + Printable(key, 80);
      if (key.empty()) return Invalid("Condition " + op_name + " has an empty key");
      if (value.is_array()) {
        if (value.empty()) return Invalid(where + ": the value list is empty");
        for (const json& item : value) {
          auto text = ScalarText(item);
          if (!text) return std::move(text).error().Wrap(where);
          clause.values.push_back(std::move(*text));
        }
      } else {
        auto text = ScalarText(value);
        if (!text) return std::move(text).error().Wrap(where);
        clause.values.push_back(std::move(*text));
      }
      const ValueType type = ValueTypeOf(op->op);
      for (const std::string& text : clause.values) {
        // Variables are allowed in string, ARN and Bool values [VARS, OPS]; they are checked
        // once expanded.
        const bool has_variable = text.find("${") != std::string::npos;
        if (has_variable &&
            (type == ValueType::kString || type == ValueType::kArn || type == ValueType::kBool)) {
          continue;
        }
        if (Status s = CheckPolicyValue(type, text); !s) return std::move(s).error().Wrap(where);
      }
      clauses.push_back(std::move(clause));
    }
  }
  return clauses;
}

Result<Statement> ParseStatement(const json& v, std::size_t index) {
  Statement st;
  st.index = index;
  if (!v.is_object()) return Invalid(Where(index, "") + ": a statement must be a JSON object");
  if (auto sid = v.find("Sid"); sid != v.end()) {
    if (!sid->is_string()) return Invalid(Where(index, "") + ": Sid must be a string");
    st.sid = sid->get<std::string>();
  }
  const std::string label = Where(index, st.sid);
  auto fail = [&](const std::string& problem) { return Invalid(label + ": " + problem); };

  static const std::set<std::string> kKnown = {"Sid",          "Effect",      "Principal",
                                               "NotPrincipal", "Action",      "NotAction",
                                               "Resource",     "NotResource", "Condition"};
  for (const auto& [key, value] : v.items()) {
    if (!kKnown.contains(key)) return fail("unknown element '" + Printable(key, 40) + "'");
  }

  auto effect = v.find("Effect");
  if (effect == v.end()) return fail("missing Effect");
  if (!effect->is_string() ||
      (effect->get<std::string>() != "Allow" && effect->get<std::string>() != "Deny")) {
    return fail("unknown Effect " + Printable(effect->dump(), 40) +
                " (expected \"Allow\" or \"Deny\", case-sensitive)");
  }
  st.effect = effect->get<std::string>() == "Allow" ? Effect::kAllow : Effect::kDeny;

  const bool has_principal = v.contains("Principal");
  const bool has_not_principal = v.contains("NotPrincipal");
  if (has_principal && has_not_principal) return fail("both Principal and NotPrincipal");
  if (has_principal || has_not_principal) {
    const std::string element = has_principal ? "Principal" : "NotPrincipal";
    auto principal = ParsePrincipal(v.at(element), element);
    if (!principal) return std::move(principal).error().Wrap(label);
    st.principal = std::move(*principal);
    st.not_principal = has_not_principal;
  }

  const bool has_action = v.contains("Action");
  const bool has_not_action = v.contains("NotAction");
  if (has_action && has_not_action) return fail("both Action and NotAction");
  if (!has_action && !has_not_action) return fail("missing Action or NotAction");
  {
    const std::string element = has_action ? "Action" : "NotAction";
    auto actions = StringList(v.at(element), element);
    if (!actions) return std::move(actions).error().Wrap(label);
    for (const std::string& a : *actions) {
      // Grammar: an action is "a service namespace, a colon, and the name of an action".
      std::size_t colon = a.find(':');
      if (a != "*" && (colon == std::string::npos || colon == 0 || colon + 1 == a.size())) {
        return fail(element + " '" + Printable(a, 80) + "' is not \"*\" or service:action");
      }
    }
    st.actions = std::move(*actions);
    st.not_action = has_not_action;
  }

  const bool has_resource = v.contains("Resource");
  const bool has_not_resource = v.contains("NotResource");
  if (has_resource && has_not_resource) return fail("both Resource and NotResource");
  if (has_resource || has_not_resource) {
    const std::string element = has_resource ? "Resource" : "NotResource";
    auto resources = StringList(v.at(element), element);
    if (!resources) return std::move(resources).error().Wrap(label);
    st.resources = std::move(*resources);
    st.not_resource = has_not_resource;
  }

  if (auto condition = v.find("Condition"); condition != v.end()) {
    auto clauses = ParseCondition(*condition);
    if (!clauses) return std::move(clauses).error().Wrap(label);
    st.conditions = std::move(*clauses);
  }
  return st;
}

// Grammar notes: "Individual elements must not contain multiple instances of the same key."
// nlohmann keeps the last duplicate silently, so a parser callback records the first one.
struct DuplicateKeyCheck {
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;

  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open_objects.empty() &&
            !open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
          duplicate = parsed.get<std::string>();
        }
        break;
      default:
        break;
    }
    return true;
  }
};

}  // namespace

Result<PolicyDocument> ParsePolicy(std::string_view json_text) {
  json doc;
  DuplicateKeyCheck check;
  try {
    doc = json::parse(json_text.begin(), json_text.end(),
                      [&check](int depth, json::parse_event_t event, json& parsed) {
                        return check(depth, event, parsed);
                      });
  } catch (const json::exception& e) {
    return Invalid(std::string("policy is not valid JSON: ") + e.what());
  }
  if (!check.duplicate.empty()) {
    return Invalid("policy has a duplicate key '" + Printable(check.duplicate, 40) +
                   "' (IAM rejects repeated elements)");
  }
  if (!doc.is_object()) return Invalid("a policy document is a JSON object");

  PolicyDocument policy;
  for (const auto& [key, value] : doc.items()) {
    if (key == "Version") {
      if (!value.is_string() ||
          (value.get<std::string>() != "2012-10-17" && value.get<std::string>() != "2008-10-17")) {
        return Invalid("policy Version must be \"2012-10-17\" or \"2008-10-17\", not " +
                       Printable(value.dump(), 40));
      }
      policy.version = value.get<std::string>();
    } else if (key == "Id") {
      if (!value.is_string()) return Invalid("policy Id must be a string");
      policy.id = value.get<std::string>();
    } else if (key != "Statement") {
      return Invalid("policy has an unknown element '" + Printable(key, 40) +
                     "' (expected Version, Id, Statement)");
    }
  }
  auto statements = doc.find("Statement");
  if (statements == doc.end()) return Invalid("policy has no Statement");
  if (statements->is_object()) {
    auto st = ParseStatement(*statements, 0);
    if (!st) return std::move(st).error();
    policy.statements.push_back(std::move(*st));
  } else if (statements->is_array()) {
    for (std::size_t i = 0; i < statements->size(); ++i) {
      auto st = ParseStatement((*statements)[i], i);
      if (!st) return std::move(st).error();
      policy.statements.push_back(std::move(*st));
    }
  } else {
    return Invalid("policy Statement must be an object or an array of objects");
  }
  return policy;
}

}  // namespace hubspoke::policy
