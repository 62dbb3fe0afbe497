// The HTTP client's response parser (status line, headers, Content-Length and chunked bodies,
// trailers, interim 1xx) on a server's bytes: once whole, once in fuzzer-chosen pieces, and
// both ways must agree on everything (the client feeds it whatever each read returned).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "http/http_parser.h"
#include "split.h"

namespace {

using hubspoke::ResponseLimits;
using hubspoke::ResponseParser;

struct Outcome {
  bool ok = true;
  int code = 0;
  std::string message;
  bool done = false;
  bool headers_done = false;
  bool excess = false;
  bool keep_alive = false;
  hubspoke::HttpResponse response;
};

bool SameResponse(const hubspoke::HttpResponse& a, const hubspoke::HttpResponse& b) {
  if (a.status != b.status || a.body != b.body || a.headers.size() != b.headers.size()) {
    return false;
  }
  for (size_t i = 0; i < a.headers.size(); ++i) {
    if (a.headers[i].name != b.headers[i].name || a.headers[i].value != b.headers[i].value) {
      return false;
    }
  }
  return true;
}

// Feeds `pieces` as the client does: stop at the first error or once done; a piece left over
// after done is excess, like bytes after the end of the response within one read.
Outcome Run(std::string_view method, ResponseLimits limits,
            const std::vector<std::string_view>& pieces, bool eof) {
  ResponseParser parser(method, limits);
  Outcome out;
  bool leftover = false;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (parser.done()) {
      leftover = true;
      break;
    }
    hubspoke::Status s = parser.Feed(pieces[i]);
    if (!s) {
      out.ok = false;
      out.code = static_cast<int>(s.error().code());
      out.message = s.error().message();
      break;
    }
  }
  if (out.ok && eof && !parser.done()) {
    hubspoke::Status s = parser.FinishAtEof();
    if (!s) {
      out.ok = false;
      out.code = static_cast<int>(s.error().code());
      out.message = s.error().message();
    }
  }
  out.done = parser.done();
  out.headers_done = parser.headers_done();
  out.excess = parser.has_excess() || leftover;
  out.keep_alive = parser.keep_alive() && !leftover;
  out.response = parser.response();
  if (out.done) FUZZ_CHECK(out.headers_done);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hubspoke::fuzz::Input in(data, size);
  // Byte 0: the request method, whether the stream ends (EOF) after the bytes, small limits.
  const uint8_t flags = in.Byte();
  static constexpr std::string_view kMethods[] = {"GET", "POST", "HEAD", "CONNECT"};
  std::string_view method = kMethods[flags & 3];
  const bool eof = (flags & 4) != 0;
  ResponseLimits limits;
  if (flags & 8) limits = {.max_header_bytes = 256, .max_body_bytes = 64};
  // Byte 1: the split pattern.
  const uint8_t seed = in.Byte();
  std::string_view stream = in.Rest();

  Outcome whole = Run(method, limits, {stream}, eof);
  Outcome split = Run(method, limits, hubspoke::fuzz::Split(stream, seed), eof);
  FUZZ_CHECK(whole.ok == split.ok);
  FUZZ_CHECK(whole.code == split.code);
  FUZZ_CHECK(whole.message == split.message);
  FUZZ_CHECK(whole.done == split.done);
  FUZZ_CHECK(whole.headers_done == split.headers_done);
  if (whole.ok && whole.done) {
    FUZZ_CHECK(whole.excess == split.excess);
    FUZZ_CHECK(whole.keep_alive == split.keep_alive);
  }
  if (whole.ok) FUZZ_CHECK(SameResponse(whole.response, split.response));
  if (whole.ok) FUZZ_CHECK(whole.response.body.size() <= limits.max_body_bytes);
  return 0;
}
