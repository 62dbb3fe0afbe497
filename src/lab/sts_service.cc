// The lab's STS: dispatch, authentication, GetCallerIdentity and the sessions table.
// AssumeRole is in sts_assume_role.cc, AssumeRoleWithWebIdentity in sts_web_identity.cc.
#include "lab/sts_service.h"

#include <bit>
#include <cstdio>
#include <ctime>
#include <exception>

#include "core/strings.h"
#include "core/time.h"
#include "crypto/sha256.h"
#include "lab/sts_validation.h"
#include "lab/sts_xml_writer.h"

namespace hubspoke::lab {
namespace {

constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string AccountOfArn(const std::string& arn) { return policy::ArnAccount(arn); }

// RFC 9110 IMF-fixdate from the lab's clock: "Tue, 01 Mar 2016 21:32:59 GMT".
std::string FormatHttpDate(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

}  // namespace

LabSession SessionOf(const iam::Role& role, std::string session_name) {
  LabSession s;
  s.role = &role;
  s.arn = iam::SessionArn(role, session_name);
  s.assumed_role_id = role.unique_id + ":" + session_name;
  s.session_name = std::move(session_name);
  return s;
}

iam::SessionState StateOf(const LabSession& session) {
  return iam::SessionState{.session_name = session.session_name,
                           .source_identity = session.source_identity,
                           .tags = session.tags,
                           .transitive_tag_keys = session.transitive_tag_keys,
                           .session_policy = session.session_policy,
                           .policy_arns = session.policy_arns,
                           .mfa = session.mfa,
                           .mfa_time = session.mfa_time};
}

namespace {

// The key sessions are sealed with: a function of the seed, so that a lab restarted with the same
// --seed still accepts the sessions its predecessor issued (and tokens, like keys, repeat).
std::string SessionKey(const StsServiceOptions& options) {
  if (!options.session_key.empty()) return options.session_key;
  const crypto::Digest d =
      crypto::Sha256("assume-spoke-role lab session key\n" + std::to_string(options.seed));
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace

StsService::StsService(iam::Model model, const Clock& clock, Logger& log, StsServiceOptions options)
    : model_(std::move(model)), clock_(clock), log_(log), options_(std::move(options)),
      sealer_(SessionKey(options_)),
      sts_limiter_(options_.sts_rate, options_.sts_burst, clock),
      rng_(options_.seed) {}

bool IsOrganizationsRequest(const ServerRequest& request) {
  for (const HttpHeader& h : request.headers) {
    if (EqualsIgnoreCase(h.name, "X-Amz-Target")) {
      return h.value.starts_with(kOrganizationsTargetPrefix);
    }
  }
  return false;
}

void StsService::LogRequest(TimePoint now, std::string_view service, std::string_view action,
                            std::string_view caller_account, int status,
                            std::string_view error_code) {
  if (!options_.log_requests || !log_.Enabled(LogLevel::kInfo)) return;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  char t[32];
  std::snprintf(t, sizeof t, "%lld.%03lld", static_cast<long long>(ms.count() / 1000),
                static_cast<long long>(ms.count() % 1000));
  std::string line = "lab: request t=" + std::string(t) + " service=" + std::string(service) +
                     " action=" + std::string(action) + " caller=" +
                     (caller_account.empty() ? std::string("-") : std::string(caller_account)) +
                     " status=" + std::to_string(status);
  if (!error_code.empty()) line += " code=" + std::string(error_code);
  log_.Log(LogLevel::kInfo, line);
}

TimePoint StsService::Now() const { return clock_.Now() + options_.clock_skew; }

Handler StsService::AsHandler() {
  return [this](const ServerRequest& request) { return Handle(request); };
}

void StsService::Log(LogLevel level, const std::string& message) {
  if (log_.Enabled(level)) log_.Log(level, "lab: " + message);
}

std::string StsService::RandomString(std::string_view alphabet, std::size_t length) {
  std::string out(length, '\0');
  const std::size_t n = alphabet.size();
  std::lock_guard<std::mutex> lock(mu_);
  if (n > 0 && (n & (n - 1)) == 0) {
    // Every alphabet here has 16, 32 or 64 letters: take the bits of each 64-bit draw in turn
    // (uniform, and one draw per ten letters instead of one per letter).
    const int bits = std::countr_zero(n);
    std::uint64_t word = 0;
    int left = 0;
    for (std::size_t i = 0; i < length; ++i) {
      if (left < bits) {
        word = rng_();
        left = 64;
      }
      out[i] = alphabet[word & (n - 1)];
      word >>= bits;
      left -= bits;
    }
    return out;
  }
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  for (std::size_t i = 0; i < length; ++i) out[i] = alphabet[pick(rng_)];
  return out;
}

std::string StsService::NewRequestId() {
  std::string hex = RandomString("0123456789abcdef", 32);
  hex[12] = '4';  // a version-4 UUID, as AWS request ids are
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

Result<KeyInfo> StsService::LookupKey(std::string_view access_key_id, const std::string* token,
                                      std::optional<LabSession>* session) const {
  // Only refusals name the key: no string building on the path every request takes.
  auto masked = [access_key_id] { return MaskKeyId(access_key_id); };
  const iam::AccessKey* key = nullptr;
  if (model_.FindUserByAccessKey(access_key_id, &key)) {
    if (token) {
      return InvalidClientToken("a session token was sent with the long-term key " + masked());
    }
    return KeyInfo{.secret = std::string(key->secret.reveal()), .expiration = {}};
  }
  if (!token) {
    if (access_key_id.starts_with("ASIA")) {
      return InvalidClientToken("temporary key " + masked() + " sent without its session token");
    }
    return InvalidClientToken("unknown access key id " + masked());
  }
  std::optional<SessionSealer::Opened> opened = sealer_.Open(*token);
  if (!opened) {
    return InvalidClientToken("the session token sent with " + masked() +
                              " is not one this lab issued (altered or truncated, or issued by "
                              "another lab: one with another --seed, or without --seed)");
  }
  SessionClaims& c = opened->claims;
  if (c.access_key_id != access_key_id) {
    return InvalidClientToken("the session token does not belong to " + masked() + " (it is " +
                              MaskKeyId(c.access_key_id) + "'s)");
  }
  const iam::Role* role = model_.FindRole(c.role_arn);
  if (!role) {
    return InvalidClientToken("the session token of " + masked() + " names " +
                              Printable(c.role_arn) + ", a role this lab's model does not have");
  }
  LabSession& s = session->emplace(SessionOf(*role, std::move(c.session_name)));
  s.access_key_id = std::move(c.access_key_id);
  s.expiration = c.expiration;
  s.source_identity = std::move(c.source_identity);
  s.tags = std::move(c.tags);
  s.transitive_tag_keys = std::move(c.transitive_tag_keys);
  s.session_policy = std::move(c.session_policy);
  s.policy_arns = std::move(c.policy_arns);
  s.mfa = c.mfa;
  s.mfa_time = c.mfa_time;
  return KeyInfo{.secret = std::move(opened->secret_access_key), .expiration = s.expiration};
}

LabSession StsService::IssueRoleSession(const iam::Role& role, std::string session_name,
                                        std::chrono::seconds duration) {
  return IssueSession(SessionOf(role, std::move(session_name)), duration, Now());
}

LabSession StsService::IssueSession(LabSession session, std::chrono::seconds duration,
                                    TimePoint now) {
  // ASIA + 16 base32 characters: 20 characters like AWS's temporary key ids [FACTS §4].
  session.access_key_id = "ASIA" + RandomString(kBase32, 16);
  if (options_.max_session_lifetime.count() > 0 && duration > options_.max_session_lifetime) {
    duration = options_.max_session_lifetime;
  }
  session.expiration = std::chrono::time_point_cast<std::chrono::seconds>(now) + duration;
  SessionSealer::Sealed sealed = sealer_.Seal(SessionClaims{
      .access_key_id = session.access_key_id,
      .expiration = session.expiration,
      .role_arn = session.role->arn,
      .session_name = session.session_name,
      .source_identity = session.source_identity,
      .tags = session.tags,
      .transitive_tag_keys = session.transitive_tag_keys,
      .session_policy = session.session_policy,
      .policy_arns = session.policy_arns,
      .mfa = session.mfa,
      .mfa_time = session.mfa_time});
  session.secret_access_key = std::move(sealed.secret_access_key);
  session.session_token = std::move(sealed.session_token);
  issued_.fetch_add(1, std::memory_order_relaxed);
  return session;
}

Result<StsService::Caller> StsService::Authenticate(const ServerRequest& request, TimePoint now,
                                                    std::string* region,
                                                    const std::string& service) {
  std::optional<LabSession> session;
  auto verified = VerifySigV4(
      request, now,
      [this, &session](std::string_view id, const std::string* token) {
        return LookupKey(id, token, &session);
      },
      VerifyOptions{.region = options_.region, .service = service});
  if (!verified) return std::move(verified).error();
  *region = verified->region;
  Caller caller;
  const iam::AccessKey* key = nullptr;
  if (const iam::User* user = model_.FindUserByAccessKey(verified->access_key_id, &key)) {
    auto p = iam::PrincipalOfUser(model_, *user);
    if (!p) return std::move(p).error();
    caller.principal = std::move(*p);
    caller.user = user;
    return caller;
  }
  if (!session) return Error(ErrorCode::kInternal, "a verified temporary key without its session");
  caller.session = std::move(session);
  const LabSession& s = *caller.session;
  auto p = iam::PrincipalOfSession(model_, *s.role, StateOf(s));
  if (!p) return std::move(p).error();
  caller.principal = std::move(*p);
  return caller;
}

Result<StsService::Reply> StsService::GetCallerIdentity(const Caller& caller,
                                                        const std::string& request_id) {
  // STS: no permission is needed, and even an explicit Deny does not block it [FACTS §3].
  const std::string& arn = caller.principal.arn;
  std::string user_id = caller.user ? caller.user->unique_id : caller.session->assumed_role_id;
  Log(LogLevel::kInfo, request_id + " GetCallerIdentity: " + arn);
  return Reply{200, GetCallerIdentityResponseXml(arn, user_id, AccountOfArn(arn), request_id)};
}

ServerResponse StsService::Handle(const ServerRequest& request) {
  const TimePoint now = Now();
  const std::string request_id = NewRequestId();
  std::string action = "?";
  std::string caller_account;  // for the request log, once authenticated
  if (IsOrganizationsRequest(request)) {
    std::string code;
    ServerResponse r = HandleOrganizations(request, now, request_id, &action, &caller_account,
                                           &code);
    LogRequest(now, "organizations", action, caller_account, r.status, code);
    return r;
  }
  auto dispatch = [&]() -> Result<Reply> {
    FormParams params;
    if (!request.query.empty()) {
      auto q = FormDecode(request.query);
      if (!q) return StsError(404, "MalformedQueryString", "Malformed query string");
      params = std::move(*q);
    }
    if (request.method == "POST" && !request.body.empty()) {
      auto b = FormDecode(request.body);
      if (!b) return StsError(400, "MalformedQueryString", "Malformed request body");
      params.insert(params.end(), b->begin(), b->end());
    } else if (request.method != "POST" && request.method != "GET") {
      return StsError(400, "InvalidAction", "Unsupported HTTP method " +
                                                Printable(request.method, 20));
    }
    const std::string* a = FindParam(params, "Action");
    if (!a) return StsError(400, "MissingAction", "Missing Action");
    action = Printable(*a, 64);
    const std::string* version = FindParam(params, "Version");
    if (*a != "AssumeRole" && *a != "GetCallerIdentity" && *a != "AssumeRoleWithWebIdentity") {
      return StsError(400, "InvalidAction",
                      "Could not find operation " + action + " for version " +
                          (version ? Printable(*version, 20) : std::string("NO_VERSION_SPECIFIED")));
    }
    // AssumeRoleWithWebIdentity is the one unsigned STS call: the token is the credential.
    if (*a == "AssumeRoleWithWebIdentity") return AssumeRoleWithWebIdentity(params, now, request_id);
    std::string region;
    auto caller = Authenticate(request, now, &region);
    if (!caller) return std::move(caller).error();
    caller_account = caller->principal.account;
    // AWS throttles per calling account; a throttled request takes no token.
    if (!sts_limiter_.TryAcquire(caller_account)) {
      return StsError(400, "Throttling", "Rate exceeded",
                      "account " + caller_account + " is over --sts-rate " +
                          std::to_string(sts_limiter_.rate()) + "/s (burst " +
                          std::to_string(sts_limiter_.burst()) + ")");
    }
    if (*a == "GetCallerIdentity") return GetCallerIdentity(*caller, request_id);
    return AssumeRole(*caller, params, now, region, request, request_id);
  };

  Result<Reply> reply = Error(ErrorCode::kInternal, "not run");
  try {
    reply = dispatch();
  } catch (const std::exception& e) {
    reply = StsError(500, "InternalFailure",
                     "The request processing has failed because of an unknown error, exception or "
                     "failure.",
                     std::string("exception in the lab: ") + e.what());
  }
  ServerResponse response;
  response.headers = {{"x-amzn-RequestId", request_id},
                      {"Content-Type", "text/xml"},
                      {"Date", FormatHttpDate(now)}};
  if (reply) {
    response.status = reply->status;
    response.body = std::move(reply->body);
    LogRequest(now, "sts", action, caller_account, response.status, "");
    return response;
  }
  const Error& e = reply.error();
  AwsErrorDetails details = e.aws().value_or(AwsErrorDetails{
      .code = "InternalFailure", .message = "internal error", .request_id = "", .http_status = 500});
  Log(details.http_status >= 500 ? LogLevel::kError : LogLevel::kWarning,
      request_id + " " + action + " " + details.code + " (HTTP " +
          std::to_string(details.http_status) + "): " + e.message());
  response.status = details.http_status;
  response.body =
      ErrorResponseXml(details.http_status < 500, details.code, details.message, request_id);
  LogRequest(now, "sts", action, caller_account, response.status, details.code);
  return response;
}

}  // namespace hubspoke::lab
