// AWS Organizations (JSON 1.1 protocol) error responses: x-amzn-ErrorType, __type, code, message.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "hubspoke/http.h"
#include "organizations/json_errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hubspoke::fuzz::Input in(data, size);
  hubspoke::HttpResponse response;
  response.status = 400 + in.Byte() % 200;
  // First line: an x-amzn-ErrorType header value (none when empty); the rest: the body.
  std::string_view header = in.Until('\n');
  if (!header.empty()) response.headers.push_back({"x-amzn-ErrorType", std::string(header)});
  response.body = std::string(in.Rest());
  auto details = hubspoke::organizations::ParseJsonError(response);
  FUZZ_CHECK(details.http_status == response.status);
  for (char ch : details.code) FUZZ_CHECK(ch != '\n' && ch != '\r' && ch != '\033');
  for (char ch : details.message) FUZZ_CHECK(ch != '\n' && ch != '\r' && ch != '\033');
  (void)hubspoke::organizations::ClassifyJsonError(details.code, response.status);
  return 0;
}
