// Test-only (included by src/server/*_test.cc and src/serve/*_test.cc): a raw-socket loopback
// HTTP client that can misbehave on purpose (partial, slow, pipelined, malformed, half-closed),
// with every wait bounded, a flood of idle connections, and helpers to start an HttpServer in a
// test.
#pragma once

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "hubspoke/http.h"
#include "http_server/http_server.h"

namespace hubspoke::server_test {

using std::chrono::milliseconds;
using TestClock = std::chrono::steady_clock;

struct RawResponse {
  int status = 0;
  std::string head;  // status line + headers + CRLFCRLF
  std::vector<HttpHeader> headers;
  std::string body;

  const std::string* Header(std::string_view name) const { return FindHeader(headers, name); }
  bool closes() const {
    const std::string* c = Header("connection");
    return c != nullptr && EqualsIgnoreCase(*c, "close");
  }
};

class RawClient {
 public:
  explicit RawClient(uint16_t port, bool ipv6 = false) {
    fd_ = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    int rc;
    if (ipv6) {
      sockaddr_in6 addr{};
      addr.sin6_family = AF_INET6;
      addr.sin6_port = htons(port);
      addr.sin6_addr = in6addr_loopback;
      rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
    } else {
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(port);
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
    }
    if (rc != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~RawClient() { Close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Sends everything (blocking); false when the server has closed or reset the connection.
  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  // The next response, 1xx included; nullopt when the connection ends or `timeout` passes
  // first. Bodies are framed by Content-Length only (the server always sends it); a response
  // to HEAD, or a 204/304, has none: pass no_body.
  std::optional<RawResponse> ReadResponse(milliseconds timeout = milliseconds(5000),
                                          bool no_body = false) {
    const TestClock::time_point deadline = TestClock::now() + timeout;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    RawResponse r;
    r.head = buffer_.substr(0, end + 4);
    if (r.head.size() < 12 || !r.head.starts_with("HTTP/1.")) return std::nullopt;
    r.status = std::atoi(r.head.c_str() + 9);
    size_t pos = r.head.find("\r\n") + 2;
    while (pos < end + 2) {
      const size_t eol = r.head.find("\r\n", pos);
      const std::string line = r.head.substr(pos, eol - pos);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        r.headers.push_back({line.substr(0, colon), Trim(line.substr(colon + 1))});
      }
      pos = eol + 2;
    }
    size_t length = 0;
    if (const std::string* cl = r.Header("content-length"); cl && !no_body && r.status >= 200) {
      length = std::stoul(*cl);
    }
    while (buffer_.size() < end + 4 + length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    r.body = buffer_.substr(end + 4, length);
    buffer_.erase(0, end + 4 + length);
    return r;
  }

  // Reads until the server closes (EOF or reset); false if it is still open after `timeout`.
  // Whatever arrived (after what ReadResponse consumed) is appended to *received.
  bool WaitClosed(milliseconds timeout, std::string* received = nullptr) {
    const TestClock::time_point deadline = TestClock::now() + timeout;
    while (!eof_) {
      if (!Fill(deadline) && !eof_) break;
    }
    if (received != nullptr) received->append(buffer_);
    buffer_.clear();
    return eof_;
  }

  // Bytes received and not yet consumed.
  const std::string& buffered() const { return buffer_; }

 private:
  // One read; false on EOF, error (both set eof_) or timeout.
  bool Fill(TestClock::time_point deadline) {
    if (eof_ || fd_ < 0) {
      eof_ = true;
      return false;
    }
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - TestClock::now()).count();
    if (left <= 0) return false;
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready <= 0) return false;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) return true;
      eof_ = true;
      return false;
    }
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool eof_ = false;
  std::string buffer_;
};

// A local user starving a server: holds `count` connections that never send a byte, and
// re-opens at once every one the server closes (a 503, a timeout, an eviction), on its own
// thread until destroyed.
class IdleAttacker {
 public:
  IdleAttacker(uint16_t port, size_t count) : port_(port) {
    for (size_t i = 0; i < count; ++i) conns_.push_back(std::make_unique<RawClient>(port_));
    for (const auto& c : conns_) held_ += c->connected() ? 1 : 0;
    thread_ = std::thread([this] { Loop(); });
  }
  ~IdleAttacker() {
    stop_ = true;
    thread_.join();
  }
  IdleAttacker(const IdleAttacker&) = delete;
  IdleAttacker& operator=(const IdleAttacker&) = delete;
  size_t held() const { return held_; }
  size_t reopened() const { return reopened_.load(); }

 private:
  void Loop() {
    std::vector<pollfd> fds(conns_.size());
    while (!stop_) {
      for (size_t i = 0; i < conns_.size(); ++i) {
        if (!conns_[i]->connected()) conns_[i] = std::make_unique<RawClient>(port_);
        fds[i] = pollfd{.fd = conns_[i]->fd(), .events = POLLIN, .revents = 0};
      }
      if (::poll(fds.data(), fds.size(), 10) <= 0) continue;
      for (size_t i = 0; i < conns_.size(); ++i) {
        if (fds[i].revents == 0) continue;
        conns_[i] = std::make_unique<RawClient>(port_);  // a 503, a timeout or an eviction
        reopened_.fetch_add(1);
      }
    }
  }

  uint16_t port_;
  std::vector<std::unique_ptr<RawClient>> conns_;
  size_t held_ = 0;
  std::atomic<size_t> reopened_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A handler echoing what it parsed: body "METHOD target\n<body>", and headers saying path,
// query, peer and the request's header count.
inline ServerResponse EchoHandler(const ServerRequest& r) {
  return ServerResponse{.status = 200,
                        .headers = {{"Content-Type", "text/plain"},
                                    {"X-Path", r.path},
                                    {"X-Query", r.query},
                                    {"X-Peer", r.peer},
                                    {"X-Header-Count", std::to_string(r.headers.size())}},
                        .body = r.method + " " + r.target + "\n" + r.body};
}

// Starts a server or fails the test (then returns nullptr).
inline std::unique_ptr<HttpServer> StartOrDie(ServerOptions options,
                                              Handler handler = EchoHandler) {
  Result<std::unique_ptr<HttpServer>> server =
      HttpServer::Start(std::move(options), std::move(handler));
  EXPECT_TRUE(server) << server.error().message();
  return server ? std::move(server).value() : nullptr;
}

// Options with short timeouts for tests (bounded waits everywhere).
inline ServerOptions TestOptions() {
  ServerOptions o;
  o.threads = 2;
  o.header_timeout = milliseconds(1000);
  o.idle_timeout = milliseconds(2000);
  o.body_timeout = milliseconds(1000);
  o.send_timeout = milliseconds(1000);
  return o;
}

inline std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

inline std::string Post(std::string_view target, std::string_view body,
                        std::string_view extra_headers = "") {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra_headers) + "\r\n" + std::string(body);
}

inline milliseconds Since(TestClock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(TestClock::now() - start);
}

}  // namespace hubspoke::server_test
