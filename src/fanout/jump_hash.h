// Lamping and Veach's jump consistent hash ("A Fast, Minimal Memory, Consistent Hash Algorithm",
// arXiv:1406.2294, 2014), exactly as published: the shard of an account (ShardOf in
// hubspoke/accounts.h) is part of the tool's contract, so this must never change. The double
// arithmetic is IEEE 754 and exact enough that every conforming platform computes the same
// bucket (the project builds without -ffast-math).
#pragma once

#include <cstdint>

namespace hubspoke::fanout {

// The bucket in [0, buckets) of `key`; 0 when buckets is 0. Going from n to n+1 buckets moves
// a key only into bucket n, and about 1/(n+1) of the keys move.
inline uint32_t JumpConsistentHash(uint64_t key, uint32_t buckets) {
  int64_t b = -1;
  int64_t j = 0;
  while (j < static_cast<int64_t>(buckets)) {
    b = j;
    key = key * 2862933555777941757ULL + 1;
    j = static_cast<int64_t>(static_cast<double>(b + 1) * (static_cast<double>(int64_t{1} << 31) /
                                                           static_cast<double>((key >> 33) + 1)));
  }
  return b < 0 ? 0 : static_cast<uint32_t>(b);
}

}  // namespace hubspoke::fanout
