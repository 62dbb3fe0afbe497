#include "http_server/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <system_error>
#include <utility>

#include "http_server/server_connection.h"
#include "http_server/server_worker.h"

namespace hubspoke {
namespace {

constexpr int kMaxThreads = kMaxServerThreads;
constexpr int kAcceptBatch = 64;  // connections accepted per wake-up before looking again
// With `trusts`, newcomers at max_connections are counted until their worker has made room for
// them; no more than this many may be on their way at once.
constexpr size_t kMakingRoom = 64;

Error SysError(ErrorCode code, const std::string& what) {
  return Error(code, what + ": " + strerror(errno));
}

struct BindAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  std::string url_host;
};

// IP literals only (and "localhost"): no DNS, so what is bound is exactly what was asked for.
Result<BindAddress> ParseBindHost(std::string_view host) {
  BindAddress out;
  std::string text(host);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text == "localhost") text = "127.0.0.1";
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (::inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    out.length = sizeof(sockaddr_in);
    out.family = AF_INET;
    out.url_host = text;
    return out;
  }
  if (::inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    out.length = sizeof(sockaddr_in6);
    out.family = AF_INET6;
    out.url_host = "[" + text + "]";
    return out;
  }
  return Error(ErrorCode::kInvalidArgument, "server host \"" + std::string(host.substr(0, 64)) +
                                                "\" is not an IP address (or localhost)");
}

void SetPort(BindAddress& address, uint16_t port) {
  if (address.family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&address.storage)->sin_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in6*>(&address.storage)->sin6_port = htons(port);
  }
}

std::string PeerString(const sockaddr_storage& addr) {
  char ip[INET6_ADDRSTRLEN] = "?";
  if (addr.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof(ip));
    return std::string(ip) + ":" + std::to_string(ntohs(v4->sin_port));
  }
  if (addr.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, ip, sizeof(ip));
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(v6->sin6_port));
  }
  return "?";
}

Status ValidateOptions(const ServerOptions& o) {
  auto bad = [](const std::string& what) {
    return Error(ErrorCode::kInvalidArgument, "server options: " + what);
  };
  if (o.threads < 0 || o.threads > kMaxThreads) {
    return bad("threads must be 0.." + std::to_string(kMaxThreads));
  }
  if (o.max_header_bytes < 64) return bad("max_header_bytes must be at least 64");
  if (o.max_connections == 0) return bad("max_connections must be positive");
  if (o.header_timeout.count() <= 0 || o.idle_timeout.count() <= 0 || o.body_timeout.count() <= 0 ||
      o.send_timeout.count() <= 0) {
    return bad("timeouts must be positive");
  }
  if (o.trusts && o.untrusted_timeout.count() <= 0) {
    return bad("untrusted_timeout must be positive");
  }
  if (o.defer_accept.count() < 0 || o.defer_accept.count() > 60) {
    return bad("defer_accept must be 0..60 s");
  }
  return Ok();
}

}  // namespace

HttpServer::HttpServer() : context_(std::make_unique<ServerContext>()) {}

HttpServer::~HttpServer() {
  Stop();
  for (int fd : {listen_fd_, accept_epoll_fd_, accept_wake_fd_, spare_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

std::string HttpServer::url() const { return "http://" + url_host_ + ":" + std::to_string(port_); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(ServerOptions options, Handler handler) {
  if (Status valid = ValidateOptions(options); !valid) return std::move(valid).error();
  if (!handler) return Error(ErrorCode::kInvalidArgument, "server: no handler");
  Result<BindAddress> address = ParseBindHost(options.host);
  if (!address) return std::move(address).error();
  SetPort(*address, options.port);

  std::unique_ptr<HttpServer> server(new HttpServer());
  server->url_host_ = address->url_host;
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u,
                                                        static_cast<unsigned>(kMaxThreads)));
  server->context_->options = std::move(options);
  server->context_->handler = std::move(handler);

  const int fd = ::socket(address->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return SysError(ErrorCode::kInternal, "socket");
  server->listen_fd_ = fd;
  const int one = 1;
  // SO_REUSEADDR only (a restarted lab can rebind while old connections sit in TIME_WAIT).
  // Security: no SO_REUSEPORT, so no other process can bind the same port and share our
  // connections.
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (address->family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  const std::string where =
      address->url_host + ":" + std::to_string(server->context_->options.port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address->storage), address->length) != 0) {
    return SysError(ErrorCode::kNetwork, "server: bind " + where);
  }
  if (const int defer = static_cast<int>(server->context_->options.defer_accept.count());
      defer > 0 &&
      ::setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer)) != 0) {
    return SysError(ErrorCode::kInternal, "server: TCP_DEFER_ACCEPT " + where);
  }
  if (::listen(fd, SOMAXCONN) != 0) return SysError(ErrorCode::kNetwork, "server: listen " + where);
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof(bound);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length) != 0) {
    return SysError(ErrorCode::kInternal, "server: getsockname");
  }
  server->port_ =
      ntohs(bound.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in*>(&bound)->sin_port
                                       : reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);

  server->accept_epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (server->accept_epoll_fd_ < 0) return SysError(ErrorCode::kInternal, "epoll_create1");
  server->accept_wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (server->accept_wake_fd_ < 0) return SysError(ErrorCode::kInternal, "eventfd");
  for (const int watched : {server->listen_fd_, server->accept_wake_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = watched;
    if (::epoll_ctl(server->accept_epoll_fd_, EPOLL_CTL_ADD, watched, &ev) != 0) {
      return SysError(ErrorCode::kInternal, "epoll_ctl");
    }
  }
  server->spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  for (int i = 0; i < threads; ++i) {
    auto worker = std::make_unique<ServerWorker>(*server->context_);
    if (Status s = worker->Init(); !s) return std::move(s).error().Wrap("server");
    server->workers_.push_back(std::move(worker));
  }
  try {
    for (const auto& worker : server->workers_) {
      server->worker_threads_.emplace_back([w = worker.get()] { w->Run(); });
    }
    server->acceptor_ = std::thread([s = server.get()] { s->AcceptLoop(); });
  } catch (const std::system_error& e) {
    server->Stop();
    return Error(ErrorCode::kInternal, std::string("server: starting threads: ") + e.what());
  }
  return server;
}

void HttpServer::AcceptLoop() {
  size_t next_worker = 0;
  epoll_event events[2];
  while (true) {
    const int n = ::epoll_wait(accept_epoll_fd_, events, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // not expected; never spin
      continue;
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == accept_wake_fd_) return;  // Stop()
    }
    AcceptReady(&next_worker);
  }
}

void HttpServer::AcceptReady(size_t* next_worker) {
  const size_t max_connections = context_->options.max_connections;
  const bool trusts = static_cast<bool>(context_->options.trusts);
  for (int i = 0; i < kAcceptBatch; ++i) {
    // Security: the count cannot run away while workers are busy making room; the next
    // connections wait in the kernel's backlog (not on our descriptors) rather than being
    // refused, and this thread looks again in a millisecond.
    const size_t open = context_->open_connections.load(std::memory_order_relaxed);
    if (trusts && open >= max_connections && open - max_connections >= kMakingRoom) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return;
    }
    sockaddr_storage addr{};
    socklen_t length = sizeof(addr);
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
        // Out of descriptors: the pending connection would stay in the queue and wake us
        // forever. Free the spare, accept and close it (the client sees a close, not a hang).
        ::close(spare_fd_);
        const int doomed = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (doomed >= 0) ::close(doomed);
        spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        continue;
      }
      // ENOBUFS, ENOMEM, EPERM (firewall) …: back off briefly rather than spin.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return;
    }
    // Only this thread adds to the count, so the check cannot race past the limit.
    const bool make_room =
        context_->open_connections.load(std::memory_order_relaxed) >= max_connections;
    if (make_room && !trusts) {
      RefuseConnection(fd);
      continue;
    }
    // Security: at the limit the newcomer goes to a worker holding an untrusted connection, which
    // evicts one for it (ServerOptions::trusts). If none seems to, the usual worker decides (the
    // connections it has not taken in yet are not counted here), and refuses it if it must.
    ServerWorker* worker = workers_[*next_worker % workers_.size()].get();
    for (size_t k = 0; make_room && k < workers_.size(); ++k) {
      ServerWorker* candidate = workers_[(*next_worker + k) % workers_.size()].get();
      if (candidate->untrusted() > 0) {
        worker = candidate;
        break;
      }
    }
    context_->open_connections.fetch_add(1, std::memory_order_relaxed);
    const int one = 1;
    // Responses go out in one write each; Nagle would hold back the next pipelined one.
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    worker->Adopt(fd, PeerString(addr), make_room);
    ++*next_worker;
  }
}

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  const uint64_t one = 1;
  if (accept_wake_fd_ >= 0) {
    [[maybe_unused]] const ssize_t n = ::write(accept_wake_fd_, &one, sizeof(one));
  }
  if (acceptor_.joinable()) acceptor_.join();
  // No new connections from here: the kernel refuses them once the socket is closed.
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  for (const auto& worker : workers_) worker->RequestStop();
  for (std::thread& thread : worker_threads_) {
    if (thread.joinable()) thread.join();
  }
  workers_.clear();  // closes whatever was handed over after the loops returned
}

}  // namespace hubspoke
