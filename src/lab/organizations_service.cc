// The lab's AWS Organizations API: JSON 1.1 (POST /, X-Amz-Target:
// AWSOrganizationsV20161128.<Action>), SigV4 with service "organizations", the read actions
// ListAccounts, ListAccountsForParent, ListChildren, ListRoots and DescribeOrganization in
// botocore's shapes (organizations/2016-11-28/service-2.json), pagination with MaxResults
// (1..20) and opaque NextTokens, errors as AWS sends them ({"__type", "Message"}), and every
// authorization decision from iam/organizations_decision.h, explained on the log.
#include <algorithm>
#include <functional>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/strings.h"
#include "crypto/sha256.h"
#include "iam/organizations_decision.h"
#include "lab/sts_service.h"

namespace hubspoke::lab {
namespace {

using nlohmann::json;

// An Organizations error: the wire's __type, Message (and Reason for InvalidInputException),
// and what the lab's log says.
struct OrgError {
  int status = 400;
  std::string type;
  std::string message;
  std::string reason;
  std::string log;
};

OrgError InvalidInput(std::string reason, std::string message) {
  return OrgError{400, "InvalidInputException", std::move(message), std::move(reason), ""};
}

// SigV4 and key refusals (STS codes from VerifySigV4) in the JSON protocol's names.
OrgError FromAuthError(const Error& e) {
  const AwsErrorDetails d = e.aws().value_or(AwsErrorDetails{.code = "InternalFailure",
                                                             .message = "internal error",
                                                             .request_id = "",
                                                             .http_status = 500});
  OrgError out{400, d.code + "Exception", d.message, "", e.message()};
  if (d.code == "SignatureDoesNotMatch" || d.code == "RequestExpired") {
    out.type = "InvalidSignatureException";
  } else if (d.code == "InvalidClientTokenId") {
    out.type = "UnrecognizedClientException";
  } else if (d.code == "MissingAuthenticationToken") {
    out.status = 403;
  } else if (d.code == "InternalFailure") {
    out = OrgError{500, "ServiceException", "An internal error occurred.", "", e.message()};
  }
  return out;
}

// "arn:aws:organizations::MGMT:<kind>/o-…[/<id>]"
std::string OrgArn(const iam::Model& m, std::string_view kind, std::string_view id) {
  std::string arn = "arn:aws:organizations::" + m.management_account + ":" + std::string(kind) +
                    "/" + m.organization_id;
  if (!id.empty()) arn += "/" + std::string(id);
  return arn;
}

json PolicyTypes() {
  return json::array({{{"Type", "SERVICE_CONTROL_POLICY"}, {"Status", "ENABLED"}}});
}

json AccountJson(const iam::Model& m, const iam::Account& a, std::size_t index) {
  const char* status = iam::AccountStatusName(a.status);
  return json{{"Id", a.id},
              {"Arn", OrgArn(m, "account", a.id)},
              {"Email", a.email},
              {"Name", a.name},
              {"Status", status},
              {"State", status},
              {"JoinedMethod", a.id == m.management_account ? "INVITED" : "CREATED"},
              // Deterministic: 2020-01-01 plus an hour per account, in the model's order.
              {"JoinedTimestamp", 1577836800 + static_cast<long long>(index) * 3600}};
}

// NextToken: "<tag>.<base64 payload>", the payload "<scope>|<offset>", the tag 16 hex digits
// of SHA-256 over it: opaque to clients, and a token altered or from another listing is refused.
std::string TokenTag(std::string_view payload) {
  const crypto::Digest d = crypto::Sha256("lab organizations next token|" + std::string(payload));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    out += kHex[d[i] >> 4];
    out += kHex[d[i] & 15];
  }
  return out;
}

std::string MakeToken(const std::string& scope, std::size_t offset) {
  const std::string payload = scope + "|" + std::to_string(offset);
  return TokenTag(payload) + "." + Base64Encode(payload);
}

std::optional<std::size_t> ReadToken(const std::string& token, const std::string& scope,
                                     std::size_t size) {
  const std::size_t dot = token.find('.');
  if (dot != 16) return std::nullopt;
  auto payload = Base64Decode(token.substr(dot + 1));
  if (!payload || TokenTag(*payload) != token.substr(0, dot)) return std::nullopt;
  const std::size_t bar = payload->rfind('|');
  if (bar == std::string::npos || payload->substr(0, bar) != scope) return std::nullopt;
  const std::string digits = payload->substr(bar + 1);
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const std::size_t offset = std::stoul(digits);
  if (offset == 0 || offset >= size) return std::nullopt;
  return offset;
}

// One page of a listing of `size` items under `key` ("Accounts"), with NextToken when more
// follow; `item(i)` makes the i-th, for the page's items only (a listing of 10 000 accounts
// read in pages of 20 builds 20 per request, not 10 000).
std::variant<json, OrgError> Page(const json& input, const std::string& scope, std::size_t size,
                                  const std::function<json(std::size_t)>& item, const char* key) {
  std::size_t max_results = 20;
  if (auto it = input.find("MaxResults"); it != input.end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return OrgError{400, "SerializationException", "MaxResults must be an integer", "", ""};
    }
    const long long n = it->get<long long>();
    if (n < 1) {
      return InvalidInput("MIN_VALUE_EXCEEDED",
                          "You provided a value that is too small for MaxResults: minimum 1.");
    }
    if (n > 20) {
      return InvalidInput("MAX_VALUE_EXCEEDED",
                          "You provided a value that is too large for MaxResults: maximum 20.");
    }
    max_results = static_cast<std::size_t>(n);
  }
  std::size_t offset = 0;
  if (auto it = input.find("NextToken"); it != input.end() && !it->is_null()) {
    std::optional<std::size_t> read;
    if (it->is_string()) read = ReadToken(it->get<std::string>(), scope, size);
    if (!read) {
      return InvalidInput("INVALID_NEXT_TOKEN", "You specified an invalid value for nextToken.");
    }
    offset = *read;
  }
  json out = json::object();
  json page = json::array();
  const std::size_t end = std::min(size, offset + max_results);
  for (std::size_t i = offset; i < end; ++i) page.push_back(item(i));
  out[key] = std::move(page);
  if (end < size) out["NextToken"] = MakeToken(scope, end);
  return out;
}

// A listing that is already JSON (the short ones: roots, children).
std::variant<json, OrgError> Page(const json& input, const std::string& scope,
                                  const json& items, const char* key) {
  return Page(input, scope, items.size(), [&items](std::size_t i) { return items[i]; }, key);
}

bool IsRootId(const iam::Model& m, const std::string& id) { return id == m.root_id; }

}  // namespace

ServerResponse StsService::HandleOrganizations(const ServerRequest& request, TimePoint now,
                                               const std::string& request_id,
                                               std::string* action, std::string* caller_account,
                                               std::string* error_code) {
  std::string target;
  for (const HttpHeader& h : request.headers) {
    if (EqualsIgnoreCase(h.name, "X-Amz-Target")) {
      target = h.value;  // the first, as IsOrganizationsRequest reads it
      break;
    }
  }
  const std::string operation = target.substr(std::string(kOrganizationsTargetPrefix).size());
  *action = Printable(operation, 64);

  auto serve = [&]() -> std::variant<json, OrgError> {
    if (request.method != "POST") {
      return OrgError{400, "SerializationException", "Only POST is supported", "", ""};
    }
    std::string region;
    auto caller = Authenticate(request, now, &region, "organizations");
    if (!caller) return FromAuthError(caller.error());
    *caller_account = caller->principal.account;
    static const char* const kOperations[] = {"ListAccounts", "ListAccountsForParent",
                                              "ListChildren", "ListRoots",
                                              "DescribeOrganization"};
    if (std::find(std::begin(kOperations), std::end(kOperations), operation) ==
        std::end(kOperations)) {
      return OrgError{400, "UnknownOperationException", "", "",
                      "the lab serves no Organizations operation " + *action};
    }
    json input = json::object();
    if (!request.body.empty()) {
      try {
        input = json::parse(request.body);
      } catch (const json::exception&) {  // parse_error, or out_of_range for a huge number
        return OrgError{400, "SerializationException", "Start of structure or map found where "
                                                       "not expected.", "", "body is not JSON"};
      }
      if (!input.is_object()) {
        return OrgError{400, "SerializationException", "The request body is not a JSON object",
                        "", ""};
      }
    }
    const iam::Model& m = model_;
    std::string parent;
    if (operation == "ListAccountsForParent" || operation == "ListChildren") {
      auto it = input.find("ParentId");
      if (it == input.end() || !it->is_string()) {
        return InvalidInput("INPUT_REQUIRED", "You must specify a value for ParentId.");
      }
      parent = it->get<std::string>();
    }
    // The resource the action is authorized against: the parent for the per-parent listings.
    std::string resource = "*";
    if (!parent.empty() && !m.organization_id.empty() && !m.management_account.empty()) {
      resource = IsRootId(m, parent) ? OrgArn(m, "root", parent) : OrgArn(m, "ou", parent);
    }
    Result<iam::Caller> decision_caller =
        caller->user ? iam::CallerOfUser(m, *caller->user)
                     : iam::CallerOfSession(m, *caller->session->role, StateOf(*caller->session));
    if (!decision_caller) {
      return OrgError{400, "AccessDeniedException",
                      "You don't have permissions to access this resource.", "",
                      decision_caller.error().message()};
    }
    const iam::OrganizationsDecision d =
        iam::DecideOrganizations(m, *decision_caller, operation, resource, now);
    if (d.refusal == iam::OrganizationsRefusal::kNotInUse) {
      return OrgError{400, "AWSOrganizationsNotInUseException",
                      "Your account is not a member of an organization.", "", d.explanation};
    }
    if (!d.allowed()) {
      return OrgError{400, "AccessDeniedException",
                      "You don't have permissions to access this resource.", "", d.explanation};
    }
    if (operation == "DescribeOrganization") {
      const iam::Account* mgmt = m.FindAccount(m.management_account);
      return json{{"Organization",
                   {{"Id", m.organization_id},
                    {"Arn", OrgArn(m, "organization", "")},
                    {"FeatureSet", "ALL"},
                    {"MasterAccountArn", OrgArn(m, "account", m.management_account)},
                    {"MasterAccountId", m.management_account},
                    {"MasterAccountEmail", mgmt ? mgmt->email : ""},
                    {"AvailablePolicyTypes", PolicyTypes()}}}};
    }
    if (operation == "ListRoots") {
      json roots = json::array({{{"Id", m.root_id},
                                 {"Arn", OrgArn(m, "root", m.root_id)},
                                 {"Name", "Root"},
                                 {"PolicyTypes", PolicyTypes()}}});
      return Page(input, "ListRoots", roots, "Roots");
    }
    if (!parent.empty() && !IsRootId(m, parent) && !m.FindOrganizationalUnit(parent)) {
      return OrgError{400, "ParentNotFoundException",
                      "We can't find a root or OU with the ParentId that you specified.", "",
                      "no root or OU " + Printable(parent, 80) + " in the model"};
    }
    // The OU id an account or OU has as its parent: "" for the root.
    const std::string parent_key = IsRootId(m, parent) ? "" : parent;
    if (operation == "ListChildren") {
      auto it = input.find("ChildType");
      if (it == input.end() || !it->is_string()) {
        return InvalidInput("INPUT_REQUIRED", "You must specify a value for ChildType.");
      }
      const std::string type = it->get<std::string>();
      std::vector<const std::string*> children;  // ids, pointing into the model
      if (type == "ACCOUNT") {
        for (const iam::Account& a : m.accounts) {
          if (a.in_organization && a.parent_ou == parent_key) children.push_back(&a.id);
        }
      } else if (type == "ORGANIZATIONAL_UNIT") {
        for (const iam::OrganizationalUnit& ou : m.organizational_units) {
          if (ou.parent == parent_key) children.push_back(&ou.id);
        }
      } else {
        return InvalidInput("INVALID_ENUM", "You specified an invalid value for ChildType.");
      }
      return Page(
          input, "ListChildren:" + parent + ":" + type, children.size(),
          [&](std::size_t i) { return json{{"Id", *children[i]}, {"Type", type}}; }, "Children");
    }
    std::vector<std::size_t> listed;  // indices into m.accounts
    for (std::size_t i = 0; i < m.accounts.size(); ++i) {
      const iam::Account& a = m.accounts[i];
      if (!a.in_organization) continue;
      if (operation == "ListAccountsForParent" && a.parent_ou != parent_key) continue;
      listed.push_back(i);
    }
    return Page(
        input, operation == "ListAccounts" ? "ListAccounts" : "ListAccountsForParent:" + parent,
        listed.size(),
        [&](std::size_t i) { return AccountJson(m, m.accounts[listed[i]], listed[i]); },
        "Accounts");
  };

  std::variant<json, OrgError> result;
  try {
    result = serve();
  } catch (const std::exception& e) {
    result = OrgError{500, "ServiceException", "An internal error occurred.", "",
                      std::string("exception in the lab: ") + e.what()};
  }
  ServerResponse response;
  response.headers = {{"x-amzn-RequestId", request_id},
                      {"Content-Type", "application/x-amz-json-1.1"}};
  if (auto* body = std::get_if<json>(&result)) {
    response.status = 200;
    response.body = body->dump();
    return response;
  }
  const OrgError& e = std::get<OrgError>(result);
  *error_code = e.type;
  Log(e.status >= 500 ? LogLevel::kError : LogLevel::kWarning,
      request_id + " organizations " + *action + " " + e.type + " (HTTP " +
          std::to_string(e.status) + "): " + (e.log.empty() ? e.message : e.log));
  json body{{"__type", e.type}, {"Message", e.message}};
  if (!e.reason.empty()) body["Reason"] = e.reason;
  response.status = e.status;
  response.body = body.dump();
  return response;
}

}  // namespace hubspoke::lab
