// An incremental HTTP/1.1 response parser (RFC 9112). Pure: bytes in, a response out; the
// client feeds it whatever each read returned, so it never blocks and never over-reads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "hubspoke/http.h"
#include "hubspoke/result.h"

namespace hubspoke {

struct ResponseLimits {
  size_t max_header_bytes = 64 * 1024;       // status line + headers (and, separately, trailers)
  size_t max_body_bytes = 16 * 1024 * 1024;  // decoded body
};

class ResponseParser {
 public:
  // `method` decides framing: a HEAD response and a 2xx answer to CONNECT have no body.
  explicit ResponseParser(std::string_view method, ResponseLimits limits = {});

  // Consumes the next bytes of the stream. Errors: kParse naming what is malformed, or kNetwork
  // "response too large" when a limit is exceeded. Interim 1xx responses (100 Continue) are
  // skipped. Bytes after the end of the response are not consumed: see has_excess().
  // Must not be called again after an error or once done().
  Status Feed(std::string_view data);

  // The peer closed the stream. Completes a body delimited by the end of the connection;
  // otherwise kNetwork "connection closed before the response was complete (…)".
  Status FinishAtEof();

  bool done() const { return state_ == State::kDone; }
  // Whether the connection may carry another request: HTTP/1.1 (or 1.0 with keep-alive), no
  // "Connection: close", a body framed by length or chunks, and no bytes after the response.
  bool keep_alive() const { return keep_alive_ && !excess_; }
  // The server sent bytes after the end of the response.
  bool has_excess() const { return excess_; }
  // The status line and headers have been read (the body may still be coming).
  bool headers_done() const;

  HttpResponse& response() { return response_; }

 private:
  enum class State {
    kStatusLine,
    kHeaders,
    kBodyByLength,
    kBodyToEof,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailers,
    kDone,
  };

  // Line-oriented states: the line without its CRLF (or bare LF).
  Status OnLine(std::string_view line);
  Status OnStatusLine(std::string_view line);
  Status OnHeaderLine(std::string_view line);
  Status OnHeadersEnd();
  Status OnChunkSizeLine(std::string_view line);
  Status OnTrailerLine(std::string_view line);
  Status AppendBody(std::string_view data);
  // The most bytes a line may still have in the current state.
  size_t LineBudget() const;

  std::string method_;
  ResponseLimits limits_;
  State state_ = State::kStatusLine;
  std::string pending_line_;  // an incomplete line carried over between Feed calls
  size_t header_bytes_ = 0;   // status lines + headers so far, interim responses included
  size_t trailer_bytes_ = 0;
  size_t remaining_ = 0;  // body bytes left (kBodyByLength) or chunk bytes left
  bool http10_ = false;
  bool keep_alive_ = true;
  bool excess_ = false;
  HttpResponse response_;
};

}  // namespace hubspoke
