// lab_load: a load generator for an STS endpoint (our lab or moto_server), used by
// bench/lab_bench.py. Each client is one kept-alive HTTP/1.1 connection that signs every request
// with SigV4 (the library's signer), sends it, waits for the answer and records the latency.
// The connections are driven by a few event loops (epoll, --threads, default 1) rather than a
// thread each: on a 2-core machine 64 blocking client threads spend more CPU on context switches
// than the server under test spends answering, and that CPU is taken from the server. Prints one
// JSON object with the throughput and the latency percentiles of the measured window (after the
// warm-up).
//
//   lab_load --url http://127.0.0.1:PORT --clients 64 --seconds 10 [--warmup 2]
//            --role-arn ARN [--external-id X] [--action AssumeRole|GetCallerIdentity]
//            [--region us-east-1] [--rate R] [--threads T]
// Without --rate each client sends its next request as soon as the last is answered (closed
// loop: the peak throughput). With --rate R the clients together send R requests per second on
// a fixed schedule (open loop), and latency is measured from each request's scheduled time, so
// a server that falls behind shows it in the percentiles instead of silently slowing the
// clients down (no coordinated omission).
// The caller's keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (never argv).
//
// Signing uses only the public API in include/hubspoke/; the HTTP/1.1 framing is ours (a
// Content-Length response parser is all an STS endpoint needs).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hubspoke/sigv4.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string url;
  int clients = 16;
  double seconds = 10;
  double warmup = 2;
  std::string action = "AssumeRole";
  std::string role_arn;
  std::string external_id;
  std::string region = "us-east-1";
  double rate = 0;  // requests per second over all clients; 0 = closed loop
  int threads = 1;  // event loops
};

[[noreturn]] void Usage(const std::string& message) {
  std::fprintf(stderr, "lab_load: %s\n", message.c_str());
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) Usage(flag + " needs a value");
    std::string value = argv[++i];
    try {
      if (flag == "--url") o.url = value;
      else if (flag == "--clients") o.clients = std::stoi(value);
      else if (flag == "--seconds") o.seconds = std::stod(value);
      else if (flag == "--warmup") o.warmup = std::stod(value);
      else if (flag == "--action") o.action = value;
      else if (flag == "--role-arn") o.role_arn = value;
      else if (flag == "--external-id") o.external_id = value;
      else if (flag == "--region") o.region = value;
      else if (flag == "--rate") o.rate = std::stod(value);
      else if (flag == "--threads") o.threads = std::stoi(value);
      else Usage("unknown flag " + flag);
    } catch (const std::exception&) {
      Usage(flag + ": bad value '" + value + "'");
    }
  }
  if (o.url.empty()) Usage("--url is required");
  if (o.clients < 1 || o.clients > 4096) Usage("--clients must be 1..4096");
  if (o.seconds <= 0) Usage("--seconds must be > 0");
  if (o.rate < 0) Usage("--rate must be >= 0");
  if (o.threads < 1 || o.threads > 64) Usage("--threads must be 1..64");
  if (o.url.rfind("http://", 0) != 0) Usage("--url must be http://HOST:PORT (an IPv4 literal)");
  if (o.action == "AssumeRole" && o.role_arn.empty()) Usage("--role-arn is required");
  if (o.action != "AssumeRole" && o.action != "GetCallerIdentity") Usage("bad --action");
  return o;
}

std::string FormValue(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string HostOf(const std::string& url) {
  std::string rest = url.substr(url.find("://") + 3);
  return rest.substr(0, rest.find('/'));
}

struct ClientResult {
  std::vector<double> latencies_ms;  // measured window only
  std::map<int, long> statuses;      // measured window only; 0 = transport error
  std::string first_error;
};

using Seconds = std::chrono::duration<double>;

// One client: a connection and at most one request in flight.
struct Conn {
  int fd = -1;
  int index = 0;
  std::string body;  // the form body, the same for every request of this client
  std::string out;   // the request being written
  std::size_t out_pos = 0;
  std::string in;    // the response being read
  bool in_flight = false;
  bool retried = false;     // the request in flight was resent once on a new connection
  int answered_on_conn = 0; // responses read on this connection so far
  Clock::time_point start;  // when the request went out (open loop: when it was due)
  Clock::time_point due;    // open loop: when the next request is due
};

class Loop {
 public:
  Loop(const Options& o, const hubspoke::Credentials& creds, sockaddr_in addr,
       Clock::time_point measure_from, Clock::time_point stop_at, ClientResult& out)
      : o_(o), creds_(creds), addr_(addr), host_(HostOf(o.url)), measure_from_(measure_from),
        stop_at_(stop_at), out_(out) {
    interval_ = std::chrono::duration_cast<Clock::duration>(
        Seconds(o.rate > 0 ? o.clients / o.rate : 0));
  }

  void Add(int index) {
    Conn c;
    c.index = index;
    c.body = "Action=" + o_.action + "&Version=2011-06-15";
    if (o_.action == "AssumeRole") {
      c.body += "&RoleArn=" + FormValue(o_.role_arn) + "&RoleSessionName=bench-" +
                std::to_string(index) + "&DurationSeconds=900";
      if (!o_.external_id.empty()) c.body += "&ExternalId=" + FormValue(o_.external_id);
    }
    conns_.push_back(std::move(c));
  }

  void Run() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < conns_.size(); ++i) {
      Conn& c = conns_[i];
      c.due = t0 + interval_ * c.index / o_.clients;
      if (!Connect(c, i)) return;
    }
    out_.latencies_ms.reserve(1 << 18);
    std::vector<epoll_event> events(conns_.size() + 1);
    while (true) {
      const auto now = Clock::now();
      // Send what is due; stop starting requests at stop_at, then drain (bounded).
      bool busy = false;
      Clock::time_point next_due = Clock::time_point::max();
      for (std::size_t i = 0; i < conns_.size(); ++i) {
        Conn& c = conns_[i];
        if (c.in_flight) {
          busy = true;
          continue;
        }
        const auto when = o_.rate > 0 ? c.due : now;
        if (when >= stop_at_) continue;
        if (when <= now) {
          Send(c, i, when);
          busy = true;
        } else {
          next_due = std::min(next_due, when);
        }
      }
      if (!busy && next_due == Clock::time_point::max()) break;
      if (now > stop_at_ + std::chrono::seconds(10)) break;  // a server that stopped answering
      int timeout_ms = 100;
      if (next_due != Clock::time_point::max()) {
        auto wait = std::chrono::duration_cast<std::chrono::microseconds>(next_due - now).count();
        timeout_ms = static_cast<int>(std::clamp<long long>((wait + 999) / 1000, 0, 100));
      }
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), timeout_ms);
      if (n < 0 && errno != EINTR) {
        Fail("epoll_wait: " + std::string(std::strerror(errno)));
        break;
      }
      for (int k = 0; k < n; ++k) {
        std::size_t i = events[static_cast<std::size_t>(k)].data.u64;
        uint32_t ev = events[static_cast<std::size_t>(k)].events;
        if (ev & EPOLLOUT) Write(conns_[i], i);
        if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) Read(conns_[i], i);
      }
    }
    for (Conn& c : conns_)
      if (c.fd >= 0) close(c.fd);
    close(epoll_);
  }

 private:
  void Fail(const std::string& message) {
    if (out_.first_error.empty()) out_.first_error = message;
  }

  bool Connect(Conn& c, std::size_t i) {
    if (c.fd >= 0) {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
      close(c.fd);
    }
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c.fd < 0 || connect(c.fd, reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_) != 0) {
      Fail("connect " + o_.url + ": " + std::strerror(errno));
      return false;
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    c.in.clear();
    c.answered_on_conn = 0;
    return true;
  }

  void Send(Conn& c, std::size_t i, Clock::time_point start) {
    // Signed per request, as every real client does (the timestamp is part of the signature).
    hubspoke::sigv4::SignableRequest r{
        .method = "POST",
        .path = "/",
        .query = "",
        .headers = {{"Host", host_},
                    {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
        .body = c.body};
    auto signed_ok = hubspoke::sigv4::Sign(
        r, creds_,
        {.region = o_.region, .service = "sts", .time = std::chrono::system_clock::now()});
    if (!signed_ok) {
      Fail(signed_ok.error().message());
      std::exit(1);
    }
    c.out = "POST / HTTP/1.1\r\n";
    for (const auto& h : r.headers) c.out += h.name + ": " + h.value + "\r\n";
    c.out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n";
    c.out += r.body;
    c.out_pos = 0;
    c.in_flight = true;
    c.retried = false;
    c.start = start;
    if (o_.rate > 0) c.due += interval_;
    Write(c, i);
  }

  void Write(Conn& c, std::size_t i) {
    while (c.out_pos < c.out.size()) {
      ssize_t n = send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_pos += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        Watch(c, i, EPOLLIN | EPOLLOUT);
        return;
      }
      if (n < 0 && errno == EINTR) continue;
      Done(c, i, 0, "send: " + std::string(std::strerror(errno)), true);
      return;
    }
    Watch(c, i, EPOLLIN);
  }

  void Watch(Conn& c, std::size_t i, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void Read(Conn& c, std::size_t i) {
    char buf[16384];
    while (true) {
      ssize_t n = recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        c.in.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      // A kept-alive connection the server closed before our request reached it (as HTTP
      // clients do, send it again once on a new connection: nothing was answered).
      if (c.in_flight && c.in.empty() && c.answered_on_conn > 0 && !c.retried) {
        c.retried = true;
        if (Connect(c, i)) {
          c.out_pos = 0;
          Write(c, i);
        }
        return;
      }
      // EOF or error: whatever was in flight is lost.
      if (c.in_flight) {
        Done(c, i, 0, n == 0 ? "the server closed the connection" : std::strerror(errno), true);
      } else {
        Connect(c, i);
      }
      return;
    }
    Parse(c, i);
  }

  void Parse(Conn& c, std::size_t i) {
    const std::size_t head_end = c.in.find("\r\n\r\n");
    if (head_end == std::string::npos) return;
    const std::string_view head(c.in.data(), head_end);
    std::size_t length = 0;
    bool close_after = false;
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos < head.size()) {
      std::size_t next = head.find("\r\n", pos + 2);
      std::string_view line = head.substr(pos + 2, (next == std::string_view::npos ? head.size()
                                                                                   : next) -
                                                       pos - 2);
      if (line.size() > 15 && strncasecmp(line.data(), "content-length:", 15) == 0) {
        length = std::strtoul(std::string(line.substr(15)).c_str(), nullptr, 10);
      } else if (line.size() > 11 && strncasecmp(line.data(), "connection:", 11) == 0 &&
                 line.find("close") != std::string_view::npos) {
        close_after = true;
      }
      pos = next;
    }
    if (c.in.size() < head_end + 4 + length) return;
    int status = head.size() > 12 ? std::atoi(std::string(head.substr(9, 3)).c_str()) : 0;
    std::string_view body(c.in.data() + head_end + 4, length);
    std::string error;
    if (status == 200 && o_.action == "AssumeRole" &&
        body.find("<AccessKeyId>") == std::string_view::npos) {
      status = -1;  // 200 without credentials: count as an error
    }
    if (status != 200) {
      // The body of an error response holds no secret (AWS error XML).
      error = "HTTP " + std::to_string(status) + ": " + std::string(body.substr(0, 300));
    }
    c.in.erase(0, head_end + 4 + length);
    Done(c, i, status, error, close_after);
  }

  void Done(Conn& c, std::size_t i, int status, const std::string& error, bool reconnect) {
    const auto end = Clock::now();
    if (!error.empty()) Fail(error);
    if (c.in_flight && c.start >= measure_from_ && c.start < stop_at_) {
      out_.latencies_ms.push_back(std::chrono::duration<double, std::milli>(end - c.start).count());
      ++out_.statuses[status];
    }
    c.in_flight = false;
    ++c.answered_on_conn;
    if (reconnect) Connect(c, i);
  }

  const Options& o_;
  const hubspoke::Credentials& creds_;
  sockaddr_in addr_;
  std::string host_;
  Clock::time_point measure_from_, stop_at_;
  Clock::duration interval_{};
  ClientResult& out_;
  std::vector<Conn> conns_;
  int epoll_ = -1;
};

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1));
  return sorted[i];
}

}  // namespace

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  const char* key = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (key == nullptr || secret == nullptr) Usage("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  hubspoke::Credentials creds;
  creds.access_key_id = key;
  creds.secret_access_key = hubspoke::SecretString(secret);

  const auto t0 = Clock::now();
  const auto measure_from =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
  const auto stop_at = measure_from + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(o.seconds));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  {
    const std::string host = HostOf(o.url);
    const std::size_t colon = host.rfind(':');
    if (colon == std::string::npos) Usage("--url needs a port");
    if (inet_pton(AF_INET, host.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
      Usage("--url must name an IPv4 address, e.g. http://127.0.0.1:8080");
    }
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(host.substr(colon + 1))));
  }
  const int threads = std::min(o.threads, o.clients);
  std::vector<ClientResult> results(static_cast<std::size_t>(threads));
  std::vector<std::unique_ptr<Loop>> loops;
  for (int t = 0; t < threads; ++t) {
    loops.push_back(std::make_unique<Loop>(o, creds, addr, measure_from, stop_at,
                                           results[static_cast<std::size_t>(t)]));
  }
  for (int i = 0; i < o.clients; ++i) loops[static_cast<std::size_t>(i % threads)]->Add(i);
  std::vector<std::thread> workers;
  for (auto& loop : loops) workers.emplace_back([&loop] { loop->Run(); });
  for (auto& w : workers) w.join();
  // Requests still in flight at stop_at finish a little later; throughput uses the real span.
  const double span =
      std::chrono::duration<double>(Clock::now() - measure_from).count();

  std::vector<double> all;
  std::map<int, long> statuses;
  std::string first_error;
  for (auto& r : results) {
    all.insert(all.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    for (auto& [s, n] : r.statuses) statuses[s] += n;
    if (first_error.empty()) first_error = r.first_error;
  }
  std::sort(all.begin(), all.end());
  long ok = statuses.count(200) ? statuses[200] : 0;
  long errors = static_cast<long>(all.size()) - ok;
  std::printf("{\"action\":\"%s\",\"rate\":%.1f,\"clients\":%d,\"seconds\":%.3f,\"requests\":%zu,"
              "\"ok\":%ld,\"errors\":%ld,\"rps\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,"
              "\"p99_ms\":%.3f,\"max_ms\":%.3f,\"statuses\":{",
              o.action.c_str(), o.rate, o.clients, span, all.size(), ok, errors,
              static_cast<double>(ok) / span, Percentile(all, 50), Percentile(all, 90),
              Percentile(all, 99), all.empty() ? 0.0 : all.back());
  bool first = true;
  for (auto& [s, n] : statuses) {
    std::printf("%s\"%d\":%ld", first ? "" : ",", s, n);
    first = false;
  }
  std::printf("}}\n");
  if (!first_error.empty()) {
    // The body of an error response holds no secret (AWS error XML); keep it short.
    std::string e = first_error.substr(0, 300);
    for (char& c : e)
      if (c == '\n' || c == '\r') c = ' ';
    std::fprintf(stderr, "lab_load: first error: %s\n", e.c_str());
  }
  return ok > 0 ? 0 : 1;
}
