// Role ARNs and names as --hub-role / --spoke-role / profiles give them; a resolved role's ARN
// resolves again to itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "hubspoke/arn.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hubspoke::fuzz::Input in(data, size);
  const uint8_t flags = in.Byte();
  std::string_view account = flags & 1 ? "999999999999" : "";
  std::string_view partition = flags & 2 ? "aws-cn" : "aws";
  std::string_view role = in.Rest();
  auto arn = hubspoke::ResolveRole("--role", role, "--account", account, partition);
  if (!arn) return 0;
  FUZZ_CHECK(!arn->name.empty() && !arn->account_id.empty());
  FUZZ_CHECK(!arn->path.empty() && arn->path.front() == '/' && arn->path.back() == '/');
  std::string text = arn->ToString();
  auto again = hubspoke::ResolveRole("--role", text, "--account", account, partition);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->partition == arn->partition && again->account_id == arn->account_id &&
             again->path == arn->path && again->name == arn->name);
  FUZZ_CHECK(again->ToString() == text);
  return 0;
}
