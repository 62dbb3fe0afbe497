// The HTTP server's request parser (the lab, the credentials endpoint) on a client's bytes,
// pipelined requests included: once whole, once in fuzzer-chosen pieces. Both must find the
// same requests, consume the same bytes and fail with the same status: a disagreement between
// two ways of reading one stream is what request smuggling is made of.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "http_server/request_parser.h"
#include "split.h"

namespace {

using hubspoke::RequestLimits;
using hubspoke::RequestParser;

struct Parsed {
  std::string method, target, path, query, body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool http10 = false;
  bool keep_alive = false;
  bool expect_continue = false;
  bool operator==(const Parsed&) const = default;
};

struct Outcome {
  std::vector<Parsed> requests;
  // 0: no error, else 1. Which status a refused request gets (400 bare LF, 431 too large, 505
  // version) may depend on how the bytes arrived: an incomplete head is checked for bare LFs and
  // size as it comes, a complete one line by line. The request is refused and the connection
  // closed either way, so only the refusal is compared.
  int error_status = 0;
  std::string reason;    // for the report when the two ways disagree; not compared
  size_t consumed = 0;   // bytes taken up to the end of the last complete request or the error
  bool in_progress = false;
  bool operator==(const Outcome& o) const {
    return requests == o.requests && error_status == o.error_status && consumed == o.consumed &&
           in_progress == o.in_progress;
  }
};

Parsed Capture(const RequestParser& parser) {
  const auto& r = parser.request();
  Parsed p{.method = r.method, .target = r.target, .path = r.path, .query = r.query,
           .body = r.body, .headers = {}, .http10 = r.http10,
           .keep_alive = parser.keep_alive(), .expect_continue = parser.expect_continue()};
  for (const auto& h : r.headers) p.headers.emplace_back(h.name, h.value);
  return p;
}

Outcome Run(RequestLimits limits, const std::vector<std::string_view>& pieces) {
  RequestParser parser(limits);
  Outcome out;
  size_t total = 0;
  for (std::string_view piece : pieces) {
    while (!piece.empty()) {
      size_t n = parser.Feed(piece);
      FUZZ_CHECK(n <= piece.size());
      total += n;
      piece.remove_prefix(n);
      if (parser.state() == RequestParser::State::kError) {
        FUZZ_CHECK(parser.error_status() >= 400 && parser.error_status() < 600);
        // How much of the failing request was taken depends on the pieces: not compared.
        out.error_status = 1;
        out.reason = std::to_string(parser.error_status()) + " " + parser.error_reason();
        return out;
      }
      if (parser.state() == RequestParser::State::kDone) {
        out.requests.push_back(Capture(parser));
        out.consumed = total;
        parser.Reset();
      } else {
        FUZZ_CHECK(piece.empty());  // not done, no error: it took everything
      }
    }
  }
  out.in_progress = parser.started();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hubspoke::fuzz::Input in(data, size);
  const uint8_t flags = in.Byte();
  RequestLimits limits;
  if (flags & 1) limits = {.max_header_bytes = 256, .max_body_bytes = 64};
  const uint8_t seed = in.Byte();
  std::string_view stream = in.Rest();

  Outcome whole = Run(limits, {stream});
  Outcome split = Run(limits, hubspoke::fuzz::Split(stream, seed));
  if (!(whole == split)) {
    std::fprintf(stderr, "whole: %zu requests, error %d, consumed %zu, in progress %d %s\n",
                 whole.requests.size(), whole.error_status, whole.consumed, whole.in_progress,
                 whole.reason.c_str());
    std::fprintf(stderr, "split: %zu requests, error %d, consumed %zu, in progress %d %s\n",
                 split.requests.size(), split.error_status, split.consumed, split.in_progress,
                 split.reason.c_str());
  }
  FUZZ_CHECK(whole == split);
  for (const Parsed& p : whole.requests) FUZZ_CHECK(p.body.size() <= limits.max_body_bytes);
  return 0;
}
