// IAM Identity Center (SSO) credentials, as botocore's SSOProvider and the JS SDK's
// credential-provider-sso get them: the access token `aws sso login` cached in
// ~/.aws/sso/cache/<sha1>.json, exchanged at the SSO portal's GetRoleCredentials for the
// account's role credentials. An sso-session token is refreshed through SSO-OIDC CreateToken
// within 15 minutes of its expiry, as botocore's SSOTokenProvider does (sso_token_cache.h), and
// the cache file rewritten; otherwise an expired token asks the user to run `aws sso login`.
#include <string.h>

#include <mutex>

#include <nlohmann/json.hpp>

#include "core/hex.h"
#include "core/json.h"
#include "core/json_wipe.h"
#include "core/partition.h"
#include "core/percent_encoding.h"
#include "core/strings.h"
#include "core/time.h"
#include "core/validate.h"
#include "creds/sso_token_cache.h"
#include "crypto/sha1.h"
#include "hubspoke/credential_sources.h"
#include "sys/retry.h"

namespace hubspoke {
namespace {

constexpr std::size_t kMaxCacheFileBytes = 1 << 20;
// The SDKs' standard retry mode for the portal: 3 attempts, full jitter below 200 ms, 400 ms.
constexpr RetryPolicy kRetry{.max_attempts = 3, .base = std::chrono::milliseconds(200)};

// Refreshes of the SSO token cache, one at a time in the process: a thread that waited finds the
// file already refreshed when it reads it again, so N threads of a fanout cause one CreateToken.
std::mutex& SsoRefreshMutex() {
  static std::mutex mu;
  return mu;
}

// The error type of a restJson error: the x-amzn-ErrorType header ("Type:namespace…"), else
// the body's __type ("namespace#Type") or code.
std::string ErrorTypeOf(const HttpResponse& r, const nlohmann::json& body) {
  std::string type;
  if (const std::string* h = FindHeader(r.headers, "x-amzn-ErrorType")) {
    type = h->substr(0, h->find(':'));
  } else if (body.is_object()) {
    for (const char* key : {"__type", "code", "Code"}) {
      auto it = body.find(key);
      if (it != body.end() && it->is_string()) {
        type = it->get<std::string>();
        break;
      }
    }
    if (std::size_t hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
  }
  return Printable(Trim(type), 100);
}

std::string MessageOf(const nlohmann::json& body) {
  if (!body.is_object()) return "";
  for (const char* key : {"message", "Message"}) {
    auto it = body.find(key);
    if (it != body.end() && it->is_string()) return Printable(it->get<std::string>(), 300);
  }
  return "";
}

class SsoProvider final : public CredentialsProvider {
 public:
  SsoProvider(const SystemContext& sys, SsoProviderOptions options)
      : sys_(sys), options_(std::move(options)) {
    subject_ = options_.profile_name.empty() ? "SSO" : "profile " + options_.profile_name;
    login_ = !options_.sso_session_name.empty()
                 ? "run `aws sso login --sso-session " + options_.sso_session_name + "`"
             : options_.profile_name.empty()
                 ? "run `aws sso login`"
                 : "run `aws sso login --profile " + options_.profile_name + "`";
  }

  Result<Credentials> GetCredentials() override {
    if (auto s = CheckOptions(); !s) return std::move(s).error();
    auto token = CachedToken();
    if (!token) return std::move(token).error();
    return GetRoleCredentials(*token);
  }

  std::string Describe() const override {
    std::string d = "IAM Identity Center (";
    if (!options_.profile_name.empty()) d += "profile " + options_.profile_name + ", ";
    return d + "role " + options_.role_name + " in " + options_.account_id + ")";
  }

 private:
  Error Misconfigured(const std::string& what) const {
    return Error(ErrorCode::kMisconfigured, subject_ + ": " + what);
  }

  Status CheckOptions() const {
    if (options_.sso_session_name.empty() && options_.start_url.empty()) {
      return Misconfigured("neither sso_session nor sso_start_url is set");
    }
    if (options_.sso_region.empty()) return Misconfigured("sso_region is not set");
    if (options_.account_id.empty()) return Misconfigured("sso_account_id is not set");
    if (options_.role_name.empty()) return Misconfigured("sso_role_name is not set");
    if (auto s = ValidateRegion(subject_ + ": sso_region", options_.sso_region); !s) return s;
    if (auto s = ValidateAccountId(subject_ + ": sso_account_id", options_.account_id); !s) {
      return s;
    }
    if (auto s = ValidateRoleName(subject_ + ": sso_role_name", options_.role_name); !s) return s;
    if (!options_.portal_endpoint.empty()) {
      if (auto s = ValidateEndpointUrl(subject_ + ": SSO portal endpoint", options_.portal_endpoint);
          !s) {
        return s;
      }
    }
    if (!options_.oidc_endpoint.empty()) {
      return ValidateEndpointUrl(subject_ + ": SSO-OIDC endpoint", options_.oidc_endpoint);
    }
    return Ok();
  }

  // "session NAME" for sso-session profiles, "start URL U" for legacy ones.
  std::string SessionLabel() const {
    return options_.sso_session_name.empty() ? "start URL " + options_.start_url
                                             : "session " + options_.sso_session_name;
  }

  std::string CachePath() const {
    std::string dir = options_.cache_dir;
    if (dir.empty()) {
      auto home = sys_.env.Get("HOME");
      if (!home || home->empty()) return "";
      dir = *home + "/.aws/sso/cache";
    }
    // The SDKs' cache key: the sso-session's name, or the legacy profile's start URL.
    const std::string& key =
        options_.sso_session_name.empty() ? options_.start_url : options_.sso_session_name;
    return dir + "/" + HexEncode(crypto::Sha1(key)) + ".json";
  }

  // The access token to use: the cached one, or a refreshed one when it is due (see
  // DecideSsoTokenAction), the file rewritten.
  Result<SecretString> CachedToken() {
    const std::string path = CachePath();
    if (path.empty()) {
      return Misconfigured(
          "HOME is not set, so the SSO token cache (~/.aws/sso/cache) cannot be found");
    }
    std::string text;
    struct TextWiper {
      std::string& s;
      ~TextWiper() { explicit_bzero(s.data(), s.size()); }
    } text_wiper{text};
    auto token = ReadCache(path, text);
    if (!token) return std::move(token).error();
    const bool sso_session = !options_.sso_session_name.empty();
    SsoTokenAction action = DecideSsoTokenAction(*token, sys_.clock.Now(), sso_session);
    if (action == SsoTokenAction::kRefresh) {
      std::lock_guard<std::mutex> lock(SsoRefreshMutex());
      // Again under the lock: another thread (or process) may have refreshed it meanwhile.
      explicit_bzero(text.data(), text.size());
      token = ReadCache(path, text);
      if (!token) return std::move(token).error();
      action = DecideSsoTokenAction(*token, sys_.clock.Now(), sso_session);
      if (action == SsoTokenAction::kRefresh) {
        auto refreshed = Refresh(path, text, *token);
        if (refreshed) return refreshed;
        // As botocore: a failed refresh keeps a token that is still valid.
        if (token->expires_at > sys_.clock.Now()) {
          sys_.log.Log(LogLevel::kWarning, refreshed.error().ToString() +
                                               "; using the cached token until it expires");
          return std::move(token->access_token);
        }
        return std::move(refreshed).error();
      }
    }
    if (action == SsoTokenAction::kLogin) {
      return Misconfigured("the cached SSO token for " + SessionLabel() + " expired at " +
                           FormatRfc3339(token->expires_at) + ": " + login_);
    }
    return std::move(token->access_token);
  }

  // Reads and parses the cache file into `text` (the caller wipes it).
  Result<SsoCachedToken> ReadCache(const std::string& path, std::string& text) const {
    // Security: the file holds the access token (and the refresh material).
    auto file = sys_.files.Read(path, {.max_bytes = kMaxCacheFileBytes});
    text = std::move(file.bytes);
    if (file.status == ReadFileStatus::kNotFound) {
      return Misconfigured("no cached SSO token for " + SessionLabel() + " (" + path +
                           "): " + login_);
    }
    if (!file.ok()) {
      return Misconfigured(
          ReadFileError("the cached SSO token for " + SessionLabel(), path, file));
    }
    auto token = ParseSsoCachedToken(text);
    if (!token) {
      return Misconfigured("the cached SSO token " + path + " is unusable (" +
                           token.error().message() + "): " + login_);
    }
    return token;
  }

  std::string OidcUrl() const {
    std::string base = options_.oidc_endpoint;
    if (base.empty()) {
      base = "https://oidc." + options_.sso_region + "." +
             std::string(PartitionForRegion(options_.sso_region).dns_suffix);
    }
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/token";
  }

  // SSO-OIDC CreateToken with the refresh grant (restJson1, unsigned), then the cache file
  // rewritten atomically with the new token.
  Result<SecretString> Refresh(const std::string& path, const std::string& text,
                               const SsoCachedToken& token) {
    const std::string context =
        subject_ + ": refreshing the SSO token of " + SessionLabel() + " (SSO-OIDC CreateToken)";
    // Security: the file is replaced by a rename, which would quietly turn a symbolic link
    // into a file; and a refresh may rotate the refresh token, so one we could not write back
    // would leave the cache with a revoked one. Refused before any request.
    if (auto st = sys_.files.Stat(path, /*follow_symlinks=*/false);
        st.status == FileOpStatus::kOk && st.stat.type != FileType::kRegular) {
      return Error(ErrorCode::kMisconfigured,
                   context + ": " + path + " is not a regular file (a symbolic link?): not "
                             "rewriting it")
          .WithHint("replace it with the file itself, or " + login_);
    }
    if (sys_.log.Enabled(LogLevel::kDebug)) {
      sys_.log.Log(LogLevel::kDebug, context + " at " + OidcUrl());
    }
    HttpRequest request{.method = "POST",
                        .url = OidcUrl(),
                        .headers = {{"Content-Type", "application/json"},
                                    {"Accept", "application/json"}},
                        .body = "{\"grantType\":\"refresh_token\",\"clientId\":" +
                                JsonQuote(token.client_id) + ",\"clientSecret\":" +
                                JsonQuote(token.client_secret.reveal()) + ",\"refreshToken\":" +
                                JsonQuote(token.refresh_token.reveal()) + "}"};
    struct BodyWiper {
      HttpRequest& r;
      ~BodyWiper() { explicit_bzero(r.body.data(), r.body.size()); }
    } body_wiper{request};
    auto attempt = [&](int) -> Attempt<SsoRefreshedToken> {
      auto response = sys_.http.Send(request);
      if (!response) return {response.error().Wrap(context), true};
      struct ResponseWiper {
        std::string& s;
        ~ResponseWiper() { explicit_bzero(s.data(), s.size()); }
      } response_wiper{response->body};
      if (response->status == 200) {
        auto fresh = ParseCreateTokenResponse(response->body);
        if (!fresh) return {Error(ErrorCode::kParse, context + ": " + fresh.error().message())};
        return {std::move(fresh)};
      }
      return {OidcError(*response, context), response->status == 429 || response->status >= 500};
    };
    auto fresh = RunWithRetries<SsoRefreshedToken>(
        kRetry, RetryContext{sys_.clock, sys_.random, sys_.log, "SSO-OIDC CreateToken"}, attempt,
        ErrorMessageOf<SsoRefreshedToken>);
    if (!fresh) return std::move(fresh).error();
    auto rewritten = RewriteSsoCachedToken(text, *fresh, sys_.clock.Now(), options_.start_url,
                                           options_.sso_region);
    if (!rewritten) return Error(ErrorCode::kInternal, context + ": " + rewritten.error().message());
    SecretString bytes(std::move(*rewritten));
    // Security: WriteAtomically creates the temporary file O_EXCL|O_NOFOLLOW, mode 0600, and
    // renames it over the path; a symbolic link there was refused when the file was read.
    auto written = sys_.files.WriteAtomically(path, bytes.reveal(), 0600);
    if (!written.ok()) {
      // The new token is good for this run even if the file keeps the old one.
      sys_.log.Log(LogLevel::kWarning, context + ": cannot rewrite " + path + ": " +
                                           written.reason);
    } else if (sys_.log.Enabled(LogLevel::kDebug)) {
      sys_.log.Log(LogLevel::kDebug, context + ": refreshed, the new token expires " +
                                         FormatRfc3339(sys_.clock.Now() + fresh->expires_in) +
                                         "; rewrote " + path);
    }
    return std::move(fresh->access_token);
  }

  // CreateToken's errors (OAuth style: {"error":"invalid_grant","error_description":…}).
  Error OidcError(const HttpResponse& r, const std::string& context) const {
    nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    JsonWiper wiper{body};
    std::string code = ErrorTypeOf(r, body);
    if (body.is_object()) {
      auto it = body.find("error");
      if (it != body.end() && it->is_string()) code = Printable(it->get<std::string>(), 100);
    }
    AwsErrorDetails details{.code = code, .message = "", .request_id = "", .http_status = r.status};
    if (const std::string* id = FindHeader(r.headers, "x-amzn-RequestId")) {
      details.request_id = Printable(*id, 100);
    }
    const bool login_again = r.status == 400 || r.status == 401;
    Error e = Error(login_again ? ErrorCode::kMisconfigured
                    : r.status == 429 ? ErrorCode::kThrottled : ErrorCode::kRemote,
                    context + ": " + details.Summary())
                  .WithAws(std::move(details));
    if (login_again) {
      return std::move(e).WithHint("the refresh token has expired or was revoked: " + login_);
    }
    return e;
  }

  std::string PortalUrl() const {
    std::string base = options_.portal_endpoint;
    if (base.empty()) {
      base = "https://portal.sso." + options_.sso_region + "." +
             std::string(PartitionForRegion(options_.sso_region).dns_suffix);
    }
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/federation/credentials?account_id=" + UriEncode(options_.account_id, true) +
           "&role_name=" + UriEncode(options_.role_name, true);
  }

  Result<Credentials> GetRoleCredentials(const SecretString& token) {
    const std::string context = subject_ + ": SSO GetRoleCredentials (role " + options_.role_name +
                                " in account " + options_.account_id + ")";
    HttpRequest request{
        .method = "GET",
        .url = PortalUrl(),
        .headers = {{"x-amz-sso_bearer_token", std::string(token.reveal())}, {"Accept", "application/json"}}};
    struct HeaderWiper {
      HttpRequest& r;
      ~HeaderWiper() {
        for (auto& h : r.headers) std::fill(h.value.begin(), h.value.end(), '\0');
      }
    } header_wiper{request};
    auto attempt = [&](int) -> Attempt<Credentials> {
      auto response = sys_.http.Send(request);
      if (!response) return {response.error().Wrap(context), true};
      if (response->status == 200) return {ParseRoleCredentials(response->body, context)};
      return {PortalError(*response, context),
              response->status == 429 || response->status >= 500};
    };
    return RunWithRetries<Credentials>(
        kRetry, RetryContext{sys_.clock, sys_.random, sys_.log, "SSO GetRoleCredentials"},
        attempt, ErrorMessageOf<Credentials>);
  }

  Error PortalError(const HttpResponse& r, const std::string& context) const {
    nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    JsonWiper wiper{body};
    AwsErrorDetails details{.code = ErrorTypeOf(r, body),
                            .message = MessageOf(body),
                            .request_id = "",
                            .http_status = r.status};
    if (const std::string* id = FindHeader(r.headers, "x-amzn-RequestId")) {
      details.request_id = Printable(*id, 100);
    }
    std::string text = context + ": " + details.Summary();
    ErrorCode code = ErrorCode::kRemote;
    std::string hint;
    if (r.status == 401) {
      // UnauthorizedException: the access token is unknown, expired or signed out.
      code = ErrorCode::kAccessDenied;
      hint = "the SSO portal did not accept the cached token (expired or signed out): " + login_;
    } else if (r.status == 403) {
      // ForbiddenException: the user has no permission set for this role in this account.
      code = ErrorCode::kAccessDenied;
      hint = "your IAM Identity Center user has no access to role " + options_.role_name +
             " in account " + options_.account_id +
             ": check sso_account_id and sso_role_name, and the account assignment";
    } else if (r.status == 404 || r.status == 400) {
      code = ErrorCode::kMisconfigured;
      hint = "check sso_account_id, sso_role_name and sso_region";
    } else if (r.status == 429) {
      code = ErrorCode::kThrottled;
    }
    Error e = Error(code, text).WithAws(std::move(details));
    if (!hint.empty()) return std::move(e).WithHint(std::move(hint));
    return e;
  }

  Result<Credentials> ParseRoleCredentials(std::string& body, const std::string& context) const {
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    std::fill(body.begin(), body.end(), '\0');
    JsonWiper wiper{j};
    auto parse_error = [&](const std::string& what) {
      return Error(ErrorCode::kParse, context + ": the response " + what);
    };
    if (!j.is_object()) return parse_error("is not a JSON object");
    auto rc = j.find("roleCredentials");
    if (rc == j.end() || !rc->is_object()) return parse_error("has no roleCredentials");
    auto text = [&](const char* name) -> std::string {
      auto it = rc->find(name);
      return it != rc->end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    Credentials c;
    c.access_key_id = text("accessKeyId");
    c.secret_access_key = SecretString(text("secretAccessKey"));
    c.session_token = SecretString(text("sessionToken"));
    if (c.access_key_id.empty()) return parse_error("has no accessKeyId");
    if (c.secret_access_key.empty()) return parse_error("has no secretAccessKey");
    if (c.session_token.empty()) return parse_error("has no sessionToken");
    auto expiration = rc->find("expiration");
    if (expiration == rc->end() || !expiration->is_number()) {
      return parse_error("has no expiration (milliseconds since the epoch)");
    }
    c.expiration = TimePoint(std::chrono::duration_cast<TimePoint::duration>(
        std::chrono::milliseconds(expiration->get<long long>())));
    if (sys_.log.Enabled(LogLevel::kDebug)) {
      sys_.log.Log(LogLevel::kDebug, context + ": got " + MaskAccessKeyId(c.access_key_id) +
                                         ", expires " + FormatRfc3339(*c.expiration));
    }
    return c;
  }

  const SystemContext sys_;
  SsoProviderOptions options_;
  std::string subject_;
  std::string login_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> MakeSsoCredentialsProvider(const SystemContext& sys,
                                                                SsoProviderOptions options) {
  return std::make_unique<SsoProvider>(sys, std::move(options));
}

}  // namespace hubspoke
