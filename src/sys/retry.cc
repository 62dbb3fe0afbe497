#include "sys/retry.h"

#include <algorithm>

namespace hubspoke {

std::chrono::milliseconds RetryPolicy::Delay(int retry, Random& random) const {
  const int shift = std::clamp(retry - 1, 0, 30);
  const long long ceiling =
      std::min<long long>(cap.count(), base.count() * (1LL << std::min(shift, 20)));
  if (ceiling <= 0) return std::chrono::milliseconds(0);
  if (!jitter) return std::chrono::milliseconds(ceiling);
  return std::chrono::milliseconds(random.Below(static_cast<std::uint64_t>(ceiling)));
}

}  // namespace hubspoke
