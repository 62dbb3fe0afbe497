// The lab's session tokens, as any client may send them back (X-Amz-Security-Token): a token
// that was not sealed by this key must not open; and claims taken from the input round-trip.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "lab/session_token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hubspoke::fuzz::Input in(data, size);
  const uint8_t flags = in.Byte();
  static const hubspoke::lab::SessionSealer sealer("fuzz-key-0123456789abcdef0123456");
  std::string_view all = in.Rest();
  // Any bytes as a token: the fuzzer cannot forge an HMAC, so nothing it writes may open.
  FUZZ_CHECK(!sealer.Open(all).has_value());

  // Claims from the input's lines, sealed and opened again: the same claims, the same secret.
  hubspoke::lab::SessionClaims claims;
  claims.access_key_id = std::string(in.Until('\n'));
  claims.role_arn = std::string(in.Until('\n'));
  claims.session_name = std::string(in.Until('\n'));
  claims.source_identity = std::string(in.Until('\n'));
  claims.expiration = hubspoke::TimePoint(std::chrono::seconds(1'700'000'000 + flags * 977));
  claims.mfa = (flags & 1) != 0;
  if (flags & 8) claims.mfa_time = hubspoke::TimePoint(std::chrono::seconds(1'699'999'000 - flags));
  if (flags & 2) claims.session_policy = std::string(in.Until('\n'));
  while (true) {
    std::string_view line = in.Until('\n');
    if (line.empty()) break;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      claims.policy_arns.emplace_back(line);
    } else {
      claims.tags[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
      if (flags & 4) claims.transitive_tag_keys.emplace_back(line.substr(0, eq));
    }
  }
  auto sealed = sealer.Seal(claims);
  auto opened = sealer.Open(sealed.session_token);
  FUZZ_CHECK(opened.has_value());
  const auto& c = opened->claims;
  FUZZ_CHECK(c.access_key_id == claims.access_key_id && c.expiration == claims.expiration &&
             c.role_arn == claims.role_arn && c.session_name == claims.session_name &&
             c.source_identity == claims.source_identity && c.tags == claims.tags &&
             c.transitive_tag_keys == claims.transitive_tag_keys &&
             c.session_policy == claims.session_policy && c.policy_arns == claims.policy_arns &&
             c.mfa == claims.mfa && c.mfa_time == claims.mfa_time);
  FUZZ_CHECK(opened->secret_access_key == sealed.secret_access_key);
  // One byte changed: it no longer opens. (Not in the last characters, where base 64 may have
  // padding bits that decode to the same bytes.)
  if (sealed.session_token.size() > 4) {
    std::string altered = sealed.session_token;
    altered[flags % (altered.size() - 4)] ^= 1;
    FUZZ_CHECK(!sealer.Open(altered).has_value());
  }
  return 0;
}
