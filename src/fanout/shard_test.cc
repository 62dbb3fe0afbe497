// --shard and the stable assignment of accounts to shards. The pinned table is the contract:
// a job on another host or another version of the tool must pick the same accounts.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "crypto/sha256.h"
#include "fanout/jump_hash.h"
#include "hubspoke/accounts.h"

namespace hubspoke {
namespace {

std::string Id(std::size_t n) {
  // 12 digits, spread out as real account ids are.
  return std::to_string(100000000000ULL + n * 7919);
}

std::vector<SpokeAccount> Accounts(std::size_t count) {
  std::vector<SpokeAccount> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back({Id(i), "n" + std::to_string(i)});
  return out;
}

// Computed independently (Python: hashlib.sha256, the published jump hash in floats).
TEST(ShardOf, PinnedValues) {
  struct Row {
    const char* id;
    std::vector<uint32_t> shards;  // for N = 2, 3, 7, 16, 100, 100000
  };
  const std::vector<Row> rows = {
      {"111111111111", {1, 1, 1, 15, 20, 57707}}, {"222222222222", {0, 0, 4, 9, 9, 38330}},
      {"123456789012", {0, 2, 5, 11, 77, 35463}}, {"000000000000", {0, 2, 4, 10, 10, 2890}},
      {"999999999999", {0, 2, 2, 10, 18, 23352}}, {"210987654321", {1, 1, 4, 7, 7, 23272}},
  };
  const std::vector<uint32_t> counts = {2, 3, 7, 16, 100, 100000};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < counts.size(); ++i) {
      EXPECT_EQ(ShardOf(row.id, counts[i]), row.shards[i]) << row.id << " of " << counts[i];
    }
    EXPECT_EQ(ShardOf(row.id, 1), 0u);
    EXPECT_EQ(ShardOf(row.id, 0), 0u);
  }
}

// The published algorithm on its own (keys straight, no SHA-256): the paper's function.
TEST(JumpConsistentHash, MatchesThePublishedAlgorithm) {
  EXPECT_EQ(fanout::JumpConsistentHash(0, 1), 0u);
  EXPECT_EQ(fanout::JumpConsistentHash(0, 0), 0u);
  // Values of the reference implementation (Python port of the paper's C++).
  EXPECT_EQ(fanout::JumpConsistentHash(1, 10), 6u);
  EXPECT_EQ(fanout::JumpConsistentHash(0xdeadbeefULL, 1000), 285u);
  EXPECT_EQ(fanout::JumpConsistentHash(~0ULL, 100000), 18311u);
}

// For every set of 0..200 accounts and every N in 1..16, the shards are disjoint, cover the set
// and keep its order; adding an account moves no other.
TEST(SelectShard, ShardsPartitionEverySetAndAddingAnAccountMovesNoOther) {
  const std::vector<SpokeAccount> all = Accounts(200);
  for (uint32_t n = 1; n <= 16; ++n) {
    std::map<std::string, uint32_t> previous;  // shard of each account of the smaller set
    for (std::size_t size = 0; size <= all.size(); ++size) {
      const std::vector<SpokeAccount> set(all.begin(), all.begin() + static_cast<long>(size));
      std::map<std::string, uint32_t> shard_of;
      for (uint32_t k = 0; k < n; ++k) {
        const std::vector<SpokeAccount> shard = SelectShard(set, ShardSpec{k, n});
        // In the set's order.
        auto it = set.begin();
        for (const auto& a : shard) {
          it = std::find(it, set.end(), a);
          ASSERT_NE(it, set.end()) << a.id << " out of order or not in the set";
        }
        for (const auto& a : shard) {
          ASSERT_TRUE(shard_of.emplace(a.id, k).second) << a.id << " in two shards, N=" << n;
        }
      }
      ASSERT_EQ(shard_of.size(), size) << "N=" << n;  // the union is the set
      for (const auto& [id, k] : previous) {
        ASSERT_EQ(shard_of.at(id), k) << "adding an account moved " << id << ", N=" << n;
      }
      previous = std::move(shard_of);
    }
  }
}

// Going from n to n+1 shards moves only accounts into the new shard n, about 1/(n+1) of them;
// and every shard gets about 1/n.
TEST(ShardOf, ChangingTheCountMovesFewAccountsAndBalances) {
  constexpr std::size_t kAccounts = 10000;
  const std::vector<SpokeAccount> accounts = Accounts(kAccounts);
  for (uint32_t n = 1; n < 16; ++n) {
    std::size_t moved = 0;
    std::vector<std::size_t> sizes(n + 1, 0);
    for (const auto& a : accounts) {
      const uint32_t before = ShardOf(a.id, n);
      const uint32_t after = ShardOf(a.id, n + 1);
      ++sizes[after];
      if (before != after) {
        ++moved;
        ASSERT_EQ(after, n) << a.id << " moved between old shards going from " << n;
      }
    }
    const double expected = static_cast<double>(kAccounts) / (n + 1);
    EXPECT_GT(static_cast<double>(moved), 0.85 * expected) << n << " → " << n + 1;
    EXPECT_LT(static_cast<double>(moved), 1.15 * expected) << n << " → " << n + 1;
    for (std::size_t size : sizes) {
      EXPECT_GT(static_cast<double>(size), 0.85 * expected) << "N=" << n + 1;
      EXPECT_LT(static_cast<double>(size), 1.15 * expected) << "N=" << n + 1;
    }
  }
}

TEST(SelectShard, OneShardIsEverything) {
  const std::vector<SpokeAccount> all = Accounts(50);
  EXPECT_EQ(SelectShard(all, ShardSpec{}), all);
  EXPECT_TRUE(SelectShard({}, ShardSpec{0, 4}).empty());
}

class ParseShardTest : public ::testing::Test {
 protected:
  Result<ShardSpec> Parse(std::string_view text,
                          std::vector<std::pair<std::string, std::string>> vars = {}) {
    env_ = MakeMapEnvironment(std::move(vars));
    return ParseShard(text, *env_);
  }
  // The message of the kInvalidArgument error, which names --shard and the value.
  std::string ErrorOf(std::string_view text,
                      std::vector<std::pair<std::string, std::string>> vars = {}) {
    auto r = Parse(text, std::move(vars));
    if (r) {
      ADD_FAILURE() << text << " parsed";
      return "";
    }
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    const std::string& m = r.error().message();
    EXPECT_EQ(m.rfind("--shard: invalid value '", 0), 0u) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    return m;
  }

  std::unique_ptr<Environment> env_;
};

TEST_F(ParseShardTest, KOfN) {
  EXPECT_EQ(*Parse("0/1"), (ShardSpec{0, 1}));
  EXPECT_EQ(*Parse("3/4"), (ShardSpec{3, 4}));
  EXPECT_EQ(*Parse(" 99999/100000 "), (ShardSpec{99999, 100000}));
  // The environment does not matter for K/N.
  EXPECT_EQ(*Parse("1/2", {{"JOB_COMPLETION_INDEX", "0"}, {"AWS_BATCH_JOB_ARRAY_INDEX", "0"}}),
            (ShardSpec{1, 2}));
}

TEST_F(ParseShardTest, KOfNRules) {
  const std::string k_rule = "K must be a number from 0 to N-1";
  const std::string n_rule = "N must be a number from 1 to 100000";
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"4/4", k_rule},          {"5/4", k_rule},
      {"-1/4", k_rule},         {"+1/4", k_rule},
      {"x/4", k_rule},          {"/4", k_rule},
      {"1 /4", k_rule},         {"0/0", n_rule},
      {"0/", n_rule},           {"0/100001", n_rule},
      {"0/4294967297", n_rule}, {"0/4x", n_rule},
      {"0/4/2", n_rule},        {"4", "a shard is K/N"},
      {"", "a shard is K/N"},   {"automatic", "a shard is K/N"},
  };
  for (const auto& [text, rule] : cases) {
    const std::string m = ErrorOf(text);
    EXPECT_EQ(m.rfind("--shard: invalid value '" + std::string(text) + "'", 0), 0u) << m;
    EXPECT_NE(m.find(rule), std::string::npos) << text << ": " << m;
  }
}

TEST_F(ParseShardTest, AutoOfNReadsTheKubernetesIndex) {
  EXPECT_EQ(*Parse("auto/8", {{"JOB_COMPLETION_INDEX", "7"}}), (ShardSpec{7, 8}));
  EXPECT_EQ(*Parse("auto/8", {{"JOB_COMPLETION_INDEX", "0"}}), (ShardSpec{0, 8}));
  EXPECT_NE(ErrorOf("auto/8").find("JOB_COMPLETION_INDEX is not set (a Kubernetes Indexed Job"),
            std::string::npos);
  EXPECT_NE(ErrorOf("auto/8", {{"AWS_BATCH_JOB_ARRAY_INDEX", "1"}})
                .find("in an AWS Batch array job use --shard auto"),
            std::string::npos);
  EXPECT_NE(ErrorOf("auto/8", {{"JOB_COMPLETION_INDEX", "8"}})
                .find("JOB_COMPLETION_INDEX=8 is not below N=8"),
            std::string::npos);
  EXPECT_NE(ErrorOf("auto/8", {{"JOB_COMPLETION_INDEX", "three"}})
                .find("JOB_COMPLETION_INDEX='three' is not a number"),
            std::string::npos);
  EXPECT_NE(ErrorOf("auto/0", {{"JOB_COMPLETION_INDEX", "0"}}).find("N must be"),
            std::string::npos);
}

TEST_F(ParseShardTest, AutoReadsAnAwsBatchArrayJob) {
  EXPECT_EQ(*Parse("auto", {{"AWS_BATCH_JOB_ARRAY_INDEX", "2"},
                            {"AWS_BATCH_JOB_ARRAY_SIZE", "10"},
                            {"AWS_BATCH_JOB_ID", "abc:2"}}),
            (ShardSpec{2, 10}));
  EXPECT_NE(
      ErrorOf("auto", {{"AWS_BATCH_JOB_ARRAY_INDEX", "10"}, {"AWS_BATCH_JOB_ARRAY_SIZE", "10"}})
          .find("AWS_BATCH_JOB_ARRAY_INDEX=10 is not below AWS_BATCH_JOB_ARRAY_SIZE=10"),
      std::string::npos);
  EXPECT_NE(
      ErrorOf("auto", {{"AWS_BATCH_JOB_ARRAY_INDEX", "1"}}).find("AWS_BATCH_JOB_ARRAY_SIZE is not"),
      std::string::npos);
  EXPECT_NE(
      ErrorOf("auto", {{"AWS_BATCH_JOB_ARRAY_SIZE", "4"}}).find("AWS_BATCH_JOB_ARRAY_INDEX is not"),
      std::string::npos);
  EXPECT_NE(ErrorOf("auto", {{"AWS_BATCH_JOB_ARRAY_INDEX", "1"}, {"AWS_BATCH_JOB_ARRAY_SIZE", "0"}})
                .find("AWS_BATCH_JOB_ARRAY_SIZE='0' is not a number from 1 to 100000"),
            std::string::npos);
}

TEST_F(ParseShardTest, AutoExplainsWhatItFound) {
  EXPECT_NE(ErrorOf("auto", {{"JOB_COMPLETION_INDEX", "3"}})
                .find("Kubernetes does not tell the job its completions count: use --shard "
                      "auto/N"),
            std::string::npos);
  EXPECT_NE(ErrorOf("auto", {{"AWS_BATCH_JOB_ID", "abc"}}).find("not an array job"),
            std::string::npos);
  const std::string none = ErrorOf("auto");
  for (const char* var :
       {"AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE", "JOB_COMPLETION_INDEX"}) {
    EXPECT_NE(none.find(var), std::string::npos) << none;
  }
}

}  // namespace
}  // namespace hubspoke
