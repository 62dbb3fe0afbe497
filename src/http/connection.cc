#include "http/connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <optional>
#include <system_error>

namespace hubspoke {
namespace {

std::string ErrnoText(int error_number) {
  return std::error_code(error_number, std::generic_category()).message();
}

bool IsPeerGone(int error_number) {
  return error_number == ECONNRESET || error_number == EPIPE || error_number == ECONNABORTED;
}

std::string NumericAddress(const addrinfo& ai) {
  char text[NI_MAXHOST] = {};
  if (getnameinfo(ai.ai_addr, ai.ai_addrlen, text, sizeof(text), nullptr, 0, NI_NUMERICHOST) != 0) {
    return "?";
  }
  return text;
}

constexpr const char* kCaBundleHint =
    "if a TLS-inspecting proxy or a private CA signs this endpoint's certificate, set "
    "AWS_CA_BUNDLE to a PEM file containing that CA";

}  // namespace

Connection::Connection(int fd, std::string peer) : peer_(std::move(peer)) { bio_state_.fd = fd; }

Connection::~Connection() {
  if (ssl_ != nullptr) {
    // OpenSSL: SSL_shutdown must not follow a fatal error. One non-blocking call sends our
    // close_notify; we do not wait for the peer's.
    if (!tls_broken_ && !peer_closed_) {
      ERR_clear_error();
      SSL_shutdown(ssl_);
    }
    SSL_free(ssl_);
    ERR_clear_error();
  }
  if (bio_state_.fd >= 0) close(bio_state_.fd);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& host, HostKind kind,
                                                     uint16_t port, const Deadline& deadline) {
  const std::string peer =
      (kind == HostKind::kIpv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (kind == HostKind::kName ? 0 : AI_NUMERICHOST);
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
  if (rc != 0) {
    const std::string reason = rc == EAI_SYSTEM ? ErrnoText(errno) : gai_strerror(rc);
    return Error(ErrorCode::kNetwork, "cannot resolve " + peer + ": " + reason);
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(list, &freeaddrinfo);
  std::optional<Error> last_error;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    const std::string where =
        kind == HostKind::kName ? peer + " (" + NumericAddress(*ai) + ")" : peer;
    const int fd =
        socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_error = Error(ErrorCode::kNetwork, "connect to " + where + ": " + ErrnoText(errno));
      continue;
    }
    std::unique_ptr<Connection> conn(new Connection(fd, peer));  // private constructor
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        last_error = Error(ErrorCode::kNetwork, "connect to " + where + ": " + ErrnoText(errno));
        continue;
      }
      if (Status s = conn->Wait(POLLOUT, deadline, "while connecting"); !s) return s.error();
      int error_number = 0;
      socklen_t len = sizeof(error_number);
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error_number, &len) != 0) error_number = errno;
      if (error_number != 0) {
        last_error =
            Error(ErrorCode::kNetwork, "connect to " + where + ": " + ErrnoText(error_number));
        continue;
      }
    }
    return conn;
  }
  if (last_error) return *std::move(last_error);
  return Error(ErrorCode::kNetwork, "cannot resolve " + peer + ": no addresses");
}

Status Connection::Wait(short events, const Deadline& deadline,  // NOLINT(runtime/int)
                        std::string_view activity) {
  using std::chrono::milliseconds;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline.at) {
      return Error(ErrorCode::kTimeout,
                   peer_ + ": " + std::string(deadline.kind) + " timed out after " +
                       std::to_string(deadline.budget.count()) + " ms " + std::string(activity));
    }
    // Round up so we never spin on a sub-millisecond remainder.
    const auto left = std::chrono::ceil<milliseconds>(deadline.at - now).count();
    pollfd p{.fd = bio_state_.fd, .events = events, .revents = 0};
    const int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
    if (r > 0) return Ok();  // ready, or POLLERR/POLLHUP: the next I/O call reports which
    if (r < 0 && errno != EINTR) {
      return Error(ErrorCode::kInternal, peer_ + ": poll: " + ErrnoText(errno));
    }
  }
}

Error Connection::IoError(std::string_view activity, int error_number) {
  if (IsPeerGone(error_number)) peer_closed_ = true;
  return Error(ErrorCode::kNetwork,
               peer_ + ": " + ErrnoText(error_number) + " " + std::string(activity));
}

Error Connection::TlsIoError(std::string_view activity, int ssl_error) {
  tls_broken_ = true;
  std::string reason;
  if (ssl_error == SSL_ERROR_SYSCALL) {
    const int error_number = bio_state_.last_errno;
    if (bio_state_.eof || error_number == 0) {
      reason = "connection closed by peer";
      peer_closed_ = true;
    } else {
      reason = ErrnoText(error_number);
      if (IsPeerGone(error_number)) peer_closed_ = true;
    }
    ERR_clear_error();
  } else {
    reason = TakeOpenSslError();
    // OpenSSL 3 reports a close without close_notify as "unexpected eof while reading".
    if (bio_state_.eof) peer_closed_ = true;
    if (IsPeerGone(bio_state_.last_errno)) peer_closed_ = true;
  }
  return Error(ErrorCode::kNetwork, peer_ + ": TLS: " + reason + " " + std::string(activity));
}

Status Connection::StartTls(const TlsContext& tls, const Url& server, const Deadline& deadline) {
  ERR_clear_error();
  ssl_ = SSL_new(tls.ctx());
  BIO* bio = ssl_ == nullptr ? nullptr : tls.NewSocketBio(&bio_state_);
  if (bio == nullptr) {
    tls_broken_ = true;
    return Error(ErrorCode::kInternal, "TLS: cannot create a session: " + TakeOpenSslError());
  }
  SSL_set_bio(ssl_, bio, bio);  // the SSL owns the BIO from here
  // Security: the certificate must name the host we meant to reach. A DNS name is also sent as
  // SNI; IP literals are matched against IP SANs and never sent as SNI (RFC 6066 forbids it).
  bool params_ok = true;
  if (server.host_kind == HostKind::kName) {
    // SSL_set_tlsext_host_name() spelled out: the macro's C cast trips -Wold-style-cast.
    params_ok = SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                         const_cast<char*>(server.host.c_str())) == 1 &&
                SSL_set1_host(ssl_, server.host.c_str()) == 1;
  } else {
    params_ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), server.host.c_str()) == 1;
  }
  SSL_set_hostflags(ssl_, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (!params_ok) {
    tls_broken_ = true;
    return Error(ErrorCode::kInternal,
                 "TLS: cannot set the expected host " + server.host + ": " + TakeOpenSslError());
  }
  for (;;) {
    ERR_clear_error();
    const int r = SSL_connect(ssl_);
    if (r == 1) break;
    const int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      const short events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;  // NOLINT
      if (Status s = Wait(events, deadline, "during the TLS handshake"); !s) {
        tls_broken_ = true;
        return s;
      }
      continue;
    }
    tls_broken_ = true;
    const long verify = SSL_get_verify_result(ssl_);  // NOLINT(runtime/int)
    if (verify != X509_V_OK) {
      ERR_clear_error();
      return Error(ErrorCode::kNetwork, "TLS certificate verification failed for " + server.host +
                                            ": " + X509_verify_cert_error_string(verify))
          .WithHint(kCaBundleHint);
    }
    Error e = TlsIoError("during the TLS handshake", err);
    return Error(ErrorCode::kNetwork,
                 "TLS handshake with " + server.HostPort() + " failed: " + e.message());
  }
  // Belt and braces: SSL_VERIFY_PEER already aborted the handshake on any failure.
  if (SSL_get0_peer_certificate(ssl_) == nullptr || SSL_get_verify_result(ssl_) != X509_V_OK) {
    tls_broken_ = true;
    return Error(ErrorCode::kNetwork,
                 "TLS certificate verification failed for " + server.host + ": no certificate")
        .WithHint(kCaBundleHint);
  }
  return Ok();
}

Status Connection::WriteAll(std::string_view data, const Deadline& deadline) {
  constexpr std::string_view kActivity = "while sending the request";
  while (!data.empty()) {
    if (ssl_ != nullptr) {
      ERR_clear_error();
      size_t written = 0;
      // Without SSL_MODE_ENABLE_PARTIAL_WRITE a retry must repeat the same buffer: we do.
      if (SSL_write_ex(ssl_, data.data(), data.size(), &written) == 1) {
        data.remove_prefix(written);
        continue;
      }
      const int err = SSL_get_error(ssl_, 0);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        const short events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;  // NOLINT
        if (Status s = Wait(events, deadline, kActivity); !s) return s;
        continue;
      }
      return TlsIoError(kActivity, err);
    }
    // MSG_NOSIGNAL: a peer that went away gives EPIPE, not SIGPIPE.
    const ssize_t n = send(bio_state_.fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (Status s = Wait(POLLOUT, deadline, kActivity); !s) return s;
    } else if (errno != EINTR) {
      return IoError(kActivity, errno);
    }
  }
  return Ok();
}

Result<size_t> Connection::Read(char* buffer, size_t size, const Deadline& deadline) {
  constexpr std::string_view kActivity = "while waiting for the response";
  for (;;) {
    if (ssl_ != nullptr) {
      ERR_clear_error();
      size_t n = 0;
      if (SSL_read_ex(ssl_, buffer, size, &n) == 1) return n;
      const int err = SSL_get_error(ssl_, 0);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        const short events = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;  // NOLINT
        if (Status s = Wait(events, deadline, kActivity); !s) return s.error();
        continue;
      }
      if (err == SSL_ERROR_ZERO_RETURN) {  // close_notify: a clean end of stream
        peer_closed_ = true;
        return size_t{0};
      }
      return TlsIoError(kActivity, err);
    }
    const ssize_t n = recv(bio_state_.fd, buffer, size, 0);
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) {
      peer_closed_ = true;
      return size_t{0};
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (Status s = Wait(POLLIN, deadline, kActivity); !s) return s.error();
    } else if (errno != EINTR) {
      return IoError(kActivity, errno);
    }
  }
}

bool Connection::IsIdleAlive() {
  if (peer_closed_ || tls_broken_) return false;
  pollfd p{.fd = bio_state_.fd, .events = POLLIN | POLLRDHUP, .revents = 0};
  const int r = poll(&p, 1, 0);
  if (r == 0) return true;  // quiet: still open as far as we can tell
  if (r < 0 || (p.revents & (POLLERR | POLLHUP | POLLRDHUP)) != 0) return false;
  if (ssl_ != nullptr) {
    // Readable may just be a late TLS 1.3 session ticket: let OpenSSL consume records and see
    // whether application data, a close_notify or nothing remains.
    ERR_clear_error();
    char c = 0;
    size_t n = 0;
    if (SSL_peek_ex(ssl_, &c, 1, &n) == 1) return false;  // unsolicited data
    const int err = SSL_get_error(ssl_, 0);
    if (err == SSL_ERROR_WANT_READ) return true;
    if (err != SSL_ERROR_ZERO_RETURN) tls_broken_ = true;
    ERR_clear_error();
    return false;
  }
  char c = 0;
  const ssize_t n = recv(bio_state_.fd, &c, 1, MSG_PEEK);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace hubspoke
