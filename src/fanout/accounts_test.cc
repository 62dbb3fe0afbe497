// Account lists, accounts files (lines and JSON), their union and difference: every rule and
// the exact place each error names.
#include "hubspoke/accounts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hubspoke {
namespace {

std::vector<std::string> Ids(const std::vector<SpokeAccount>& accounts) {
  std::vector<std::string> out;
  for (const auto& a : accounts) out.push_back(a.id);
  return out;
}

// The one-line kInvalidArgument error of `r`, or a failure.
template <typename T>
std::string ErrorOf(const Result<T>& r) {
  if (r.has_value()) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message().find('\n'), std::string::npos) << r.error().message();
  return r.error().message();
}

TEST(ParseAccountList, CommasAndAnyWhitespaceSeparate) {
  auto r = ParseAccountList(" 111111111111,222222222222\t333333333333\n,, 444444444444 ,\r\n",
                            "--spoke-accounts");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(Ids(*r), (std::vector<std::string>{"111111111111", "222222222222", "333333333333",
                                               "444444444444"}));
  for (const auto& a : *r) EXPECT_EQ(a.name, "");
}

TEST(ParseAccountList, AnIdIsExactlyTwelveAsciiDigits) {
  for (const char* bad : {"11111111111", "1111111111111", "11111111111a", "-11111111111",
                          "+11111111111", "١١١١١١١١١١١١" /* Arabic-Indic digits */}) {
    const std::string message =
        ErrorOf(ParseAccountList(std::string("222222222222,") + bad, "--spoke-accounts"));
    EXPECT_EQ(message.rfind("--spoke-accounts: invalid account id '", 0), 0u) << message;
    EXPECT_NE(message.find("(item 2)"), std::string::npos) << message;
    EXPECT_NE(message.find("exactly 12 ASCII digits"), std::string::npos) << message;
  }
}

TEST(ParseAccountList, TheBadValueIsPrintableAndTruncated) {
  const std::string message =
      ErrorOf(ParseAccountList("1111\x1b[31m" + std::string(500, 'x'), "--exclude"));
  EXPECT_EQ(message.find('\x1b'), std::string::npos);
  EXPECT_LT(message.size(), 250u) << message;
  EXPECT_EQ(message.rfind("--exclude: invalid account id '1111?[31mxxx", 0), 0u) << message;
}

TEST(ParseAccountList, AnIdGivenTwiceIsNamed) {
  const std::string message =
      ErrorOf(ParseAccountList("111111111111 222222222222 111111111111", "stdin"));
  EXPECT_EQ(message, "stdin: account 111111111111 is given twice (items 1 and 3)");
}

TEST(ParseAccountList, NoIdAtAllIsAnError) {
  for (const char* empty : {"", " ", ",\n,\t"}) {
    const std::string message = ErrorOf(ParseAccountList(empty, "--spoke-accounts"));
    EXPECT_EQ(message.rfind("--spoke-accounts: no account ids", 0), 0u) << message;
  }
}

TEST(ParseAccountList, AtMostTheBoundManyIds) {
  std::string text;
  for (std::size_t i = 0; i <= kMaxSpokeAccounts; ++i) {
    std::string id = std::to_string(i);
    text += std::string(12 - id.size(), '0') + id + ",";
  }
  const std::string message = ErrorOf(ParseAccountList(text, "stdin"));
  EXPECT_EQ(message, "stdin: more than 100000 accounts");
}

TEST(ParseAccountsFile, LinesWithNamesCommentsBlankLinesAndCrlf) {
  const std::string content =
      "# spokes of the payments team\r\n"
      "\r\n"
      "111111111111 payments prod   # the big one\r\n"
      "  222222222222\tpayments\tstaging\r\n"
      "333333333333#no name\n"
      "444444444444   \n"
      "   # indented comment\n"
      "555555555555 last line without newline";
  std::vector<SpokeAccount> left_out;
  auto r = ParseAccountsFile(content, "spokes.txt", &left_out);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, (std::vector<SpokeAccount>{{"111111111111", "payments prod"},
                                           {"222222222222", "payments?staging"},
                                           {"333333333333", ""},
                                           {"444444444444", ""},
                                           {"555555555555", "last line without newline"}}));
  EXPECT_TRUE(left_out.empty());
}

TEST(ParseAccountsFile, AnEmptyFileHasNoAccounts) {
  for (const char* content : {"", "\n\n", "# nothing yet\n"}) {
    auto r = ParseAccountsFile(content, "spokes.txt");
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_TRUE(r->empty());
  }
}

TEST(ParseAccountsFile, ABadIdNamesPathAndLine) {
  const std::string message =
      ErrorOf(ParseAccountsFile("111111111111 a\n\n# c\n22222222222 short\n", "/etc/spokes.txt"));
  EXPECT_EQ(message.rfind("/etc/spokes.txt:4: invalid account id '22222222222': an AWS account "
                          "id is exactly 12 ASCII digits",
                          0),
            0u)
      << message;
}

TEST(ParseAccountsFile, TwoIdsOnOneLineAreRefused) {
  const std::string message =
      ErrorOf(ParseAccountsFile("111111111111,222222222222\n", "spokes.txt"));
  EXPECT_EQ(message.rfind("spokes.txt:1: invalid account id '111111111111,222222222222'", 0), 0u)
      << message;
  EXPECT_NE(message.find("one account a line"), std::string::npos) << message;
}

TEST(ParseAccountsFile, ADuplicateNamesTheLineItFirstAppearedOn) {
  const std::string message = ErrorOf(ParseAccountsFile(
      "111111111111 a\r\n222222222222 b\r\n# x\r\n111111111111 again\r\n", "spokes.txt"));
  EXPECT_EQ(message, "spokes.txt:4: account 111111111111 appears twice (first on line 1)");
}

TEST(ParseAccountsFile, NamesAreCutAt128Characters) {
  auto r = ParseAccountsFile("111111111111 " + std::string(300, 'n') + "\n", "spokes.txt");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ((*r)[0].name, std::string(128, 'n') + "…");
}

// What `aws organizations list-accounts` prints (2026: both Status and State).
constexpr char kListAccounts[] = R"({
    "Accounts": [
        {"Id": "111111111111", "Arn": "arn:aws:organizations::111111111111:account/o-x/111111111111",
         "Email": "a@example.com", "Name": "management", "Status": "ACTIVE", "State": "ACTIVE",
         "JoinedMethod": "INVITED", "JoinedTimestamp": "2020-01-01T00:00:00+00:00"},
        {"Id": "222222222222", "Name": "gone", "Status": "SUSPENDED", "State": "SUSPENDED"},
        {"Id": "333333333333", "Name": "closing", "Status": "PENDING_CLOSURE"},
        {"Id": "444444444444", "Name": "new style", "State": "ACTIVE"},
        {"Id": "555555555555", "Name": "closed", "State": "CLOSED"},
        {"Id": "666666666666"}
    ]
})";

TEST(ParseAccountsFile, ListAccountsJsonKeepsOnlyActiveAccounts) {
  std::vector<SpokeAccount> left_out;
  auto r = ParseAccountsFile(std::string("\n  ") + kListAccounts, "org.json", &left_out);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, (std::vector<SpokeAccount>{{"111111111111", "management"},
                                           {"444444444444", "new style"},
                                           {"666666666666", ""}}));
  EXPECT_EQ(left_out, (std::vector<SpokeAccount>{{"222222222222", "gone"},
                                                 {"333333333333", "closing"},
                                                 {"555555555555", "closed"}}));
  // Without a place for them, they are still left out.
  auto quiet = ParseAccountsFile(kListAccounts, "org.json");
  ASSERT_TRUE(quiet) << quiet.error().message();
  EXPECT_EQ(quiet->size(), 3u);
}

TEST(ParseAccountsFile, ABareJsonArray) {
  auto r = ParseAccountsFile(
      R"([{"Id": "111111111111", "Name": "a"}, {"Id": "222222222222", "Status": "SUSPENDED"}])",
      "ids.json");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, (std::vector<SpokeAccount>{{"111111111111", "a"}}));
}

TEST(ParseAccountsFile, JsonErrorsNamePathAndIndex) {
  struct Case {
    std::string content;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"Accounts": [{"Id": "111111111111"}, {"Id": "12345"}]})",
       "org.json: Accounts[1].Id: invalid account id '12345': an AWS account id is exactly 12 "
       "ASCII digits"},
      {R"({"Accounts": [{"Id": 111111111111}]})",
       "org.json: Accounts[0].Id: missing or not a string"},
      {R"({"Accounts": [{"Name": "x"}]})", "org.json: Accounts[0].Id: missing or not a string"},
      {R"({"Accounts": ["111111111111"]})", "org.json: Accounts[0]: not an object"},
      {R"([{"Id": "111111111111", "Name": 7}])", "org.json: [0].Name: not a string"},
      {R"([{"Id": "111111111111", "Status": 1}])", "org.json: [0].Status: not a string"},
      {R"({"Accounts": [{"Id": "111111111111"}, {"Id": "222222222222"}, {"Id": "111111111111"}]})",
       "org.json: Accounts[2].Id: account 111111111111 appears twice (first at Accounts[0])"},
      {R"({"accounts": []})",
       "org.json: a JSON accounts file is {\"Accounts\": [{\"Id\": …}, …]} (what aws "
       "organizations list-accounts prints) or an array of such objects; this object has no "
       "Accounts array"},
      {R"({"Accounts": {"Id": "111111111111"}})",
       "org.json: a JSON accounts file is {\"Accounts\": [{\"Id\": …}, …]} (what aws "
       "organizations list-accounts prints) or an array of such objects; this object has no "
       "Accounts array"},
      {R"({"Accounts": [}")", "org.json: not valid JSON (at byte 15)"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ErrorOf(ParseAccountsFile(c.content, "org.json")), c.message) << c.content;
  }
}

TEST(MergeAccounts, UnionInFirstSeenOrderWithTheFirstNonEmptyName) {
  auto r = MergeAccounts({{{"111111111111", ""}, {"222222222222", "two"}},
                          {},
                          {{"333333333333", "three"}, {"111111111111", "one"}},
                          {{"111111111111", "uno"}, {"222222222222", "dos"}}});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r, (std::vector<SpokeAccount>{
                    {"111111111111", "one"}, {"222222222222", "two"}, {"333333333333", "three"}}));
  auto none = MergeAccounts({});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(MergeAccounts, TheUnionIsBounded) {
  std::vector<SpokeAccount> a, b;
  for (std::size_t i = 0; i < kMaxSpokeAccounts; ++i) {
    std::string id = std::to_string(i);
    id = std::string(12 - id.size(), '0') + id;
    (i % 2 == 0 ? a : b).push_back({id, ""});
  }
  ASSERT_TRUE(MergeAccounts({a, b}));
  b.push_back({"999999999999", ""});
  EXPECT_EQ(ErrorOf(MergeAccounts({a, b})), "the selected accounts: more than 100000 accounts");
}

TEST(ExcludeAccounts, DropsTheExcludedAndKeepsOrder) {
  std::vector<SpokeAccount> all = {
      {"111111111111", "a"}, {"222222222222", "b"}, {"333333333333", "c"}, {"444444444444", "d"}};
  auto excluded = ParseAccountList("333333333333 111111111111 999999999999", "--exclude");
  ASSERT_TRUE(excluded);
  EXPECT_EQ(ExcludeAccounts(all, *excluded),
            (std::vector<SpokeAccount>{{"222222222222", "b"}, {"444444444444", "d"}}));
  EXPECT_EQ(ExcludeAccounts(all, {}), all);
  EXPECT_TRUE(ExcludeAccounts({}, *excluded).empty());
}

}  // namespace
}  // namespace hubspoke
