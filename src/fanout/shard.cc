// --shard and the stable assignment of accounts to shards (hubspoke/accounts.h).
#include <charconv>
#include <optional>
#include <string>

#include "core/strings.h"
#include "crypto/sha256.h"
#include "fanout/jump_hash.h"
#include "hubspoke/accounts.h"

namespace hubspoke {
namespace {

constexpr char kRule[] =
    "a shard is K/N with 0 ≤ K < N ≤ 100000 (K counts from 0), auto/N (K from a Kubernetes "
    "Indexed Job's JOB_COMPLETION_INDEX) or auto (an AWS Batch array job)";

Error Invalid(std::string_view value, std::string_view why) {
  return Error(ErrorCode::kInvalidArgument,
               "--shard: invalid value '" + Printable(value, 80) + "': " + std::string(why));
}

// A decimal number of digits only (no sign, no spaces), nullopt otherwise or beyond uint32_t.
std::optional<uint32_t> Decimal(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

Result<uint32_t> ParseCount(std::string_view text, std::string_view n) {
  auto count = Decimal(n);
  if (!count || *count < 1 || *count > kMaxShards) {
    return Invalid(text, "N must be a number from 1 to 100000; " + std::string(kRule));
  }
  return *count;
}

// The value of an index variable: digits, below `count`.
Result<uint32_t> IndexFromEnv(std::string_view text, const Environment& env, std::string_view var,
                              uint32_t count, std::string_view count_from) {
  auto raw = env.Get(var);
  auto index = raw ? Decimal(Trim(*raw)) : std::nullopt;
  if (!index) {
    return Invalid(text,
                   std::string(var) + "='" + Printable(raw.value_or(""), 40) + "' is not a number");
  }
  if (*index >= count) {
    return Invalid(text, std::string(var) + "=" + std::to_string(*index) + " is not below " +
                             std::string(count_from) + "=" + std::to_string(count));
  }
  return *index;
}

}  // namespace

Result<ShardSpec> ParseShard(std::string_view text, const Environment& env) {
  const std::string_view value = TrimView(text);
  const std::size_t slash = value.find('/');
  const std::string_view k = value.substr(0, slash);
  if (slash == std::string_view::npos) {
    if (value != "auto") return Invalid(text, kRule);
    // AWS Batch array job: both variables are set in every child.
    const bool batch_index = env.Get("AWS_BATCH_JOB_ARRAY_INDEX").has_value();
    const bool batch_size = env.Get("AWS_BATCH_JOB_ARRAY_SIZE").has_value();
    if (batch_index || batch_size) {
      if (!batch_size) {
        return Invalid(text,
                       "AWS_BATCH_JOB_ARRAY_INDEX is set but AWS_BATCH_JOB_ARRAY_SIZE is "
                       "not (AWS Batch sets both in an array job's children)");
      }
      auto size_raw = env.Get("AWS_BATCH_JOB_ARRAY_SIZE").value_or("");
      auto size = Decimal(Trim(size_raw));
      if (!size || *size < 1 || *size > kMaxShards) {
        return Invalid(text, "AWS_BATCH_JOB_ARRAY_SIZE='" + Printable(size_raw, 40) +
                                 "' is not a number from 1 to 100000");
      }
      if (!batch_index) {
        return Invalid(text,
                       "AWS_BATCH_JOB_ARRAY_SIZE is set but AWS_BATCH_JOB_ARRAY_INDEX is "
                       "not (AWS Batch sets both in an array job's children)");
      }
      auto index =
          IndexFromEnv(text, env, "AWS_BATCH_JOB_ARRAY_INDEX", *size, "AWS_BATCH_JOB_ARRAY_SIZE");
      if (!index) return std::move(index).error();
      return ShardSpec{.index = *index, .count = *size};
    }
    if (env.Get("JOB_COMPLETION_INDEX")) {
      return Invalid(text,
                     "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but "
                     "Kubernetes does not tell the job its completions count: use "
                     "--shard auto/N with N the Job's completions");
    }
    if (env.Get("AWS_BATCH_JOB_ID")) {
      return Invalid(text,
                     "this AWS Batch job is not an array job (AWS_BATCH_JOB_ID is set, "
                     "AWS_BATCH_JOB_ARRAY_INDEX is not): submit it with "
                     "--array-properties size=N, or run one job without --shard");
    }
    return Invalid(text,
                   "auto needs an AWS Batch array job (AWS_BATCH_JOB_ARRAY_INDEX and "
                   "AWS_BATCH_JOB_ARRAY_SIZE) and none of them is set; in a Kubernetes "
                   "Indexed Job (JOB_COMPLETION_INDEX) use auto/N");
  }
  auto count = ParseCount(text, value.substr(slash + 1));
  if (!count) return std::move(count).error();
  if (k == "auto") {
    if (!env.Get("JOB_COMPLETION_INDEX")) {
      return Invalid(text, env.Get("AWS_BATCH_JOB_ARRAY_INDEX")
                               ? "JOB_COMPLETION_INDEX is not set, AWS_BATCH_JOB_ARRAY_INDEX is: "
                                 "in an AWS Batch array job use --shard auto"
                               : "JOB_COMPLETION_INDEX is not set (a Kubernetes Indexed Job sets "
                                 "it in each pod; elsewhere give K/N)");
    }
    auto index = IndexFromEnv(text, env, "JOB_COMPLETION_INDEX", *count, "N");
    if (!index) return std::move(index).error();
    return ShardSpec{.index = *index, .count = *count};
  }
  auto index = Decimal(k);
  if (!index || *index >= *count) {
    return Invalid(text, "K must be a number from 0 to N-1; " + std::string(kRule));
  }
  return ShardSpec{.index = *index, .count = *count};
}

uint32_t ShardOf(std::string_view account_id, uint32_t count) {
  if (count <= 1) return 0;
  const crypto::Digest digest = crypto::Sha256(account_id);
  uint64_t key = 0;
  for (int i = 0; i < 8; ++i) key = (key << 8) | digest[static_cast<std::size_t>(i)];
  return fanout::JumpConsistentHash(key, count);
}

std::vector<SpokeAccount> SelectShard(const std::vector<SpokeAccount>& accounts, ShardSpec shard) {
  std::vector<SpokeAccount> out;
  for (const auto& account : accounts) {
    if (ShardOf(account.id, shard.count) == shard.index) out.push_back(account);
  }
  return out;
}

}  // namespace hubspoke
