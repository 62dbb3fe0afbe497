// JSON from credential endpoints: the container provider (ECS/EKS), IMDS and its error bodies.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "creds/remote_credentials_json.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hubspoke::fuzz::Input in(data, size);
  const uint8_t flags = in.Byte();
  std::string_view body = in.Rest();
  hubspoke::RemoteCredentialsRequirements req{.require_session_token = (flags & 1) != 0,
                                              .require_expiration = (flags & 2) != 0};
  auto creds = hubspoke::ParseRemoteCredentialsJson("fuzz endpoint", body, req);
  if (creds) {
    FUZZ_CHECK(!creds->access_key_id.empty());
    if (req.require_expiration) FUZZ_CHECK(creds->expiration.has_value());
  }
  if (auto err = hubspoke::ParseRemoteErrorJson(body)) {
    for (char ch : err->code) FUZZ_CHECK(ch != '\n' && ch != '\r');
    for (char ch : err->message) FUZZ_CHECK(ch != '\n' && ch != '\r');
  }
  std::string line = hubspoke::DescribeRemoteFailure(400 + flags % 200, body);
  FUZZ_CHECK(line.find('\n') == std::string::npos);
  return 0;
}
