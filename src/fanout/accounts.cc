// Account lists, accounts files, their union and difference (hubspoke/accounts.h).
#include <nlohmann/json.hpp>

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/strings.h"
#include "hubspoke/accounts.h"

namespace hubspoke {
namespace {

constexpr char kIdRule[] = "an AWS account id is exactly 12 ASCII digits";
// Organizations' AccountName is at most 128 characters.
constexpr std::size_t kMaxName = 128;

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

Error TooMany(std::string_view where) {
  return Invalid(std::string(where) + ": more than " + std::to_string(kMaxSpokeAccounts) +
                 " accounts");
}

bool IsSeparator(char c) {
  return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// The lines format: "ID [name] [# comment]".
Result<std::vector<SpokeAccount>> ParseLines(std::string_view content, std::string_view path) {
  std::vector<SpokeAccount> out;
  std::unordered_map<std::string, std::size_t> first_line;  // id → line number
  std::size_t line_no = 0;
  while (!content.empty()) {
    ++line_no;
    const std::size_t nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    content = nl == std::string_view::npos ? std::string_view() : content.substr(nl + 1);
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = TrimView(line);  // also a CR before the LF
    if (line.empty()) continue;
    std::size_t end = 0;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
    const std::string_view id = line.substr(0, end);
    const std::string where = std::string(path) + ":" + std::to_string(line_no);
    if (!IsAccountId(id)) {
      return Invalid(where + ": invalid account id '" + Printable(id, 40) + "': " + kIdRule +
                     ", one account a line (ID [name] [# comment])");
    }
    auto [it, inserted] = first_line.emplace(std::string(id), line_no);
    if (!inserted) {
      return Invalid(where + ": account " + std::string(id) + " appears twice (first on line " +
                     std::to_string(it->second) + ")");
    }
    if (out.size() >= kMaxSpokeAccounts) return TooMany(path);
    out.push_back(SpokeAccount{.id = std::string(id),
                               .name = Printable(TrimView(line.substr(end)), kMaxName)});
  }
  return out;
}

// The JSON of `aws organizations list-accounts`, or a bare array of its account objects.
Result<std::vector<SpokeAccount>> ParseJson(std::string_view content, std::string_view path,
                                            std::vector<SpokeAccount>* left_out) {
  const std::string file(path);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(content.begin(), content.end());
  } catch (const nlohmann::json::parse_error& e) {
    return Invalid(file + ": not valid JSON (at byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception&) {  // out_of_range: a number too large (1E800)
    return Invalid(file + ": not valid JSON (a number out of range)");
  }
  const nlohmann::json* list = &doc;
  std::string prefix;
  if (doc.is_object()) {
    auto it = doc.find("Accounts");
    if (it == doc.end() || !it->is_array()) {
      return Invalid(file +
                     ": a JSON accounts file is {\"Accounts\": [{\"Id\": …}, …]} (what "
                     "aws organizations list-accounts prints) or an array of such "
                     "objects; this object has no Accounts array");
    }
    list = &*it;
    prefix = "Accounts";
  } else if (!doc.is_array()) {
    return Invalid(file +
                   ": a JSON accounts file is an object with an Accounts array or an "
                   "array");
  }
  std::vector<SpokeAccount> out;
  std::unordered_map<std::string, std::size_t> first_index;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& item = (*list)[i];
    const std::string where = file + ": " + prefix + "[" + std::to_string(i) + "]";
    if (!item.is_object()) return Invalid(where + ": not an object");
    auto id_it = item.find("Id");
    if (id_it == item.end() || !id_it->is_string()) {
      return Invalid(where + ".Id: missing or not a string");
    }
    const std::string id = id_it->get<std::string>();
    if (!IsAccountId(id)) {
      return Invalid(where + ".Id: invalid account id '" + Printable(id, 40) + "': " + kIdRule);
    }
    std::string name;
    if (auto it = item.find("Name"); it != item.end() && !it->is_null()) {
      if (!it->is_string()) return Invalid(where + ".Name: not a string");
      name = Printable(it->get<std::string>(), kMaxName);
    }
    bool active = true;
    for (const char* field : {"Status", "State"}) {
      auto it = item.find(field);
      if (it == item.end() || it->is_null()) continue;
      if (!it->is_string()) return Invalid(where + "." + field + ": not a string");
      if (it->get<std::string>() != "ACTIVE") active = false;
    }
    auto [seen, inserted] = first_index.emplace(id, i);
    if (!inserted) {
      return Invalid(where + ".Id: account " + id + " appears twice (first at " + prefix + "[" +
                     std::to_string(seen->second) + "])");
    }
    if (!active) {
      if (left_out != nullptr) left_out->push_back(SpokeAccount{.id = id, .name = name});
      continue;
    }
    if (out.size() >= kMaxSpokeAccounts) return TooMany(path);
    out.push_back(SpokeAccount{.id = id, .name = std::move(name)});
  }
  return out;
}

}  // namespace

Result<std::vector<SpokeAccount>> ParseAccountList(std::string_view text, std::string_view origin) {
  std::vector<SpokeAccount> out;
  std::unordered_map<std::string, std::size_t> first_item;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSeparator(text[i])) ++i;
    if (i == text.size()) break;
    std::size_t end = i;
    while (end < text.size() && !IsSeparator(text[end])) ++end;
    const std::string_view id = text.substr(i, end - i);
    i = end;
    const std::size_t item = out.size() + 1;
    if (!IsAccountId(id)) {
      return Invalid(std::string(origin) + ": invalid account id '" + Printable(id, 40) +
                     "' (item " + std::to_string(item) + "): " + kIdRule +
                     ", separated by commas or whitespace");
    }
    auto [it, inserted] = first_item.emplace(std::string(id), item);
    if (!inserted) {
      return Invalid(std::string(origin) + ": account " + std::string(id) +
                     " is given twice (items " + std::to_string(it->second) + " and " +
                     std::to_string(item) + ")");
    }
    if (out.size() >= kMaxSpokeAccounts) return TooMany(origin);
    out.push_back(SpokeAccount{.id = std::string(id), .name = ""});
  }
  if (out.empty()) {
    return Invalid(std::string(origin) +
                   ": no account ids: give 12-digit account ids "
                   "separated by commas or whitespace");
  }
  return out;
}

Result<std::vector<SpokeAccount>> ParseAccountsFile(std::string_view content, std::string_view path,
                                                    std::vector<SpokeAccount>* left_out) {
  const std::string_view trimmed = TrimView(content);
  if (!trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[')) {
    return ParseJson(content, path, left_out);
  }
  return ParseLines(content, path);
}

Result<std::vector<SpokeAccount>> MergeAccounts(std::vector<std::vector<SpokeAccount>> sources) {
  std::vector<SpokeAccount> out;
  std::unordered_map<std::string, std::size_t> index;  // id → position in out
  for (auto& source : sources) {
    for (auto& account : source) {
      auto [it, inserted] = index.emplace(account.id, out.size());
      if (inserted) {
        if (out.size() >= kMaxSpokeAccounts) return TooMany("the selected accounts");
        out.push_back(std::move(account));
      } else if (out[it->second].name.empty()) {
        out[it->second].name = std::move(account.name);
      }
    }
  }
  return out;
}

std::vector<SpokeAccount> ExcludeAccounts(std::vector<SpokeAccount> accounts,
                                          const std::vector<SpokeAccount>& excluded) {
  std::unordered_set<std::string> drop;
  for (const auto& account : excluded) drop.insert(account.id);
  std::erase_if(accounts, [&](const SpokeAccount& a) { return drop.count(a.id) != 0; });
  return accounts;
}

}  // namespace hubspoke
