// Error bodies of the AWS Query protocol (STS): <ErrorResponse><Error><Code>… with any status.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "awsquery/query_errors.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hubspoke::fuzz::Input in(data, size);
  int status = 400 + in.Byte() % 200;
  auto details = hubspoke::awsquery::ParseErrorResponse(in.Rest(), status);
  FUZZ_CHECK(details.http_status == status);
  // The code and message reach the terminal: printable, one line.
  for (char ch : details.code) FUZZ_CHECK(ch != '\n' && ch != '\r' && ch != '\033');
  for (char ch : details.message) FUZZ_CHECK(ch != '\n' && ch != '\r' && ch != '\033');
  (void)details.Summary();
  (void)hubspoke::awsquery::ClassifyAwsError(details.code, status);
  return 0;
}
