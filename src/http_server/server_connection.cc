#include "http_server/server_connection.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "core/strings.h"
#include "http_server/response_writer.h"

namespace hubspoke {
namespace {

// Security: a client that pipelines requests without reading the responses makes us stop
// reading (and parsing) once this much output is queued, so its memory stays bounded.
constexpr size_t kOutputHighWater = 256 * 1024;
constexpr size_t kKeepBuffer = 64 * 1024;  // larger buffers are released once empty
// After a response that closes, the write side is shut and input is read and discarded for a
// while: closing with unread input makes the kernel send a reset, which can destroy the
// response before the client has read it.
constexpr std::chrono::milliseconds kLingerTime{500};
constexpr size_t kMaxLingerBytes = 1 << 20;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kDefaultGarbage =
    "\x16\x03\x01\x00\xa5 this is not HTTP \xff\xfe\x00\r\n\r\n";

bool HasCloseToken(const std::vector<HttpHeader>& headers) {
  for (const HttpHeader& h : headers) {
    if (!EqualsIgnoreCase(h.name, "connection")) continue;
    for (const std::string& token : Split(h.value, ',')) {
      if (EqualsIgnoreCase(TrimView(token), "close")) return true;
    }
  }
  return false;
}

// HTTP/1.0 clients close unless the response says "Connection: keep-alive".
ConnectionHeader Framing(bool close, const ServerRequest& request) {
  if (close) return ConnectionHeader::kClose;
  return request.http10 ? ConnectionHeader::kKeepAlive : ConnectionHeader::kNone;
}

}  // namespace

// Security: beyond max_connections a client gets this and a close, not a hang in the backlog.
// Best effort: a fresh socket's send buffer is empty, so the write does not block.
void RefuseConnection(int fd) {
  const std::string response = ErrorResponse(503, "too many connections", CachedHttpDate());
  [[maybe_unused]] const ssize_t sent =
      ::send(fd, response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd, SHUT_WR);
  // Unread input at close() makes the kernel send a reset instead of a FIN, which can destroy
  // the 503 before it is read; drain what has already arrived (bounded).
  char buf[4096];
  for (int i = 0; i < 16 && ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0; ++i) {
  }
  ::close(fd);
}

ServerConnection::ServerConnection(ServerContext& context, int fd, std::string peer, ServerTime now,
                                   std::atomic<size_t>& untrusted)
    : context_(context),
      options_(context.options),
      fd_(fd),
      peer_(std::move(peer)),
      untrusted_(untrusted),
      trusted_(!context.options.trusts),
      parser_(RequestLimits{.max_header_bytes = context.options.max_header_bytes,
                            .max_body_bytes = context.options.max_body_bytes}),
      head_start_(now),
      body_start_(now),
      idle_since_(now),
      write_progress_(now),
      delay_until_(now),
      linger_until_(now) {
  if (!trusted_) untrusted_.fetch_add(1, std::memory_order_relaxed);
}

ServerConnection::~ServerConnection() {
  Close();
  if (!trusted_) untrusted_.fetch_sub(1, std::memory_order_relaxed);
  context_.open_connections.fetch_sub(1, std::memory_order_relaxed);
}

void ServerConnection::Close() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  std::string().swap(in_);
  std::string().swap(out_);
  std::string().swap(delayed_);
  in_pos_ = out_pos_ = 0;
}

bool ServerConnection::CanParse() const {
  return fd_ >= 0 && phase_ == Phase::kActive && !close_after_write_ &&
         pending_out() < kOutputHighWater;
}

bool ServerConnection::wants_read() const {
  if (fd_ < 0 || peer_eof_) return false;
  if (phase_ == Phase::kLingering) return true;
  // Paused parsing means paused reading: unparsed input stays bounded by one read.
  return CanParse() && in_pos_ == in_.size();
}

bool ServerConnection::wants_write() const {
  return fd_ >= 0 && phase_ != Phase::kDelayed && pending_out() > 0;
}

std::chrono::milliseconds ServerConnection::Limit(std::chrono::milliseconds timeout) const {
  return trusted_ ? timeout : std::min(timeout, options_.untrusted_timeout);
}

ServerTime ServerConnection::ReadDeadline() const {
  if (parser_.state() == RequestParser::State::kBody) {
    return body_start_ + Limit(options_.body_timeout);
  }
  if (parser_.started() || !awaiting_request_) return head_start_ + Limit(options_.header_timeout);
  // Idle between requests: counted once the last response is out.
  if (pending_out() > 0) return ServerTime::max();
  return idle_since_ + Limit(options_.idle_timeout);
}

ServerTime ServerConnection::Deadline() const {
  if (fd_ < 0) return ServerTime::max();
  switch (phase_) {
    case Phase::kDelayed:
      return delay_until_;
    case Phase::kLingering:
      return linger_until_;
    case Phase::kActive:
      break;
  }
  ServerTime deadline = ServerTime::max();
  if (pending_out() > 0) deadline = write_progress_ + options_.send_timeout;
  if (CanParse()) deadline = std::min(deadline, ReadDeadline());
  return deadline;
}

void ServerConnection::OnReadable(ServerTime now, std::span<char> scratch) {
  if (fd_ < 0) return;
  ssize_t n;
  do {
    n = ::recv(fd_, scratch.data(), scratch.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) Close();
    return;
  }
  if (n == 0) return OnEof(now);
  const size_t got = static_cast<size_t>(n);
  if (phase_ == Phase::kLingering) {
    lingered_bytes_ += got;
    if (lingered_bytes_ > kMaxLingerBytes) Close();
    return;
  }
  if (!CanParse()) return;  // a closing response is queued: later input is discarded
  if (in_pos_ == in_.size()) {
    in_.assign(scratch.data(), got);
    in_pos_ = 0;
  } else {
    in_.append(scratch.data(), got);
  }
  Pump(now);
}

void ServerConnection::OnWritable(ServerTime now) { Pump(now); }

void ServerConnection::OnEof(ServerTime now) {
  peer_eof_ = true;
  if (phase_ == Phase::kLingering) return Close();
  // Requests that arrived complete before the EOF are still answered (a client may send its
  // request and shut down its side); Pump closes once nothing is left to do.
  Pump(now);
}

void ServerConnection::OnDeadline(ServerTime now) {
  if (fd_ < 0) return;
  switch (phase_) {
    case Phase::kDelayed: {
      if (now < delay_until_) return;
      phase_ = Phase::kActive;
      if (delayed_drop_) return Close();
      std::string bytes = std::move(delayed_);
      delayed_.clear();
      Queue(bytes, delayed_close_, now);
      return Pump(now);
    }
    case Phase::kLingering:
      if (now >= linger_until_) Close();
      return;
    case Phase::kActive:
      break;
  }
  if (pending_out() > 0 && now >= write_progress_ + options_.send_timeout) {
    return Close();  // the client stopped reading
  }
  if (!CanParse() || now < ReadDeadline()) return;
  if (!parser_.started()) {
    // Idle keep-alive timeout, or a new connection that never sent a byte: nothing to answer.
    return Close();
  }
  // Security (slowloris): the headers, or the body, did not arrive in time however steadily
  // bytes were trickling in.
  QueueError(408,
             parser_.state() == RequestParser::State::kBody ? "request body timeout"
                                                            : "request header timeout",
             now);
  Pump(now);
}

void ServerConnection::Pump(ServerTime now) {
  while (fd_ >= 0) {
    while (CanParse() && in_pos_ < in_.size()) {
      const RequestParser::State before = parser_.state();
      const bool was_started = parser_.started();
      in_pos_ += parser_.Feed(std::string_view(in_).substr(in_pos_));
      if (!was_started && parser_.started() && awaiting_request_) {
        // The header timeout runs from a request's first byte; for the first request on a
        // connection it has been running since accept.
        awaiting_request_ = false;
        head_start_ = now;
      }
      switch (parser_.state()) {
        case RequestParser::State::kHead:
          break;
        case RequestParser::State::kBody:
          if (before == RequestParser::State::kHead) body_start_ = now;
          // RFC 9110 §10.1.1: the client waits for this before sending the body.
          if (parser_.expect_continue() && !continue_sent_) {
            continue_sent_ = true;
            Queue(kContinue, false, now);
          }
          break;
        case RequestParser::State::kDone:
          if (before == RequestParser::State::kHead) body_start_ = now;
          Dispatch(now);
          break;
        case RequestParser::State::kError:
          QueueError(parser_.error_status(), parser_.error_reason(), now);
          break;
      }
    }
    if (in_pos_ == in_.size()) {
      in_.clear();
      in_pos_ = 0;
      if (in_.capacity() > kKeepBuffer) std::string().swap(in_);
    }
    const bool was_paused = !CanParse();
    Flush(now);
    if (fd_ < 0) return;
    // Continue only if writing made room for input that is waiting.
    if (!(was_paused && CanParse() && in_pos_ < in_.size())) break;
  }
  if (fd_ >= 0 && peer_eof_ && phase_ == Phase::kActive && pending_out() == 0 &&
      in_pos_ == in_.size()) {
    Close();  // the client is gone and everything it completed has been answered
  }
}

ServerResponse ServerConnection::CallHandler(const ServerRequest& request) {
  // No exception leaves the server: a throwing handler costs one 500, not the process.
  // Security: the exception's text is not sent (it may describe internals).
  try {
    return context_.handler(request);
  } catch (...) {
    return ServerResponse{.status = 500,
                          .headers = {{"Content-Type", "text/plain; charset=utf-8"}},
                          .body = "Internal Server Error\n"};
  }
}

void ServerConnection::DecideTrust(const ServerRequest& request) {
  if (trusted_) return;
  bool trusts = false;
  try {
    trusts = options_.trusts(request);
  } catch (...) {
    // Security: a predicate that fails does not let anyone in.
  }
  if (!trusts) return;
  trusted_ = true;
  untrusted_.fetch_sub(1, std::memory_order_relaxed);
}

void ServerConnection::Dispatch(ServerTime now) {
  ServerRequest& request = parser_.request();
  request.peer = peer_;
  DecideTrust(request);
  FaultAction fault;
  if (options_.fault_hook) {
    try {
      fault = options_.fault_hook(request);
    } catch (...) {
      fault = FaultAction{
          .kind = FaultAction::Kind::kStatus, .status = 500, .body = "Internal Server Error\n"};
    }
  }
  bool close = !parser_.keep_alive();
  bool drop = false;
  std::string bytes;
  const bool head_only = request.method == "HEAD";
  switch (fault.kind) {
    case FaultAction::Kind::kDrop:
      drop = true;
      break;
    case FaultAction::Kind::kGarbage:
      bytes = fault.garbage.empty() ? std::string(kDefaultGarbage) : std::move(fault.garbage);
      close = true;
      break;
    case FaultAction::Kind::kStatus: {
      const ServerResponse response{.status = fault.status,
                                    .headers = std::move(fault.headers),
                                    .body = std::move(fault.body)};
      close = close || HasCloseToken(response.headers);
      AppendResponse(response, head_only, Framing(close, request), CachedHttpDate(), &bytes);
      break;
    }
    case FaultAction::Kind::kNone:
    case FaultAction::Kind::kTruncate: {
      const ServerResponse response = CallHandler(request);
      close = close || response.close || HasCloseToken(response.headers);
      if (fault.kind == FaultAction::Kind::kTruncate) close = true;
      AppendResponse(response, head_only, Framing(close, request), CachedHttpDate(), &bytes);
      if (fault.kind == FaultAction::Kind::kTruncate) {
        bytes.resize(std::min(bytes.size(), fault.truncate_bytes));
      }
      break;
    }
  }
  parser_.Reset();
  continue_sent_ = false;
  awaiting_request_ = true;
  idle_since_ = now;
  if (fault.delay.count() > 0) {
    // Held without blocking the worker; later requests on this connection wait behind it.
    phase_ = Phase::kDelayed;
    delay_until_ = now + fault.delay;
    delayed_ = std::move(bytes);
    delayed_close_ = close;
    delayed_drop_ = drop;
    return;
  }
  if (drop) return Close();
  Queue(bytes, close, now);
}

void ServerConnection::Queue(std::string_view bytes, bool close_after, ServerTime now) {
  if (pending_out() == 0) {
    out_.clear();
    out_pos_ = 0;
    write_progress_ = now;
  }
  out_.append(bytes);
  if (close_after) {
    close_after_write_ = true;
    in_.clear();  // input after a closing response is never answered
    in_pos_ = 0;
  }
}

void ServerConnection::QueueError(int status, std::string_view reason, ServerTime now) {
  Queue(ErrorResponse(status, reason, CachedHttpDate()), true, now);
}

void ServerConnection::Flush(ServerTime now) {
  if (phase_ != Phase::kActive) return;
  while (pending_out() > 0) {
    const ssize_t n = ::send(fd_, out_.data() + out_pos_, pending_out(), MSG_NOSIGNAL);
    if (n > 0) {
      out_pos_ += static_cast<size_t>(n);
      write_progress_ = now;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;
    } else {
      return Close();
    }
  }
  out_.clear();
  out_pos_ = 0;
  if (out_.capacity() > kOutputHighWater) std::string().swap(out_);
  if (close_after_write_) return StartLinger(now);
  if (awaiting_request_ && !parser_.started()) idle_since_ = now;
}

void ServerConnection::StartLinger(ServerTime now) {
  if (peer_eof_) return Close();
  ::shutdown(fd_, SHUT_WR);
  phase_ = Phase::kLingering;
  linger_until_ = now + kLingerTime;
  in_.clear();
  in_pos_ = 0;
}

}  // namespace hubspoke
