// EC2 instance metadata (IMDSv2) credentials, as botocore's InstanceMetadataFetcher, the JS SDK's
// fromInstanceMetadata and the Go SDK's ec2rolecreds read them:
//   PUT /latest/api/token                          X-aws-ec2-metadata-token-ttl-seconds: 21600
//   GET /latest/meta-data/iam/security-credentials/        → the instance profile's role name
//   GET /latest/meta-data/iam/security-credentials/<role>  → {"Code": "Success", …}
// every GET with X-aws-ec2-metadata-token.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include "core/strings.h"
#include "core/time.h"
#include "core/url.h"
#include "creds/remote_credentials_json.h"
#include "hubspoke/credential_sources.h"
#include "sys/retry.h"

namespace hubspoke {
namespace {

constexpr char kTokenPath[] = "/latest/api/token";
constexpr char kCredentialsPath[] = "/latest/meta-data/iam/security-credentials/";
constexpr char kTtlHeader[] = "X-aws-ec2-metadata-token-ttl-seconds";
constexpr char kTokenHeader[] = "X-aws-ec2-metadata-token";
// The SDKs' token lifetime: six hours, the maximum IMDS grants.
constexpr std::chrono::seconds kTokenTtl{21600};
// A cached token is replaced this long before IMDS would expire it (a 401 is handled anyway).
constexpr std::chrono::seconds kTokenRefreshMargin{60};
constexpr std::chrono::milliseconds kBackoffBase{100};
constexpr std::chrono::milliseconds kBackoffCap{100 << 10};
constexpr char kIpv4Endpoint[] = "http://169.254.169.254";
constexpr char kIpv6Endpoint[] = "http://[fd00:ec2::254]";

std::string EnvValue(const Environment& env, std::string_view name) {
  std::optional<std::string> v = env.Get(name);
  return v ? Trim(*v) : std::string();
}

std::string FormatDuration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

// IAM role names: 1–64 of [A-Za-z0-9+=,.@_-] (IAM CreateRole). Checked before the name goes into
// a URL path.
bool IsRoleName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("+=,.@_-").find(c) != std::string_view::npos;
  });
}

// A session token is an opaque base64-ish string: printable ASCII without spaces.
bool IsPrintableToken(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

struct Settings {
  std::string base;    // endpoint without a trailing '/', e.g. http://169.254.169.254
  std::string source;  // where the endpoint came from, for messages
  std::chrono::milliseconds timeout;
  int attempts;
  bool v1_disabled;
};

Result<std::chrono::milliseconds> ParseTimeoutSeconds(const std::string& text) {
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(seconds) || seconds <= 0 ||
      seconds > 3600) {
    return Error(ErrorCode::kInvalidArgument,
                 "AWS_METADATA_SERVICE_TIMEOUT: invalid value '" + Printable(text, 40) +
                     "': a number of seconds greater than 0, e.g. 1 or 0.5");
  }
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::milliseconds(std::llround(seconds * 1000.0)));
}

Result<int> ParseAttempts(const std::string& text) {
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);  // NOLINT(runtime/int)
  if (end == text.c_str() || *end != '\0' || n < 1 || n > 20) {
    return Error(ErrorCode::kInvalidArgument, "AWS_METADATA_SERVICE_NUM_ATTEMPTS: invalid value '" +
                                                  Printable(text, 40) +
                                                  "': a whole number from 1 to 20");
  }
  return static_cast<int>(n);
}

// Reads the environment on every call (it is a snapshot, but cheap to consult). Precedence as in
// botocore: the explicit endpoint, then AWS_EC2_METADATA_SERVICE_ENDPOINT, then the mode.
Result<Settings> LoadSettings(const Environment& env, const ImdsProviderOptions& options) {
  Settings s{
      .timeout = std::max(options.timeout, std::chrono::milliseconds(1)),
      .attempts = std::max(options.attempts, 1),
      .v1_disabled = EqualsIgnoreCase(EnvValue(env, "AWS_EC2_METADATA_V1_DISABLED"), "true")};
  if (std::string t = EnvValue(env, "AWS_METADATA_SERVICE_TIMEOUT"); !t.empty()) {
    Result<std::chrono::milliseconds> timeout = ParseTimeoutSeconds(t);
    if (!timeout) return std::move(timeout).error();
    s.timeout = *timeout;
  }
  if (std::string a = EnvValue(env, "AWS_METADATA_SERVICE_NUM_ATTEMPTS"); !a.empty()) {
    Result<int> attempts = ParseAttempts(a);
    if (!attempts) return std::move(attempts).error();
    s.attempts = *attempts;
  }
  std::string endpoint;
  if (!Trim(options.endpoint).empty()) {
    endpoint = Trim(options.endpoint);
    s.source = "the configured endpoint";
  } else if (std::string e = EnvValue(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT"); !e.empty()) {
    endpoint = e;
    s.source = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
  } else {
    const std::string mode = EnvValue(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    if (mode.empty() || EqualsIgnoreCase(mode, "IPv4")) {
      endpoint = kIpv4Endpoint;
    } else if (EqualsIgnoreCase(mode, "IPv6")) {
      endpoint = kIpv6Endpoint;
    } else {
      return Error(ErrorCode::kInvalidArgument,
                   "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: invalid value '" + Printable(mode, 40) +
                       "': IPv4 or IPv6");
    }
    s.source = "the default endpoint";
  }
  Result<Url> url = ParseUrl(endpoint);
  if (!url) return std::move(url).error().Wrap("EC2 instance metadata endpoint (" + s.source + ")");
  if (url->target.find('?') != std::string::npos) {
    return Error(ErrorCode::kInvalidArgument, "EC2 instance metadata endpoint (" + s.source +
                                                  "): must not contain a query string");
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  s.base = endpoint;
  return s;
}

// Keeps the session token between calls; not thread-safe (nor is the HTTP transport it uses).
class ImdsProvider final : public CredentialsProvider {
 public:
  ImdsProvider(const SystemContext& sys, ImdsProviderOptions options)
      : sys_(sys), options_(std::move(options)) {}

  Result<Credentials> GetCredentials() override;

  std::string Describe() const override {
    return role_.empty() ? "EC2 instance metadata" : "EC2 instance metadata (role " + role_ + ")";
  }

 private:
  // The token for `s`, from the cache or a new PUT; nullopt means "use IMDSv1" (IMDS answered
  // the PUT with 404/405 and IMDSv1 is allowed).
  Result<std::optional<SecretString>> Token(const Settings& s, bool refresh);
  // GET base+path with the token; on 401 fetches a new token once and repeats.
  Result<HttpResponse> Get(const Settings& s, const std::string& path,
                           std::optional<SecretString>& token);
  // One request with up to s.attempts tries on transient failures (network, timeout, 5xx).
  Result<HttpResponse> Send(const Settings& s, const HttpRequest& request);

  void Debug(const std::string& line) {
    if (sys_.log.Enabled(LogLevel::kDebug)) sys_.log.Log(LogLevel::kDebug, line);
  }

  SystemContext sys_;  // a copy of the references: the context itself may be a temporary
  ImdsProviderOptions options_;
  std::string role_;  // the last role served, for Describe()
  // Security: the session token grants metadata access; it stays in this provider, never logged.
  std::optional<SecretString> token_;
  std::string token_base_;  // the endpoint the token belongs to
  TimePoint token_refresh_at_;
};

Result<HttpResponse> ImdsProvider::Send(const Settings& s, const HttpRequest& request) {
  // A 5xx answer is a response, not an error: after the last attempt the caller sees it as is.
  auto attempt = [&](int) -> Attempt<HttpResponse> {
    Result<HttpResponse> response = sys_.http.Send(request);
    const bool transient = response ? response->status >= 500
                                    : response.error().code() == ErrorCode::kNetwork ||
                                          response.error().code() == ErrorCode::kTimeout;
    return {std::move(response), transient};
  };
  auto why = [](const Result<HttpResponse>& r) {
    return r ? "HTTP " + std::to_string(r->status) : r.error().message();
  };
  return RunWithRetries<HttpResponse>(
      RetryPolicy{.max_attempts = s.attempts, .base = kBackoffBase, .cap = kBackoffCap,
                  .jitter = false},
      RetryContext{.clock = sys_.clock,
                   .random = sys_.random,
                   .log = sys_.log,
                   .what = "EC2 instance metadata: " + request.method + " " + request.url,
                   .say_attempts = false},  // the callers say "…, N attempts"
      attempt, why);
}

Result<std::optional<SecretString>> ImdsProvider::Token(const Settings& s, bool refresh) {
  if (!refresh && token_ && token_base_ == s.base && sys_.clock.Now() < token_refresh_at_) {
    return std::optional<SecretString>(*token_);
  }
  token_.reset();
  const std::string where = "EC2 instance metadata service at " + s.base;
  HttpRequest request{.method = "PUT",
                      .url = s.base + kTokenPath,
                      .headers = {{kTtlHeader, std::to_string(kTokenTtl.count())}},
                      .timeout = s.timeout};
  Result<HttpResponse> response = Send(s, request);
  if (!response) {
    // Off EC2 nothing answers at 169.254.169.254: not an error, the chain moves on (the SDKs
    // likewise give up on IMDS after its short timeout).
    const Error& e = response.error();
    std::string why = e.code() == ErrorCode::kTimeout
                          ? "timed out after " + FormatDuration(s.timeout)
                          : e.message();
    if (s.attempts > 1) why += ", " + std::to_string(s.attempts) + " attempts";
    Error out = Error(ErrorCode::kNotConfigured,
                      "no EC2 instance metadata service at " + s.base + " (" + why + ")")
                    .WithSource("EC2 instance metadata");
    if (e.code() == ErrorCode::kTimeout) {
      // IMDS drops token answers that need more hops than the instance allows (default 1).
      return std::move(out).WithHint(
          "in a container on EC2, IMDSv2 needs the instance's metadata response hop limit "
          "(HttpPutResponseHopLimit) to be 2 or more");
    }
    return out;
  }
  const int status = response->status;
  if (status == 200) {
    std::string token = Trim(response->body);
    const bool ok = !token.empty() && IsPrintableToken(token);
    SecretString secret(std::move(token));
    if (!ok) return Error(ErrorCode::kParse, where + " returned an empty or malformed token");
    std::chrono::seconds ttl = kTokenTtl;
    if (const std::string* echoed = FindHeader(response->headers, kTtlHeader)) {
      char* end = nullptr;
      const long n = std::strtol(echoed->c_str(), &end, 10);  // NOLINT(runtime/int)
      if (end != echoed->c_str() && *end == '\0' && n > 0 && n <= kTokenTtl.count()) {
        ttl = std::chrono::seconds(n);
      }
    }
    const std::chrono::seconds margin = std::min(kTokenRefreshMargin, ttl / 2);
    token_ = secret;
    token_base_ = s.base;
    token_refresh_at_ = sys_.clock.Now() + ttl - margin;
    Debug("EC2 instance metadata: new session token from " + s.base + " (TTL " +
          std::to_string(ttl.count()) + " s)");
    return std::optional<SecretString>(std::move(secret));
  }
  if (status == 403) {
    // IMDS answers 403 when it is turned off for the instance (HttpEndpoint=disabled) or when
    // the PUT came through a proxy (X-Forwarded-For): either way there is nothing to use.
    return Error(ErrorCode::kNotConfigured,
                 where +
                     " refused a session token (HTTP 403): instance metadata is turned off "
                     "for this instance, or the request went through a proxy")
        .WithSource("EC2 instance metadata");
  }
  if (status == 404 || status == 405) {
    // No IMDSv2 at this endpoint. botocore, the JS and the Go SDKs all fall back to IMDSv1
    // unless it is disabled (AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled).
    if (s.v1_disabled) {
      return Error(ErrorCode::kMisconfigured,
                   where + " does not issue IMDSv2 session tokens (HTTP " + std::to_string(status) +
                       ") and AWS_EC2_METADATA_V1_DISABLED=true forbids IMDSv1");
    }
    sys_.log.Log(LogLevel::kInfo, "EC2 instance metadata: " + s.base +
                                      " does not issue IMDSv2 session tokens (HTTP " +
                                      std::to_string(status) +
                                      "); falling back to IMDSv1 as the AWS SDKs do "
                                      "(AWS_EC2_METADATA_V1_DISABLED=true forbids that)");
    return std::optional<SecretString>();
  }
  return Error(
      status == 400 ? ErrorCode::kMisconfigured : ErrorCode::kRemote,
      where + ": session token request failed: " + DescribeRemoteFailure(status, response->body));
}

Result<HttpResponse> ImdsProvider::Get(const Settings& s, const std::string& path,
                                       std::optional<SecretString>& token) {
  auto request = [&] {
    HttpRequest r{.method = "GET", .url = s.base + path, .timeout = s.timeout};
    if (token) r.headers.push_back({kTokenHeader, std::string(token->reveal())});
    return r;
  };
  Result<HttpResponse> response = Send(s, request());
  if (response && response->status == 401) {
    // The token expired or IMDS restarted: IMDS answers 401 to an unknown token. One new token,
    // one more try; a second 401 is reported.
    Debug("EC2 instance metadata: GET " + path + " answered HTTP 401; fetching a new token");
    Result<std::optional<SecretString>> fresh = Token(s, /*refresh=*/true);
    if (!fresh) {
      // IMDS did answer a moment ago: whatever fails now is a broken source, not an absent one.
      Error e = std::move(fresh).error().Wrap("renewing the token after HTTP 401");
      return e.code() == ErrorCode::kNotConfigured ? std::move(e).WithCode(ErrorCode::kRemote) : e;
    }
    token = std::move(*fresh);
    response = Send(s, request());
  }
  if (!response) {
    return response.error().Wrap("EC2 instance metadata " + s.base + ": GET " + path);
  }
  return response;
}

Result<Credentials> ImdsProvider::GetCredentials() {
  if (EqualsIgnoreCase(EnvValue(sys_.env, "AWS_EC2_METADATA_DISABLED"), "true")) {
    return Error(ErrorCode::kNotConfigured,
                 "EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED=true)")
        .WithSource("EC2 instance metadata");
  }
  Result<Settings> settings = LoadSettings(sys_.env, options_);
  if (!settings) return std::move(settings).error();
  const Settings& s = *settings;
  const std::string where = "EC2 instance metadata " + s.base;

  Result<std::optional<SecretString>> token = Token(s, /*refresh=*/false);
  if (!token) return std::move(token).error();

  auto failure = [&](const HttpResponse& r, const std::string& what) {
    const ErrorCode code = r.status == 401   ? ErrorCode::kAccessDenied
                           : r.status == 429 ? ErrorCode::kThrottled
                                             : ErrorCode::kRemote;
    return Error(code, where + ": " + what + ": " + DescribeRemoteFailure(r.status, r.body));
  };

  Result<HttpResponse> listing = Get(s, kCredentialsPath, *token);
  if (!listing) return std::move(listing).error();
  std::string role;
  if (listing->status == 200) {
    role = Trim(Split(Trim(listing->body), '\n').front());
  } else if (listing->status != 404) {
    return failure(*listing, "listing the instance profile's role");
  }
  if (role.empty()) {
    // Like botocore (which then finds no credentials and lets the chain go on): an instance
    // without an instance profile simply has no credentials to offer.
    return Error(ErrorCode::kNotConfigured,
                 where + ": no IAM role is attached to this EC2 instance (no instance profile)")
        .WithSource("EC2 instance metadata");
  }
  if (!IsRoleName(role)) {
    return Error(ErrorCode::kParse, where + ": the role name it returned ('" + Printable(role, 70) +
                                        "') is not a valid IAM role name");
  }
  Debug("EC2 instance metadata: instance profile role " + role);

  Result<HttpResponse> answer = Get(s, kCredentialsPath + role, *token);
  if (!answer) return std::move(answer).error();
  if (answer->status == 404) {
    return Error(ErrorCode::kMisconfigured,
                 where + ": role " + role + " has no credentials (HTTP 404)");
  }
  if (answer->status != 200) return failure(*answer, "credentials of role " + role);
  Result<Credentials> c =
      ParseRemoteCredentialsJson(where + " role " + role, answer->body,
                                 {.require_session_token = true, .require_expiration = true});
  if (!c) return c;
  role_ = role;
  Debug("EC2 instance metadata: credentials of role " + role + ", access key " +
        MaskAccessKeyId(c->access_key_id) + ", expire " + FormatRfc3339(*c->expiration));
  return c;
}

}  // namespace

std::unique_ptr<CredentialsProvider> MakeImdsCredentialsProvider(const SystemContext& sys,
                                                                 ImdsProviderOptions options) {
  return std::make_unique<ImdsProvider>(sys, std::move(options));
}

}  // namespace hubspoke
