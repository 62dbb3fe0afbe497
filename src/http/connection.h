// One TCP connection, optionally wrapped in TLS, whose every wait is bounded by a deadline.
// Non-blocking sockets + poll(); nothing here can block forever or raise SIGPIPE.
#pragma once

#include <openssl/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "http/tls_context.h"
#include "core/url.h"
#include "hubspoke/result.h"

namespace hubspoke {

struct Deadline {
  std::chrono::steady_clock::time_point at;
  std::chrono::milliseconds budget;  // what the caller allowed, for messages: "after 300 ms"
  std::string_view kind;             // "connect" or "request", for messages

  static Deadline After(std::chrono::milliseconds budget, std::string_view kind) {
    return Deadline{
        .at = std::chrono::steady_clock::now() + budget, .budget = budget, .kind = kind};
  }
  // The earlier of the two (keeping that one's budget and kind for the message).
  static Deadline Earlier(const Deadline& a, const Deadline& b) { return b.at < a.at ? b : a; }
};

class Connection {
 public:
  // Resolves `host` (IP literals without DNS) and connects to the first address that accepts,
  // with TCP_NODELAY. Errors name host:port and the reason: kNetwork (DNS failure, refused,
  // unreachable) or kTimeout. Name resolution itself is bounded by the system resolver's own
  // timeouts (resolv.conf), not by `deadline`: getaddrinfo cannot be interrupted.
  static Result<std::unique_ptr<Connection>> Open(const std::string& host, HostKind kind,
                                                  uint16_t port, const Deadline& deadline);
  // Best-effort TLS close_notify (never after a fatal TLS error), then close.
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // TLS client handshake on this connection, verifying the certificate against `server.host`
  // (SNI and name check for names, IP SAN check for IP literals).
  Status StartTls(const TlsContext& tls, const Url& server, const Deadline& deadline);

  Status WriteAll(std::string_view data, const Deadline& deadline);
  // Up to `size` bytes as soon as some are available; 0 means the peer ended the stream cleanly.
  Result<size_t> Read(char* buffer, size_t size, const Deadline& deadline);

  // For an idle kept-alive connection: false when the peer has closed it, reset it, or sent
  // bytes nobody asked for. Never blocks.
  bool IsIdleAlive();
  // The peer closed or reset the connection (EOF, ECONNRESET, EPIPE) during the last I/O.
  bool peer_closed() const { return peer_closed_; }
  // "host:port" of the TCP peer (the proxy when tunnelling), for messages.
  const std::string& peer() const { return peer_; }

 private:
  Connection(int fd, std::string peer);
  Status Wait(short events, const Deadline& deadline, std::string_view activity);  // NOLINT
  Error IoError(std::string_view activity, int error_number);
  Error TlsIoError(std::string_view activity, int ssl_error);

  SocketBioState bio_state_;  // fd lives here; the SSL's BIO points at it
  std::string peer_;
  SSL* ssl_ = nullptr;
  bool peer_closed_ = false;
  bool tls_broken_ = false;  // a fatal TLS error happened: no SSL_shutdown
};

}  // namespace hubspoke
