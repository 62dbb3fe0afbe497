// Container credentials: the ECS agent (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI), EKS Pod Identity
// and CodeBuild or Greengrass style endpoints (AWS_CONTAINER_CREDENTIALS_FULL_URI), as botocore's
// ContainerProvider, the JS SDK's fromContainerMetadata/fromHttp and the Go SDK's endpointcreds
// read them.
#include <arpa/inet.h>
#include <string.h>

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

constexpr char kRelativeUriVar[] = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
constexpr char kFullUriVar[] = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
constexpr char kTokenVar[] = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
constexpr char kTokenFileVar[] = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
// The ECS agent's link-local address (all SDKs prefix the relative URI with it).
constexpr char kEcsOrigin[] = "http://169.254.170.2";
// botocore: 2 s per attempt, 3 attempts. Backoff 100 ms, 200 ms: the agent is on the local link,
// a longer wait only delays the failure.
constexpr std::chrono::milliseconds kAttemptTimeout{2000};
constexpr RetryPolicy kRetry{.max_attempts = 3, .base = std::chrono::milliseconds(100),
                             .jitter = false};
// An authorization token is a JWT of a few KiB; anything far larger is not a token file.
constexpr std::size_t kMaxTokenFileSize = 64 * 1024;

// An environment variable, empty when unset (the SDKs treat an empty value as unset).
std::string EnvValue(const Environment& env, std::string_view name) {
  std::optional<std::string> v = env.Get(name);
  return v ? Trim(*v) : std::string();
}

// scheme://authority/path for messages and logs, with any query elided: a query string is where
// a custom endpoint would carry something it considers private.
std::string DisplayUrl(const Url& url) {
  std::size_t q = url.target.find('?');
  return url.Origin() + (q == std::string::npos ? url.target : url.target.substr(0, q) + "?…");
}

// Security: plain http may only go to this host (the credentials cross the wire in the clear):
// a loopback address (127.0.0.0/8, ::1, IPv4-mapped loopback, the name "localhost"), the ECS
// agent (169.254.170.2) or the EKS Pod Identity agent (169.254.170.23, fd00:ec2::23). Names other
// than "localhost" are refused without resolving them, as botocore and the JS SDK do; the Go SDK
// resolves a name and accepts it when every address is loopback.
bool IsAllowedPlainHttpHost(const Url& url) {
  switch (url.host_kind) {
    case HostKind::kName:
      return url.host == "localhost";
    case HostKind::kIpv4: {
      in_addr a{};
      if (inet_pton(AF_INET, url.host.c_str(), &a) != 1) return false;
      const uint32_t ip = ntohl(a.s_addr);
      return (ip >> 24) == 127 || url.host == "169.254.170.2" || url.host == "169.254.170.23";
    }
    case HostKind::kIpv6: {
      in6_addr a{};
      if (inet_pton(AF_INET6, url.host.c_str(), &a) != 1) return false;
      if (IN6_IS_ADDR_LOOPBACK(&a)) return true;
      if (IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127) return true;
      in6_addr eks{};
      inet_pton(AF_INET6, "fd00:ec2::23", &eks);
      return IN6_ARE_ADDR_EQUAL(&a, &eks);
    }
  }
  return false;
}

struct Endpoint {
  std::string variable;  // which variable gave the URL
  std::string url;       // as sent
  std::string display;   // for messages
};

// RELATIVE_URI wins over FULL_URI, as in every SDK.
Result<Endpoint> ResolveEndpoint(const Environment& env) {
  const std::string relative = EnvValue(env, kRelativeUriVar);
  if (!relative.empty()) {
    // Security: without the leading '/', "169.254.170.2" + ".evil.example/" would name another
    // host.
    if (relative.front() != '/') {
      return Error(ErrorCode::kMisconfigured,
                   std::string(kRelativeUriVar) + ": '" + Printable(relative, 100) +
                       "' must be a path starting with '/' (it is appended to " + kEcsOrigin + ")");
    }
    Result<Url> url = ParseUrl(kEcsOrigin + relative);
    if (!url) {
      return std::move(url).error().Wrap(kRelativeUriVar).WithCode(ErrorCode::kMisconfigured);
    }
    return Endpoint{
        .variable = kRelativeUriVar, .url = kEcsOrigin + relative, .display = DisplayUrl(*url)};
  }
  const std::string full = EnvValue(env, kFullUriVar);
  if (full.empty()) {
    return Error(ErrorCode::kNotConfigured,
                 std::string(kRelativeUriVar) + " and " + kFullUriVar + " are not set");
  }
  Result<Url> url = ParseUrl(full);
  if (!url) return std::move(url).error().Wrap(kFullUriVar).WithCode(ErrorCode::kMisconfigured);
  if (!url->is_https() && !IsAllowedPlainHttpHost(*url)) {
    return Error(ErrorCode::kMisconfigured,
                 std::string(kFullUriVar) + ": " + DisplayUrl(*url) +
                     " is not allowed: plain http is accepted only to a loopback address "
                     "(127.0.0.0/8, ::1, localhost) or to the ECS/EKS agents (169.254.170.2, "
                     "169.254.170.23, fd00:ec2::23); use https for any other host");
  }
  return Endpoint{.variable = kFullUriVar, .url = full, .display = DisplayUrl(*url)};
}

// The token in the file, trimmed, or an error naming the variable and the path (never the
// content). Security: the bytes read are wiped.
Result<SecretString> ReadTokenFile(const FileSystem& files, const std::string& path) {
  auto file = files.Read(path, {.max_bytes = kMaxTokenFileSize});
  if (!file.ok()) {
    return Error(ErrorCode::kMisconfigured, ReadFileError(kTokenFileVar, path, file));
  }
  SecretString token(Trim(file.bytes));
  explicit_bzero(file.bytes.data(), file.bytes.size());
  return token;
}

struct Authorization {
  SecretString token;  // empty: no Authorization header
  std::string source;  // the variable it came from
};

// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every call: EKS rotates the file) wins over
// AWS_CONTAINER_AUTHORIZATION_TOKEN, as in every SDK.
Result<Authorization> ReadAuthorization(const Environment& env, const FileSystem& files) {
  Authorization auth;
  const std::string file = EnvValue(env, kTokenFileVar);
  if (!file.empty()) {
    Result<SecretString> token = ReadTokenFile(files, file);
    if (!token) return std::move(token).error();
    auth.token = std::move(token).value();
    auth.source = kTokenFileVar;
    if (auth.token.empty()) {
      return Error(ErrorCode::kMisconfigured,
                   std::string(kTokenFileVar) + ": '" + Printable(file, 300) + "' is empty");
    }
  } else {
    auth.token = SecretString(EnvValue(env, kTokenVar));
    auth.source = kTokenVar;
  }
  // Security: a line break in a header value would let the token inject headers (botocore
  // refuses it too). The message names the variable, never the value.
  if (auth.token.reveal().find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    return Error(ErrorCode::kMisconfigured,
                 auth.source + ": the authorization token contains a line break or NUL byte");
  }
  return auth;
}

ErrorCode CodeForStatus(int status) {
  if (status == 401 || status == 403) return ErrorCode::kAccessDenied;
  if (status == 429) return ErrorCode::kThrottled;
  return ErrorCode::kRemote;
}

bool IsTransientStatus(int status) { return status == 429 || status >= 500; }

class ContainerProvider final : public CredentialsProvider {
 public:
  explicit ContainerProvider(const SystemContext& sys) : sys_(sys) {}

  Result<Credentials> GetCredentials() override {
    Result<Endpoint> endpoint = ResolveEndpoint(sys_.env);
    if (!endpoint) return std::move(endpoint).error();
    Result<Authorization> auth = ReadAuthorization(sys_.env, sys_.files);
    if (!auth) return std::move(auth).error();
    const std::string where =
        "container credentials (" + endpoint->variable + ") " + endpoint->display;

    HttpRequest request{.method = "GET",
                        .url = endpoint->url,
                        .headers = {{"Accept", "application/json"}},
                        .timeout = kAttemptTimeout};
    if (!auth->token.empty()) request.headers.push_back({"Authorization", std::string(auth->token.reveal())});
    Debug("container credentials: GET " + endpoint->display +
          (auth->token.empty() ? " without authorization"
                               : " with the authorization token from " + auth->source));

    auto attempt = [&](int) -> Attempt<Credentials> {
      const auto started = sys_.clock.Monotonic();
      Result<HttpResponse> response = sys_.http.Send(request);
      const auto elapsed =
          std::chrono::duration_cast<std::chrono::milliseconds>(sys_.clock.Monotonic() - started);
      if (!response) {
        const bool transient = response.error().code() == ErrorCode::kNetwork ||
                               response.error().code() == ErrorCode::kTimeout;
        return {response.error().Wrap(where), transient};
      }
      if (response->status == 200) {
        Debug("container credentials: HTTP 200 in " + std::to_string(elapsed.count()) + " ms");
        return {Parse(where, response->body)};
      }
      AwsErrorDetails details{.http_status = response->status};
      if (std::optional<RemoteErrorDetails> e = ParseRemoteErrorJson(response->body)) {
        details.code = e->code;
        details.message = e->message;
      }
      return {Error(CodeForStatus(response->status),
                    where + ": " + DescribeRemoteFailure(response->status, response->body))
                  .WithAws(std::move(details)),
              IsTransientStatus(response->status)};
    };
    return RunWithRetries<Credentials>(kRetry,
                                       RetryContext{sys_.clock, sys_.random, sys_.log,
                                                    "container credentials"},
                                       attempt, ErrorMessageOf<Credentials>);
  }

  std::string Describe() const override {
    if (!EnvValue(sys_.env, kRelativeUriVar).empty()) {
      return "container credentials (" + std::string(kRelativeUriVar) + ")";
    }
    if (!EnvValue(sys_.env, kFullUriVar).empty()) {
      return "container credentials (" + std::string(kFullUriVar) + ")";
    }
    return "container credentials";
  }

 private:
  Result<Credentials> Parse(const std::string& where, const std::string& body) {
    Result<Credentials> c = ParseRemoteCredentialsJson(where, body, {});
    if (!c) return c;
    Debug("container credentials: access key " + MaskAccessKeyId(c->access_key_id) +
          (c->expiration ? ", expires " + FormatRfc3339(*c->expiration) : ", no expiration"));
    return c;
  }

  void Debug(const std::string& line) {
    if (sys_.log.Enabled(LogLevel::kDebug)) sys_.log.Log(LogLevel::kDebug, line);
  }

  SystemContext sys_;  // a copy of the references: the context itself may be a temporary
};

}  // namespace

std::unique_ptr<CredentialsProvider> MakeContainerCredentialsProvider(const SystemContext& sys) {
  return std::make_unique<ContainerProvider>(sys);
}

}  // namespace hubspoke
