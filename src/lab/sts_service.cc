// The lab's STS: dispatch, authentication, GetCallerIdentity and the sessions table.
// AssumeRole is in sts_assume_role.cc, AssumeRoleWithWebIdentity in sts_web_identity.cc.
#include "lab/sts_service.h"

#include <bit>
#include <ctime>
#include <exception>

#include "core/strings.h"
#include "core/time.h"
#include "lab/sts_validation.h"
#include "lab/sts_xml_writer.h"

namespace hubspoke::lab {
namespace {

constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

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

std::string ExplainReasons(const std::vector<policy::Reason>& reasons) {
  std::string out;
  std::size_t shown = 0;
  for (const policy::Reason& r : reasons) {
    if (r.code == policy::ReasonCode::kNotApplicable) continue;  // noise, e.g. foreign SCPs
    if (shown == 8) {
      out += "; …";
      break;
    }
    if (!out.empty()) out += "; ";
    out += r.ToString();
    for (const policy::ConditionFailure& c : r.conditions) {
      const std::string text = c.ToString();
      if (r.message.find(text) == std::string::npos) out += " [" + text + "]";
    }
    ++shown;
  }
  return out;
}

StsService::StsService(Model model, const Clock& clock, Logger& log, StsServiceOptions options)
    : model_(std::move(model)), clock_(clock), log_(log), options_(std::move(options)),
      rng_(options_.seed) {
  sessions_.reserve(options_.expected_sessions);
}

TimePoint StsService::Now() const { return clock_.Now() + options_.clock_skew; }

std::size_t StsService::session_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

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

std::optional<KeyInfo> StsService::LookupKey(std::string_view access_key_id) const {
  const AccessKey* key = nullptr;
  if (model_.FindUserByAccessKey(access_key_id, &key)) {
    return KeyInfo{.secret = key->secret.reveal(), .session_token = "", .expiration = {}};
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(std::string(access_key_id));
  if (it == sessions_.end()) return std::nullopt;
  return KeyInfo{.secret = it->second->secret_access_key,
                 .session_token = it->second->session_token,
                 .expiration = it->second->expiration};
}

std::shared_ptr<const LabSession> StsService::IssueSession(LabSession session,
                                                           std::chrono::seconds duration,
                                                           TimePoint now) {
  // ASIA + 16 base32 characters: 20 characters like AWS's temporary key ids [FACTS §4].
  session.access_key_id = "ASIA" + RandomString(kBase32, 16);
  session.secret_access_key = RandomString(kBase64, 40);
  // Real tokens are opaque base64 of variable length; this one starts like AWS's do.
  session.session_token = "IQoJb3JpZ2luX2VjE" + RandomString(kBase64, 356);
  if (options_.max_session_lifetime.count() > 0 && duration > options_.max_session_lifetime) {
    duration = options_.max_session_lifetime;
  }
  session.expiration = std::chrono::time_point_cast<std::chrono::seconds>(now) + duration;
  auto stored = std::make_shared<const LabSession>(std::move(session));
  std::lock_guard<std::mutex> lock(mu_);
  sessions_[stored->access_key_id] = stored;
  expiries_.emplace(stored->expiration, stored->access_key_id);
  // Bounded memory: forget sessions long expired (until then they answer ExpiredToken).
  while (!expiries_.empty() && expiries_.top().first + options_.keep_expired < now) {
    sessions_.erase(expiries_.top().second);
    expiries_.pop();
  }
  return stored;
}

Result<StsService::Caller> StsService::Authenticate(const ServerRequest& request, TimePoint now,
                                                    std::string* region) {
  auto verified = VerifySigV4(
      request, now, [this](std::string_view id) { return LookupKey(id); },
      VerifyOptions{.region = options_.region});
  if (!verified) return std::move(verified).error();
  *region = verified->region;
  Caller caller;
  const AccessKey* key = nullptr;
  if (const User* user = model_.FindUserByAccessKey(verified->access_key_id, &key)) {
    auto p = policy::PrincipalFromArn(user->arn);
    if (!p) return std::move(p).error();
    caller.principal = std::move(*p);
    caller.principal.unique_id = user->unique_id;
    caller.principal.tags = user->tags;
    caller.principal.org_id = model_.OrgIdOf(user->account);
    caller.user = user;
    return caller;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(verified->access_key_id);
    if (it != sessions_.end()) caller.session = it->second;
  }
  if (!caller.session) {
    return StsError(403, "InvalidClientTokenId",
                    "The security token included in the request is invalid.",
                    "the key was forgotten while the request was checked");
  }
  const LabSession& s = *caller.session;
  auto p = policy::PrincipalFromArn(s.arn, s.role->path);
  if (!p) return std::move(p).error();
  caller.principal = std::move(*p);
  caller.principal.unique_id = s.role->unique_id;
  caller.principal.tags = s.role->tags;
  for (const auto& [k, v] : s.tags) caller.principal.tags[k] = v;  // session tags win
  caller.principal.org_id = model_.OrgIdOf(s.role->account);
  caller.principal.mfa_present = s.mfa;
  caller.principal.source_identity = s.source_identity;
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
  return response;
}

}  // namespace hubspoke::lab
