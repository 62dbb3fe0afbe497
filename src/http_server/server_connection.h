// One accepted connection of the HTTP server: a state machine driven by its worker's event loop
// (readable, writable, deadline passed). It never blocks: it reads what the socket has, parses,
// calls the handler, queues the response and writes what the socket takes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "http_server/http_server.h"
#include "http_server/request_parser.h"

namespace hubspoke {

using ServerClock = std::chrono::steady_clock;
using ServerTime = ServerClock::time_point;

// What every worker of one server shares. Options and handler are immutable after Start().
struct ServerContext {
  ServerOptions options;
  Handler handler;
  std::atomic<size_t> open_connections{0};  // accepted and not yet closed
};

// Answers an accepted socket that cannot be served with a 503 and closes it (best effort, never
// blocks). Does not touch open_connections.
void RefuseConnection(int fd);

class ServerConnection {
 public:
  // Takes ownership of `fd` (non-blocking, already counted in context.open_connections).
  // `untrusted` (its worker's count) counts it for as long as it is untrusted (see
  // ServerOptions::trusts; without `trusts` every connection is trusted).
  ServerConnection(ServerContext& context, int fd, std::string peer, ServerTime now,
                   std::atomic<size_t>& untrusted);
  ~ServerConnection();  // closes the socket and uncounts it
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  int fd() const { return fd_; }
  bool closed() const { return fd_ < 0; }
  bool trusted() const { return trusted_; }
  // The events the worker should wait for; neither while a fault delay holds the connection.
  bool wants_read() const;
  bool wants_write() const;
  // When OnDeadline must be called (a timeout, the end of a fault delay, the end of lingering).
  ServerTime Deadline() const;

  // Reads once into `scratch` (fairness: one read per wake-up) and processes what arrived.
  void OnReadable(ServerTime now, std::span<char> scratch);
  void OnWritable(ServerTime now);
  // Called once now >= Deadline().
  void OnDeadline(ServerTime now);
  // Closes at once (errors, hang-ups, Stop()).
  void Close();

 private:
  enum class Phase {
    kActive,     // reading requests and writing responses
    kDelayed,    // a fault delay holds the next response; nothing is read or parsed
    kLingering,  // response sent, write side shut; discarding input until EOF or a deadline
  };

  // Parses buffered input and writes output for as long as both make progress.
  void Pump(ServerTime now);
  bool CanParse() const;
  void Dispatch(ServerTime now);
  ServerResponse CallHandler(const ServerRequest& request);
  void Queue(std::string_view bytes, bool close_after, ServerTime now);
  void QueueError(int status, std::string_view reason, ServerTime now);
  void Flush(ServerTime now);
  void StartLinger(ServerTime now);
  void OnEof(ServerTime now);
  size_t pending_out() const { return out_.size() - out_pos_; }
  ServerTime ReadDeadline() const;
  // `timeout`, or untrusted_timeout if shorter while the connection is untrusted.
  std::chrono::milliseconds Limit(std::chrono::milliseconds timeout) const;
  void DecideTrust(const ServerRequest& request);

  ServerContext& context_;
  const ServerOptions& options_;
  int fd_;
  std::string peer_;
  std::atomic<size_t>& untrusted_;
  bool trusted_;
  RequestParser parser_;
  Phase phase_ = Phase::kActive;

  std::string in_;  // received, not yet parsed (only while parsing is paused)
  size_t in_pos_ = 0;
  std::string out_;  // queued response bytes; out_[out_pos_..] not yet written
  size_t out_pos_ = 0;

  bool close_after_write_ = false;  // the queued output ends with a response that closes
  bool peer_eof_ = false;           // the client shut down its side
  bool continue_sent_ = false;      // "100 Continue" sent for the current request
  bool awaiting_request_ = false;   // between requests (idle timer) rather than in one
  size_t lingered_bytes_ = 0;

  ServerTime head_start_;      // first byte of the current request (accept for the first)
  ServerTime body_start_;      // end of the current request's headers
  ServerTime idle_since_;      // last response fully written
  ServerTime write_progress_;  // output became pending or last advanced
  ServerTime delay_until_;
  ServerTime linger_until_;

  // The response a fault delay holds back.
  std::string delayed_;
  bool delayed_close_ = false;
  bool delayed_drop_ = false;
};

}  // namespace hubspoke
