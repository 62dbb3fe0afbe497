#include "http_server/server_worker.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace hubspoke {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr int kMaxEvents = 256;
constexpr uint64_t kWakeId = 0;

uint32_t EpollEvents(const ServerConnection& c) {
  return (c.wants_read() ? EPOLLIN : 0u) | (c.wants_write() ? EPOLLOUT : 0u);
}

// Milliseconds epoll_wait may sleep before `deadline`, rounded up so it never spins early.
int WaitMillis(ServerTime now, ServerTime deadline) {
  if (deadline == ServerTime::max()) return -1;
  if (deadline <= now) return 0;
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now);
  const int64_t millis = (micros.count() + 999) / 1000;
  return static_cast<int>(std::min<int64_t>(millis, 60 * 60 * 1000));
}

}  // namespace

ServerWorker::ServerWorker(ServerContext& context) : context_(context), scratch_(kReadChunk) {}

ServerWorker::~ServerWorker() {
  connections_.clear();
  CloseAdopted();
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

Status ServerWorker::Init() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    return Error(ErrorCode::kInternal, std::string("epoll_create1: ") + strerror(errno));
  }
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Error(ErrorCode::kInternal, std::string("eventfd: ") + strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeId;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    return Error(ErrorCode::kInternal, std::string("epoll_ctl: ") + strerror(errno));
  }
  return Ok();
}

void ServerWorker::Adopt(int fd, std::string peer, bool make_room) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    adopted_.push_back(Adoptee{.fd = fd, .peer = std::move(peer), .make_room = make_room});
  }
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

void ServerWorker::RequestStop() {
  stop_.store(true);
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

void ServerWorker::CloseAdopted() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Adoptee& a : adopted_) {
    ::close(a.fd);
    context_.open_connections.fetch_sub(1, std::memory_order_relaxed);
  }
  adopted_.clear();
}

void ServerWorker::TakeAdopted(ServerTime now) {
  uint64_t count;
  [[maybe_unused]] const ssize_t n = ::read(wake_fd_, &count, sizeof(count));
  std::vector<Adoptee> fresh;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fresh.swap(adopted_);
  }
  for (Adoptee& a : fresh) {
    // Security: the acceptor counted the newcomer beyond max_connections; room is made by
    // evicting an untrusted connection (unless one closed meanwhile), else it is refused.
    if (a.make_room &&
        context_.open_connections.load(std::memory_order_relaxed) >
            context_.options.max_connections &&
        !EvictOldestUntrusted(now)) {
      RefuseConnection(a.fd);
      context_.open_connections.fetch_sub(1, std::memory_order_relaxed);
      continue;
    }
    auto connection =
        std::make_unique<ServerConnection>(context_, a.fd, std::move(a.peer), now, untrusted_);
    const uint64_t id = next_id_++;
    epoll_event ev{};
    ev.events = EpollEvents(*connection);
    ev.data.u64 = id;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, a.fd, &ev) != 0) continue;  // destructor closes
    const auto [it, inserted] =
        connections_.emplace(id, Entry{.connection = std::move(connection), .events = ev.events});
    next_sweep_ = std::min(next_sweep_, it->second.connection->Deadline());
  }
}

void ServerWorker::Run() {
  std::vector<epoll_event> events(kMaxEvents);
  while (!stop_.load(std::memory_order_relaxed)) {
    const int n = ::epoll_wait(epoll_fd_, events.data(), kMaxEvents,
                               WaitMillis(ServerClock::now(), next_sweep_));
    if (n < 0) {
      if (errno == EINTR) continue;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // not expected; never spin
      continue;
    }
    const ServerTime now = ServerClock::now();
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == kWakeId) {
        TakeAdopted(now);
      } else {
        HandleEvent(events[i].data.u64, events[i].events, now);
      }
    }
    if (now >= next_sweep_) Sweep(now);
  }
  connections_.clear();
  CloseAdopted();
}

void ServerWorker::HandleEvent(uint64_t id, uint32_t events, ServerTime now) {
  const Map::iterator it = connections_.find(id);
  if (it == connections_.end()) return;  // closed earlier in this batch
  ServerConnection& c = *it->second.connection;
  if (events & (EPOLLERR | EPOLLHUP)) {
    // Reset by the peer, or both directions shut: nothing more can be sent.
    c.Close();
  } else {
    if (events & EPOLLIN) c.OnReadable(now, scratch_);
    if ((events & EPOLLOUT) && !c.closed()) c.OnWritable(now);
  }
  Sync(it);
}

void ServerWorker::Sync(Map::iterator it) {
  ServerConnection& c = *it->second.connection;
  if (c.closed()) {
    connections_.erase(it);
    return;
  }
  const uint32_t wanted = EpollEvents(c);
  if (wanted != it->second.events) {
    epoll_event ev{};
    ev.events = wanted;
    ev.data.u64 = it->first;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd(), &ev) != 0) {
      connections_.erase(it);
      return;
    }
    it->second.events = wanted;
  }
  next_sweep_ = std::min(next_sweep_, c.Deadline());
}

bool ServerWorker::EvictOldestUntrusted(ServerTime now) {
  while (true) {
    // Ids grow in accept order, so the smallest untrusted id is the oldest. A linear pass: this
    // runs only at max_connections, over one worker's connections.
    Map::iterator oldest = connections_.end();
    for (Map::iterator it = connections_.begin(); it != connections_.end(); ++it) {
      if (!it->second.connection->trusted() &&
          (oldest == connections_.end() || it->first < oldest->first)) {
        oldest = it;
      }
    }
    if (oldest == connections_.end()) return false;
    // Security: what the oldest has already sent is read first, so that a client whose request
    // is waiting in the socket is judged on it rather than lost to a flood of newer connections
    // before it was ever read. If that request earns trust, look again.
    ServerConnection& c = *oldest->second.connection;
    if (c.wants_read()) c.OnReadable(now, scratch_);
    if (c.trusted() && !c.closed()) {
      Sync(oldest);
      continue;
    }
    connections_.erase(oldest);
    return true;
  }
}

void ServerWorker::Sweep(ServerTime now) {
  // Deadlines move on every request, so they are recomputed here rather than kept in a heap:
  // a pass over one worker's connections costs microseconds and runs only when one is due.
  next_sweep_ = ServerTime::max();
  for (Map::iterator it = connections_.begin(); it != connections_.end();) {
    const Map::iterator current = it++;
    ServerConnection& c = *current->second.connection;
    if (c.Deadline() <= now) c.OnDeadline(now);
    Sync(current);  // may erase `current`; `it` already points past it
  }
}

}  // namespace hubspoke
