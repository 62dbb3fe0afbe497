#include "lab/faults.h"

#include <charconv>
#include <cstdio>

#include "core/strings.h"
#include "hubspoke/http.h"
#include "lab/sts_xml_writer.h"

namespace hubspoke::lab {
namespace {

Error SpecError(std::string_view item, const std::string& problem) {
  return Error(ErrorCode::kInvalidArgument,
               "--faults: '" + Printable(item, 60) + "': " + problem +
                   " (see docs/lab.md; e.g. seed=42,throttle=0.2,503=0.1,latency=50ms@0.3,"
                   "first=3:throttle)");
}

std::optional<FaultKind> KindByName(std::string_view name) {
  if (name == "throttle") return FaultKind::kThrottle;
  if (name == "500") return FaultKind::k500;
  if (name == "503") return FaultKind::k503;
  if (name == "drop") return FaultKind::kDrop;
  if (name == "truncate") return FaultKind::kTruncate;
  if (name == "garbage") return FaultKind::kGarbage;
  return std::nullopt;
}

std::optional<double> Probability(std::string_view text) {
  double p = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
  if (ec != std::errc() || end != text.data() + text.size() || !(p >= 0 && p <= 1)) {
    return std::nullopt;
  }
  return p;
}

std::optional<std::uint64_t> Unsigned(std::string_view text) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return n;
}

// "50ms", "2s", "20m", "1h" (a bare number is milliseconds).
std::optional<std::chrono::milliseconds> Duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  auto n = Unsigned(text.substr(0, digits));
  if (!n || *n > 1000000000ULL) return std::nullopt;
  std::string_view unit = text.substr(digits);
  long long v = static_cast<long long>(*n);
  if (unit.empty() || unit == "ms") return std::chrono::milliseconds(v);
  if (unit == "s") return std::chrono::milliseconds(v * 1000);
  if (unit == "m") return std::chrono::milliseconds(v * 60000);
  if (unit == "h") return std::chrono::milliseconds(v * 3600000);
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseFaultDuration(std::string_view text) {
  return Duration(text);
}

namespace {

// SplitMix64: a good 64-bit mix of (seed, request number, stream).
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

double Uniform(std::uint64_t seed, std::uint64_t n, std::uint64_t stream) {
  std::uint64_t h = Mix(seed ^ Mix(n * 4 + stream));
  return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

std::string FakeRequestId(std::uint64_t seed, std::uint64_t n) {
  char buf[40];
  std::uint64_t a = Mix(seed ^ (n << 1)), b = Mix(seed ^ (n << 1 | 1));
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>(a >> 16) & 0xFFFF, static_cast<unsigned>(a) & 0xFFF,
                static_cast<unsigned>(b >> 48) & 0xFFFF,
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace

const char* FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kThrottle: return "throttle";
    case FaultKind::k500: return "500";
    case FaultKind::k503: return "503";
    case FaultKind::kDrop: return "drop";
    case FaultKind::kTruncate: return "truncate";
    case FaultKind::kGarbage: return "garbage";
  }
  return "?";
}

Result<FaultSpec> ParseFaultSpec(std::string_view text) {
  FaultSpec spec;
  double total = 0;
  for (const std::string& raw : Split(text, ',')) {
    const std::string item = Trim(raw);
    if (item.empty()) continue;
    std::size_t eq = item.find('=');
    if (eq == std::string::npos) return SpecError(item, "expected NAME=VALUE");
    const std::string name = item.substr(0, eq);
    const std::string value = item.substr(eq + 1);
    if (name == "seed") {
      auto n = Unsigned(value);
      if (!n) return SpecError(item, "the seed is a non-negative integer");
      spec.seed = *n;
    } else if (name == "latency") {
      std::size_t at = value.find('@');
      auto d = Duration(value.substr(0, at));
      if (!d) return SpecError(item, "a duration such as 50ms, 2s");
      double p = 1;
      if (at != std::string::npos) {
        auto parsed = Probability(value.substr(at + 1));
        if (!parsed) return SpecError(item, "the probability after @ is a number from 0 to 1");
        p = *parsed;
      }
      spec.latency = *d;
      spec.latency_probability = p;
    } else if (name == "skew") {
      bool negative = !value.empty() && value[0] == '-';
      std::string_view magnitude = value;
      if (!magnitude.empty() && (magnitude[0] == '-' || magnitude[0] == '+')) {
        magnitude.remove_prefix(1);
      }
      auto d = Duration(magnitude);
      if (!d || (d->count() % 1000) != 0 || magnitude.empty()) {
        return SpecError(item, "a whole number of seconds, minutes or hours such as +20m, -90s");
      }
      auto secs = std::chrono::duration_cast<std::chrono::seconds>(*d);
      spec.skew = negative ? -secs : secs;
    } else if (name == "first" || name == "every") {
      std::size_t colon = value.find(':');
      auto n = Unsigned(value.substr(0, colon));
      auto kind = colon == std::string::npos ? std::nullopt : KindByName(value.substr(colon + 1));
      if (!n || *n == 0 || !kind) {
        return SpecError(item, "expected " + name +
                                   "=N:KIND with N ≥ 1 and KIND one of throttle, 500, 503, drop, "
                                   "truncate, garbage");
      }
      spec.schedules.push_back(FaultSpec::Schedule{name == "every", *n, *kind});
    } else if (auto kind = KindByName(name)) {
      auto p = Probability(value);
      if (!p) return SpecError(item, "the probability is a number from 0 to 1");
      total += *p;
      if (total > 1.0 + 1e-9) return SpecError(item, "the probabilities add up to more than 1");
      spec.probabilities.emplace_back(*kind, *p);
    } else {
      return SpecError(item, "unknown fault '" + Printable(name, 30) +
                                 "' (expected seed, throttle, 500, 503, latency, drop, truncate, "
                                 "garbage, skew, first, every)");
    }
  }
  return spec;
}

FaultAction FaultInjector::Decide(const ServerRequest& request) {
  const std::uint64_t n = counter_.fetch_add(1);
  FaultAction action;
  std::optional<FaultKind> kind;
  for (const FaultSpec::Schedule& s : spec_.schedules) {
    if ((!s.every && n < s.n) || (s.every && (n + 1) % s.n == 0)) {
      kind = s.kind;
      break;
    }
  }
  if (!kind) {
    double u = Uniform(spec_.seed, n, 0);
    double acc = 0;
    for (const auto& [k, p] : spec_.probabilities) {
      acc += p;
      if (u < acc) {
        kind = k;
        break;
      }
    }
  }
  if (spec_.latency_probability > 0 && Uniform(spec_.seed, n, 1) < spec_.latency_probability) {
    action.delay = spec_.latency;
  }
  const std::string request_id = FakeRequestId(id_seed_, n);
  // Each error in the protocol of the request: AWS Organizations speaks JSON 1.1
  // (X-Amz-Target: AWSOrganizationsV20161128.*), whose throttle is TooManyRequestsException and
  // whose server error is ServiceException (botocore's model for ListAccounts); STS speaks
  // XML. A client that finds no code in the body would not know a throttle for one (the soak
  // found `fanout --org` failing whole on a throttled ListAccounts).
  const std::string* target = FindHeader(request.headers, "X-Amz-Target");
  const bool organizations =
      target != nullptr && target->rfind("AWSOrganizationsV20161128.", 0) == 0;
  auto error = [&](int status, const char* code, const char* message) {
    action.kind = FaultAction::Kind::kStatus;
    action.status = status;
    if (organizations) {
      const char* json_code = status < 500 ? "TooManyRequestsException" : "ServiceException";
      action.headers = {{"x-amzn-RequestId", request_id},
                        {"Content-Type", "application/x-amz-json-1.1"}};
      action.body = std::string("{\"__type\":\"") + json_code + "\",\"Message\":\"" + message +
                    "\"}";
      return;
    }
    action.headers = {{"x-amzn-RequestId", request_id}, {"Content-Type", "text/xml"}};
    action.body = ErrorResponseXml(status < 500, code, message, request_id);
  };
  if (kind) {
    switch (*kind) {
      case FaultKind::kThrottle: error(400, "Throttling", "Rate exceeded"); break;
      case FaultKind::k500:
        error(500, "InternalFailure",
              "The request processing has failed because of an unknown error, exception or "
              "failure.");
        break;
      case FaultKind::k503: error(503, "ServiceUnavailable", "Service is unavailable."); break;
      case FaultKind::kDrop: action.kind = FaultAction::Kind::kDrop; break;
      case FaultKind::kTruncate:
        action.kind = FaultAction::Kind::kTruncate;
        action.truncate_bytes = 10 + static_cast<std::size_t>(Uniform(spec_.seed, n, 2) * 200);
        break;
      case FaultKind::kGarbage: action.kind = FaultAction::Kind::kGarbage; break;
    }
  }
  if ((kind || action.delay.count() > 0) && log_.Enabled(LogLevel::kInfo)) {
    log_.Log(LogLevel::kInfo, "lab: fault #" + std::to_string(n + 1) + " (" +
                                  Printable(request.method, 10) + " " +
                                  Printable(request.path, 60) + "): " +
                                  (kind ? FaultKindName(*kind) : "none") +
                                  (action.delay.count() > 0
                                       ? " after " + std::to_string(action.delay.count()) + " ms"
                                       : ""));
  }
  return action;
}

FaultHook FaultInjector::AsHook() {
  return [this](const ServerRequest& request) { return Decide(request); };
}

}  // namespace hubspoke::lab
