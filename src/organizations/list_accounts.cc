// ListOrganizationAccounts (hubspoke/organizations.h): the listings, their pages and the OU tree,
// with every answer checked, since the endpoint may be anything AWS_ENDPOINT_URL points at.
#include <nlohmann/json.hpp>

#include <deque>
#include <functional>
#include <string>
#include <unordered_set>

#include "core/strings.h"
#include "hubspoke/organizations.h"
#include "organizations/json_client.h"

namespace hubspoke {
namespace {

using organizations::JsonClient;
using organizations::JsonReply;

constexpr char kLabel[] = "Organizations";
constexpr std::size_t kMaxName = 128;          // AccountName's limit
constexpr std::size_t kMaxNextToken = 100000;  // NextToken's limit in the API model

bool AllOf(std::string_view s, bool (*ok)(char)) {
  for (char c : s)
    if (!ok(c)) return false;
  return true;
}
bool LowerOrDigit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); }
bool Digit(char c) { return c >= '0' && c <= '9'; }

// ^r-[0-9a-z]{4,32}$
bool IsRootId(std::string_view s) {
  if (s.rfind("r-", 0) != 0) return false;
  const std::string_view rest = s.substr(2);
  return rest.size() >= 4 && rest.size() <= 32 && AllOf(rest, LowerOrDigit);
}
// ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$
bool IsOuId(std::string_view s) {
  if (s.rfind("ou-", 0) != 0) return false;
  const std::string_view rest = s.substr(3);
  const std::size_t dash = rest.find('-');
  if (dash == std::string_view::npos) return false;
  const std::string_view root = rest.substr(0, dash);
  const std::string_view own = rest.substr(dash + 1);
  return root.size() >= 4 && root.size() <= 32 && AllOf(root, LowerOrDigit) && own.size() >= 8 &&
         own.size() <= 32 && AllOf(own, LowerOrDigit);
}
bool IsAccountId(std::string_view s) { return s.size() == 12 && AllOf(s, Digit); }

// Why Organizations refused, in the user's terms.
Error WithOrganizationsHint(Error e, const std::string& ou) {
  if (!e.aws()) return e;
  const std::string& code = e.aws()->code;
  if (code == "AccessDeniedException") {
    return std::move(e).WithHint(
        "listing accounts needs organizations:ListAccounts (with --ou: ListAccountsForParent "
        "and ListChildren), in the organization's management account or a delegated "
        "administrator account");
  }
  if (code == "AWSOrganizationsNotInUseException") {
    return std::move(e).WithHint(
        "the caller's account is not in an organization: give the accounts with "
        "--spoke-accounts or --accounts-file");
  }
  if (code == "ParentNotFoundException") {
    return std::move(e).WithHint("no root or OU " + Printable(ou, 80) +
                                 " in the caller's organization: check --ou");
  }
  if (code == "InvalidInputException") {
    return std::move(e).WithHint("Organizations refused the request's parameters: check --ou");
  }
  if (e.code() == ErrorCode::kThrottled) {
    return std::move(e).WithHint(
        "Organizations allows only a few requests per second per account; try again later");
  }
  return e;
}

class Lister {
 public:
  Lister(const SystemContext& sys, const Credentials& caller, const OrganizationsOptions& options,
         std::string ou, std::vector<SpokeAccount>* left_out)
      : client_(sys,
                organizations::JsonClientOptions{
                    .endpoint = options.endpoint,
                    .signing_region = options.signing_region,
                    .service = "organizations",
                    .target_prefix = "AWSOrganizationsV20161128",
                    .label = kLabel,
                    .retry = RetryPolicy{.max_attempts = options.max_attempts,
                                         .base = options.backoff_base,
                                         .cap = options.backoff_cap},
                    .attempt_timeout = options.attempt_timeout,
                    .on_retry = options.on_retry}),
        sys_(sys),
        caller_(caller),
        options_(options),
        ou_(std::move(ou)),
        left_out_(left_out) {}

  Result<std::vector<SpokeAccount>> Run() {
    if (ou_.empty()) {
      if (auto s = ListAccounts("ListAccounts", nlohmann::json::object()); !s) {
        return std::move(s).error();
      }
    } else {
      // Breadth first through the tree; every parent is listed once.
      std::deque<std::string> parents = {ou_};
      std::unordered_set<std::string> visited = {ou_};
      while (!parents.empty()) {
        const std::string parent = std::move(parents.front());
        parents.pop_front();
        if (auto s = ListAccounts("ListAccountsForParent", {{"ParentId", parent}}); !s) {
          return std::move(s).error();
        }
        auto children = ListChildOus(parent);
        if (!children) return std::move(children).error();
        for (auto& child : *children) {
          if (!visited.insert(child).second) {
            return Error(ErrorCode::kRemote,
                         std::string(kLabel) + " ListChildren: OU " + child + " under " + parent +
                             " was already listed (the tree has a cycle); stopping");
          }
          parents.push_back(std::move(child));
        }
      }
    }
    if (skipped_ > 0 && left_out_ == nullptr) {
      sys_.log.Log(LogLevel::kInfo, std::string(kLabel) + ": left out " + std::to_string(skipped_) +
                                        " account(s) that are not ACTIVE");
    }
    return std::move(accounts_);
  }

 private:
  using PageFn = std::function<Status(const nlohmann::json& page, const std::string& where)>;

  // Every page of `operation` with `request`, following NextToken.
  Status Paginate(const std::string& operation, nlohmann::json request, const PageFn& on_page) {
    std::unordered_set<std::string> tokens;
    if (options_.page_size > 0) request["MaxResults"] = options_.page_size;
    for (;;) {
      if (++requests_ > options_.max_requests) {
        return Error(ErrorCode::kRemote, std::string(kLabel) + " " + operation + ": more than " +
                                             std::to_string(options_.max_requests) +
                                             " requests to list the accounts; stopping");
      }
      auto reply =
          client_.Call(caller_, operation,
                       request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      if (!reply) return WithOrganizationsHint(std::move(reply).error(), ou_);
      const std::string where = std::string(kLabel) + " " + operation + " (request id " +
                                (reply->request_id.empty() ? "none" : reply->request_id) + ")";
      // Without exceptions: a parser diagnostic would quote the answer.
      nlohmann::json page = nlohmann::json::parse(reply->body.begin(), reply->body.end(),
                                                  /*cb=*/nullptr, /*allow_exceptions=*/false);
      if (page.is_discarded() || !page.is_object()) {
        return Error(ErrorCode::kParse, where + ": the answer is not a JSON object (" +
                                            std::to_string(reply->body.size()) +
                                            " bytes, not shown)");
      }
      if (auto s = on_page(page, where); !s) return s;
      auto token = page.find("NextToken");
      if (token == page.end() || token->is_null()) return Ok();
      if (!token->is_string()) {
        return Error(ErrorCode::kParse, where + ": NextToken is not a string");
      }
      std::string next = token->get<std::string>();
      if (next.empty()) return Ok();
      if (next.size() > kMaxNextToken) {
        return Error(ErrorCode::kParse, where + ": NextToken is longer than " +
                                            std::to_string(kMaxNextToken) + " characters");
      }
      if (!tokens.insert(next).second) {
        return Error(ErrorCode::kRemote,
                     where +
                         ": NextToken repeats a token of an earlier page (the service's "
                         "pagination loops); stopping");
      }
      request["NextToken"] = std::move(next);
    }
  }

  // The array member `name` of a page: empty when absent or null, an error when not an array.
  static Result<const nlohmann::json*> ArrayMember(const nlohmann::json& page, const char* name,
                                                   const std::string& where) {
    static const nlohmann::json kEmpty = nlohmann::json::array();
    auto it = page.find(name);
    if (it == page.end() || it->is_null()) return &kEmpty;
    if (!it->is_array()) {
      return Error(ErrorCode::kParse, where + ": " + name + " is not an array");
    }
    return &*it;
  }

  Status ListAccounts(const std::string& operation, nlohmann::json request) {
    return Paginate(
        operation, std::move(request),
        [&](const nlohmann::json& page, const std::string& where) -> Status {
          auto list = ArrayMember(page, "Accounts", where);
          if (!list) return std::move(list).error();
          for (std::size_t i = 0; i < (*list)->size(); ++i) {
            if (auto s = AddAccount((**list)[i], where + ": Accounts[" + std::to_string(i) + "]");
                !s) {
              return s;
            }
          }
          return Ok();
        });
  }

  Status AddAccount(const nlohmann::json& item, const std::string& where) {
    if (!item.is_object()) return Error(ErrorCode::kParse, where + " is not an object");
    auto id_it = item.find("Id");
    if (id_it == item.end() || !id_it->is_string()) {
      return Error(ErrorCode::kParse, where + ".Id is missing or not a string");
    }
    std::string id = id_it->get<std::string>();
    if (!IsAccountId(id)) {
      return Error(ErrorCode::kParse, where + ".Id: invalid account id '" + Printable(id, 40) +
                                          "': an AWS account id is exactly 12 digits");
    }
    std::string name;
    if (auto it = item.find("Name"); it != item.end() && it->is_string()) {
      name = Printable(it->get<std::string>(), kMaxName);
    }
    // Status is retired for State in September 2026: whichever is present decides.
    bool active = true;
    for (const char* field : {"Status", "State"}) {
      auto it = item.find(field);
      if (it != item.end() && !it->is_null() && (!it->is_string() || *it != "ACTIVE")) {
        active = false;
      }
    }
    // An account listed twice (it moved between OUs while we listed) is kept once.
    if (!seen_.insert(id).second) return Ok();
    if (!active) {
      ++skipped_;
      if (left_out_ != nullptr) left_out_->push_back({std::move(id), std::move(name)});
      return Ok();
    }
    if (accounts_.size() >= options_.max_accounts) {
      return Error(
          ErrorCode::kRemote,
          where + ": more than " + std::to_string(options_.max_accounts) + " accounts; stopping");
    }
    accounts_.push_back({std::move(id), std::move(name)});
    return Ok();
  }

  Result<std::vector<std::string>> ListChildOus(const std::string& parent) {
    std::vector<std::string> out;
    auto s =
        Paginate("ListChildren", {{"ParentId", parent}, {"ChildType", "ORGANIZATIONAL_UNIT"}},
                 [&](const nlohmann::json& page, const std::string& where) -> Status {
                   auto list = ArrayMember(page, "Children", where);
                   if (!list) return std::move(list).error();
                   for (std::size_t i = 0; i < (*list)->size(); ++i) {
                     const nlohmann::json& child = (**list)[i];
                     const std::string at = where + ": Children[" + std::to_string(i) + "]";
                     auto id = child.is_object() ? child.find("Id") : child.end();
                     if (!child.is_object() || id == child.end() || !id->is_string() ||
                         !IsOuId(id->get<std::string>())) {
                       return Error(ErrorCode::kParse,
                                    at + ".Id is not an OU id (ou-xxxx-yyyyyyyy)" +
                                        (child.is_object() && id != child.end() && id->is_string()
                                             ? ": '" + Printable(id->get<std::string>(), 80) + "'"
                                             : std::string()));
                     }
                     if (auto type = child.find("Type"); type != child.end() && !type->is_null() &&
                                                         *type != "ORGANIZATIONAL_UNIT") {
                       return Error(ErrorCode::kParse, at + ".Type is not ORGANIZATIONAL_UNIT");
                     }
                     if (++ous_ > options_.max_requests) {
                       return Error(ErrorCode::kRemote, at + ": more than " +
                                                            std::to_string(options_.max_requests) +
                                                            " OUs; stopping");
                     }
                     out.push_back(id->get<std::string>());
                   }
                   return Ok();
                 });
    if (!s) return std::move(s).error();
    return out;
  }

  JsonClient client_;
  const SystemContext& sys_;
  const Credentials& caller_;
  const OrganizationsOptions& options_;
  std::string ou_;
  std::vector<SpokeAccount>* left_out_;
  std::vector<SpokeAccount> accounts_;
  std::unordered_set<std::string> seen_;
  std::size_t skipped_ = 0;
  int requests_ = 0;
  int ous_ = 0;
};

}  // namespace

Status ValidateOrganizationsParentId(std::string_view ou) {
  if (IsOuId(ou) || IsRootId(ou)) return Ok();
  return Error(ErrorCode::kInvalidArgument,
               "--ou: invalid value '" + Printable(ou, 80) +
                   "': an OU id matches ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$ "
                   "(ou-ab12-cd34ef56) and a root id ^r-[0-9a-z]{4,32}$ (r-ab12)");
}

Result<std::vector<SpokeAccount>> ListOrganizationAccounts(const SystemContext& sys,
                                                           const Credentials& caller,
                                                           const OrganizationsOptions& options,
                                                           const std::string& ou,
                                                           std::vector<SpokeAccount>* left_out) {
  if (!ou.empty()) {
    if (auto s = ValidateOrganizationsParentId(ou); !s) return std::move(s).error();
  }
  if (options.page_size < 0 || options.page_size > 20) {
    return Error(ErrorCode::kInvalidArgument,
                 "Organizations page size: invalid value " + std::to_string(options.page_size) +
                     ": MaxResults is 1–20 (0 lets the service choose)");
  }
  if (options.endpoint.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "Organizations endpoint: empty (ResolveOrganizationsEndpoint gives one)");
  }
  return Lister(sys, caller, options, ou, left_out).Run();
}

}  // namespace hubspoke
