// Which spoke accounts a fanout runs in: account lists (`--spoke-accounts`, `--exclude`, stdin),
// accounts files (one id a line, or the JSON `aws organizations list-accounts` prints), their
// union and difference, and shards (`--shard K/N`, `auto/N`, `auto`) that split the selection
// among the jobs of a Kubernetes Indexed Job or an AWS Batch array job.
//
// Every function here is pure (the environment is a parameter); errors are kInvalidArgument, one
// line, naming where the bad value came from (a flag, "PATH:LINE"), the value (printable,
// truncated) and the rule.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "hubspoke/result.h"
#include "hubspoke/spoke_account.h"
#include "hubspoke/system.h"

namespace hubspoke {

// Account ids separated by commas and/or whitespace (any run of them is one separator), as given
// to `--spoke-accounts`, `--exclude` or on stdin: "111111111111,222222222222 333333333333".
// `origin` names the source in errors ("--spoke-accounts", "--exclude", "stdin"). Each id must be
// exactly 12 ASCII digits; an id given twice is an error naming it; no id at all is an error
// (an empty selection is almost always a mistake in a script). Names are empty. At most
// kMaxSpokeAccounts ids.
Result<std::vector<SpokeAccount>> ParseAccountList(std::string_view text, std::string_view origin);

// An accounts file (`--accounts-file PATH`), `content` already read (the CLI reads it through
// SystemContext::files with a size limit). Two formats:
//  - Lines: "111111111111 optional name with spaces". A '#' starts a comment (whole line or
//    trailing: names cannot contain '#'); blank lines are skipped; CRLF line ends are fine.
//    Errors read "PATH:LINE: …"; a duplicate names the line the id first appeared on.
//  - JSON, when the first non-blank character is '{' or '[': what `aws organizations
//    list-accounts` prints, {"Accounts":[{"Id":…,"Name":…,"Status":…,"State":…},…]}, or a
//    bare array of such objects. Other members are ignored. An account whose Status or State is
//    present and not ACTIVE (SUSPENDED, PENDING_CLOSURE, CLOSED, …; Organizations retires Status
//    for State in September 2026, so both are read) is left out: appended to `*left_out` when
//    that is not null, so the caller can say how many and which. Errors read
//    "PATH: Accounts[i].Id: …" (or "PATH: [i].Id" for a bare array).
// A file with no account at all is not an error here (every account may be SUSPENDED); the
// caller decides. At most kMaxSpokeAccounts accounts.
Result<std::vector<SpokeAccount>> ParseAccountsFile(std::string_view content,
                                                    std::string_view path,
                                                    std::vector<SpokeAccount>* left_out = nullptr);

// The union of several sources in first-seen order: an id in several sources is kept once, at
// its first place, with the first non-empty name any source gave it. (Duplicates within one
// source are refused by the parsers above.) An error (kInvalidArgument) when the union holds
// more than kMaxSpokeAccounts accounts.
Result<std::vector<SpokeAccount>> MergeAccounts(std::vector<std::vector<SpokeAccount>> sources);

// `accounts` without those whose id is in `excluded` (order kept; names are ignored). Excluding
// an id that is not selected is not an error. The CLI parses `--exclude LIST` with
// ParseAccountList(LIST, "--exclude").
std::vector<SpokeAccount> ExcludeAccounts(std::vector<SpokeAccount> accounts,
                                          const std::vector<SpokeAccount>& excluded);

// One shard of N: this job runs the accounts whose ShardOf(id, count) is `index`.
struct ShardSpec {
  uint32_t index = 0;  // K, counting from 0
  uint32_t count = 1;  // N ≥ 1
  bool operator==(const ShardSpec&) const = default;
};

// The largest N `--shard` accepts (AWS Batch arrays stop at 10,000 children, Kubernetes
// Indexed Jobs at 100,000 completions).
inline constexpr uint32_t kMaxShards = 100000;

// The value of `--shard`:
//  - "K/N": 0 ≤ K < N, 1 ≤ N ≤ kMaxShards, decimal.
//  - "auto/N": K from JOB_COMPLETION_INDEX, which a Kubernetes Indexed Job sets in each pod
//    (N must be the Job's `completions`: Kubernetes does not tell the pod that number). An
//    error when it is unset, not a number or not below N.
//  - "auto": an AWS Batch array job child: K from AWS_BATCH_JOB_ARRAY_INDEX and N from
//    AWS_BATCH_JOB_ARRAY_SIZE (both set by Batch in every child). When only
//    JOB_COMPLETION_INDEX is set the error says to use auto/N. An AWS Batch job that is not an
//    array job (AWS_BATCH_JOB_ID set, no AWS_BATCH_JOB_ARRAY_INDEX) is an error, not shard 0/1:
//    several such jobs started to share the work would each run every account, which is worse
//    than stopping; a single job simply omits --shard. With none of these variables the error
//    names the variables looked for.
// Errors are kInvalidArgument naming --shard, the value and the rule.
Result<ShardSpec> ParseShard(std::string_view text, const Environment& env);

// The shard of an account among `count` (0 when count is 0 or 1). Stable, and part of the
// tool's contract: jobs on different hosts and different versions of the tool must agree on it.
// It depends only on the id and the count, so adding or removing accounts never moves another
// one, and going from N to N+1 shards moves about 1/(N+1) of the accounts, all into the new
// shard N. The function is Lamping and Veach's jump consistent hash ("A Fast, Minimal Memory,
// Consistent Hash Algorithm", 2014) of the first 8 bytes of SHA-256(id) read big-endian as the
// 64-bit key. Changing any of this is a breaking change (the tests pin a table of values).
uint32_t ShardOf(std::string_view account_id, uint32_t count);

// The accounts of `shard`, in their order.
std::vector<SpokeAccount> SelectShard(const std::vector<SpokeAccount>& accounts, ShardSpec shard);

}  // namespace hubspoke
