// An incremental HTTP/1.1 request parser (RFC 9112) for the server. Pure: bytes in, a request
// out. It stops at the end of each request, so pipelined bytes after it stay with the caller.
//
// Security: strict where leniency lets two parsers disagree about where a request ends
// (request smuggling): CRLF only (no bare LF or CR), no obs-fold, no whitespace before the
// colon, Content-Length must be plain digits and agree with itself, Content-Length together
// with Transfer-Encoding is refused, and "chunked" is the only transfer coding.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http_server/http_server.h"

namespace hubspoke {

struct RequestLimits {
  size_t max_header_bytes = 16 * 1024;  // request line + headers; separately, trailers
  size_t max_body_bytes = 1 << 20;      // decoded body
};

class RequestParser {
 public:
  enum class State {
    kHead,   // waiting for the request line and headers
    kBody,   // headers done, body still coming
    kDone,   // request() is complete
    kError,  // error_status() says which response to send; the connection must close
  };

  explicit RequestParser(RequestLimits limits = {});

  // Consumes a prefix of `data` and returns how many bytes it took: everything unless the
  // request completed (kDone) or failed (kError) part-way. Call again with the rest after
  // Reset(). Must not be called in kDone or kError.
  size_t Feed(std::string_view data);

  State state() const { return state_; }
  // Some byte of this request has been seen (a request is in progress).
  bool started() const { return started_; }
  // The request, complete in kDone; method, target and headers are set from kBody on.
  ServerRequest& request() { return request_; }
  const ServerRequest& request() const { return request_; }
  // From kBody on: the connection may carry another request (HTTP/1.1 without
  // "Connection: close", or HTTP/1.0 with "Connection: keep-alive").
  bool keep_alive() const { return keep_alive_; }
  // From kBody on: the client sent "Expect: 100-continue".
  bool expect_continue() const { return expect_continue_; }
  // In kError: 400, 413, 417, 431, 501 or 505, and a short, constant reason (never echoes
  // input).
  int error_status() const { return error_status_; }
  const std::string& error_reason() const { return error_reason_; }

  // Ready for the next request on the same connection (keeps allocated capacity).
  void Reset();

 private:
  enum class BodyState { kLength, kChunkSize, kChunkData, kChunkDataEnd, kTrailers };

  size_t FeedHead(std::string_view data);
  size_t FeedBody(std::string_view data);
  // The complete head: lines separated by CRLF, ending with the CRLF of the last header line.
  void ParseHead(std::string_view head);
  bool ParseRequestLine(std::string_view line);
  bool ParseHeaderLine(std::string_view line);
  void FinishHead();
  // A CRLF-terminated line of the chunked framing, accumulated in line_; returns bytes taken.
  size_t FeedLine(std::string_view data, size_t limit, bool* complete);
  void OnChunkSizeLine(std::string_view line);
  void OnTrailerLine(std::string_view line);
  void Fail(int status, std::string reason);
  void Finish();

  RequestLimits limits_;
  State state_ = State::kHead;
  BodyState body_state_ = BodyState::kLength;
  bool started_ = false;
  std::string head_;       // an incomplete head carried over between Feed calls
  size_t head_bytes_ = 0;  // head bytes so far, leading empty lines included
  std::string line_;       // an incomplete chunk-size or trailer line
  size_t trailer_bytes_ = 0;
  size_t remaining_ = 0;  // body bytes left (kLength) or chunk bytes left (kChunkData)
  bool keep_alive_ = true;
  bool expect_continue_ = false;
  int error_status_ = 0;
  std::string error_reason_;
  ServerRequest request_;
};

}  // namespace hubspoke
