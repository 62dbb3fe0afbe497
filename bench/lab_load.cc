// lab_load: a closed-loop load generator for an STS endpoint (our lab or moto_server), used by
// bench/lab_bench.py. Each client is a thread with its own kept-alive HTTP/1.1 connection (the
// library's real client) that signs every request with SigV4 (the library's signer), sends it,
// waits for the answer and records the latency. Prints one JSON object with the throughput and
// the latency percentiles of the measured window (after the warm-up).
//
//   lab_load --url http://127.0.0.1:PORT --clients 64 --seconds 10 [--warmup 2]
//            --role-arn ARN [--external-id X] [--action AssumeRole|GetCallerIdentity]
//            [--region us-east-1] [--rate R]
// Without --rate each client sends its next request as soon as the last is answered (closed
// loop: the peak throughput). With --rate R the clients together send R requests per second on
// a fixed schedule (open loop), and latency is measured from each request's scheduled time, so
// a server that falls behind shows it in the percentiles instead of silently slowing the
// clients down (no coordinated omission).
// The caller's keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (never argv).
//
// Uses only the public API in include/hubspoke/.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hubspoke/http.h"
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
      else Usage("unknown flag " + flag);
    } catch (const std::exception&) {
      Usage(flag + ": bad value '" + value + "'");
    }
  }
  if (o.url.empty()) Usage("--url is required");
  if (o.clients < 1 || o.clients > 4096) Usage("--clients must be 1..4096");
  if (o.seconds <= 0) Usage("--seconds must be > 0");
  if (o.rate < 0) Usage("--rate must be >= 0");
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

void RunClient(const Options& o, const hubspoke::Credentials& creds, int index,
               Clock::time_point measure_from, Clock::time_point stop_at, ClientResult& out) {
  auto http = hubspoke::MakeHttpClient({});
  std::string body = "Action=" + o.action + "&Version=2011-06-15";
  if (o.action == "AssumeRole") {
    body += "&RoleArn=" + FormValue(o.role_arn) + "&RoleSessionName=bench-" +
            std::to_string(index) + "&DurationSeconds=900";
    if (!o.external_id.empty()) body += "&ExternalId=" + FormValue(o.external_id);
  }
  const std::string host = HostOf(o.url);
  out.latencies_ms.reserve(1 << 16);
  // Open loop: this client's k-th request is due at t0 + phase + k × interval.
  using Seconds = std::chrono::duration<double>;
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      Seconds(o.rate > 0 ? o.clients / o.rate : 0));
  auto due = Clock::now() + interval * index / o.clients;
  while (true) {
    Clock::time_point start = Clock::now();
    if (o.rate > 0) {
      if (due > start) std::this_thread::sleep_until(due);
      start = due;  // latency counts from when the request should have gone out
      due += interval;
    }
    if (start >= stop_at) break;
    // Signed per request, as every real client does (the timestamp is part of the signature).
    hubspoke::sigv4::SignableRequest r{
        .method = "POST",
        .path = "/",
        .query = "",
        .headers = {{"Host", host},
                    {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
        .body = body};
    auto signed_ok = hubspoke::sigv4::Sign(
        r, creds,
        {.region = o.region, .service = "sts", .time = std::chrono::system_clock::now()});
    if (!signed_ok) {
      out.first_error = signed_ok.error().message();
      return;
    }
    hubspoke::HttpRequest req;
    req.method = "POST";
    req.url = o.url + "/";
    req.headers = std::move(r.headers);
    req.body = std::move(r.body);
    req.timeout = std::chrono::milliseconds(10000);
    auto resp = http->Send(req);
    const auto end = Clock::now();
    int status = resp ? resp->status : 0;
    if (resp && status == 200 && resp->body.find("<AccessKeyId>") == std::string::npos &&
        o.action == "AssumeRole") {
      status = -1;  // 200 without credentials: count as an error
    }
    if ((status != 200) && out.first_error.empty()) {
      out.first_error = resp ? "HTTP " + std::to_string(status) + ": " + resp->body.substr(0, 300)
                             : resp.error().message();
    }
    if (start >= measure_from) {
      out.latencies_ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
      ++out.statuses[status];
    }
  }
}

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
  std::vector<ClientResult> results(static_cast<std::size_t>(o.clients));
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back(RunClient, std::cref(o), std::cref(creds), i, measure_from, stop_at,
                         std::ref(results[static_cast<std::size_t>(i)]));
  }
  for (auto& t : threads) t.join();
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
