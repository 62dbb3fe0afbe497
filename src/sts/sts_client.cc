#include "hubspoke/sts_client.h"

#include <algorithm>

#include "core/partition.h"
#include "core/percent_encoding.h"
#include "core/strings.h"
#include "core/validate.h"
#include "hubspoke/sigv4.h"
#include "core/url.h"
#include "sts/sts_errors.h"
#include "sts/sts_response_check.h"
#include "sts/sts_xml.h"

namespace hubspoke {
namespace {

constexpr std::string_view kApiVersion = "2011-06-15";

using Params = std::vector<std::pair<std::string, std::string>>;

std::string RequestIdOf(const HttpResponse& r, const AwsErrorDetails* details) {
  if (const std::string* h = FindHeader(r.headers, "x-amzn-RequestId")) return Printable(*h, 100);
  if (details) return details->request_id;
  return "";
}

void AddList(Params& p, const std::string& prefix, const std::vector<std::string>& items,
             const std::string& field) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    p.emplace_back(prefix + ".member." + std::to_string(i + 1) + field, items[i]);
  }
}

}  // namespace

StsClient::StsClient(const SystemContext& sys, StsClientOptions options)
    : sys_(sys), options_(std::move(options)) {
  if (options_.max_attempts < 1) options_.max_attempts = 1;
}

Result<StsClient::Reply> StsClient::Call(const Credentials* caller, const std::string& action,
                                         const Params& params) {
  auto url = ParseUrl(options_.endpoint);
  if (!url) return std::move(url).error().Wrap("STS endpoint");
  Params form = {{"Action", action}, {"Version", std::string(kApiVersion)}};
  form.insert(form.end(), params.begin(), params.end());
  const std::string body = FormEncode(form);
  std::size_t q = url->target.find('?');
  const std::string path = url->target.substr(0, q);

  std::optional<Error> last;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    sigv4::SignableRequest signable{
        .method = "POST",
        .path = path,
        .query = "",
        .headers = {{"Host", url->Authority()},
                    {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
        .body = body,
    };
    if (caller != nullptr) {
      auto signed_ok = sigv4::Sign(signable, *caller,
                                   sigv4::SigningParams{.region = options_.signing_region,
                                                        .service = "sts",
                                                        .time = sys_.clock.Now()});
      if (!signed_ok) return std::move(signed_ok).error().Wrap("signing STS " + action);
    }
    HttpRequest request{.method = "POST",
                        .url = options_.endpoint,
                        .headers = std::move(signable.headers),
                        .body = body,
                        .timeout = options_.attempt_timeout};
    auto started = sys_.clock.Monotonic();
    auto response = sys_.http.Send(request);
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        sys_.clock.Monotonic() - started);
    bool retryable = false;
    if (!response) {
      last = std::move(response).error().Wrap("STS " + action + " " + url->Origin());
      retryable = true;
    } else if (response->status >= 200 && response->status < 300) {
      if (sys_.log.Enabled(LogLevel::kDebug)) {
        sys_.log.Log(LogLevel::kDebug, "STS " + action + " HTTP " +
                                           std::to_string(response->status) + " in " +
                                           std::to_string(elapsed.count()) + " ms (request id " +
                                           RequestIdOf(*response, nullptr) + ")");
      }
      return Reply{std::move(response->body), RequestIdOf(*response, nullptr)};
    } else {
      AwsErrorDetails details = sts::ParseErrorResponse(response->body, response->status);
      details.request_id = RequestIdOf(*response, &details);
      sts::ErrorClass cls = sts::ClassifyAwsError(details.code, response->status);
      std::string text = "STS " + action + ": " +
                         (details.code.empty() ? "HTTP " + std::to_string(response->status)
                                               : details.code) +
                         " (HTTP " + std::to_string(response->status) + ", request id " +
                         (details.request_id.empty() ? "none" : details.request_id) + ")";
      if (!details.message.empty()) text += ": " + details.message;
      last = Error(cls.code, text).WithAws(details);
      retryable = cls.retryable;
    }
    if (!retryable) return std::move(*last);
    if (attempt == options_.max_attempts) break;
    // Exponential backoff with full jitter: sleep uniformly in [0, min(cap, base * 2^attempt)).
    long long ceiling = std::min<long long>(options_.backoff_cap.count(),
                                            options_.backoff_base.count() << std::min(attempt, 20));
    auto delay = std::chrono::milliseconds(
        sys_.random.Below(static_cast<std::uint64_t>(std::max<long long>(ceiling, 1))));
    sys_.log.Log(LogLevel::kInfo, "attempt " + std::to_string(attempt) + "/" +
                                      std::to_string(options_.max_attempts) + " failed (" +
                                      last->message() + "); retrying in " +
                                      std::to_string(delay.count()) + " ms");
    sys_.clock.SleepFor(delay);
  }
  if (options_.max_attempts > 1) {
    return last->Wrap("gave up after " + std::to_string(options_.max_attempts) + " attempts");
  }
  return std::move(*last);
}

Result<AssumeRoleResponse> StsClient::AssumeRole(const Credentials& caller,
                                                 const AssumeRoleRequest& req) {
  Params p = {{"RoleArn", req.role_arn}, {"RoleSessionName", req.role_session_name}};
  if (req.duration) p.emplace_back("DurationSeconds", std::to_string(req.duration->count()));
  if (!req.external_id.empty()) p.emplace_back("ExternalId", req.external_id);
  if (!req.policy.empty()) p.emplace_back("Policy", req.policy);
  AddList(p, "PolicyArns", req.policy_arns, ".arn");
  for (std::size_t i = 0; i < req.tags.size(); ++i) {
    std::string prefix = "Tags.member." + std::to_string(i + 1);
    p.emplace_back(prefix + ".Key", req.tags[i].key);
    p.emplace_back(prefix + ".Value", req.tags[i].value);
  }
  AddList(p, "TransitiveTagKeys", req.transitive_tag_keys, "");
  if (!req.serial_number.empty()) p.emplace_back("SerialNumber", req.serial_number);
  if (!req.token_code.empty()) p.emplace_back("TokenCode", req.token_code);
  if (!req.source_identity.empty()) p.emplace_back("SourceIdentity", req.source_identity);
  for (std::size_t i = 0; i < req.provided_contexts.size(); ++i) {
    std::string prefix = "ProvidedContexts.member." + std::to_string(i + 1);
    p.emplace_back(prefix + ".ProviderArn", req.provided_contexts[i].provider_arn);
    p.emplace_back(prefix + ".ContextAssertion", req.provided_contexts[i].context_assertion);
  }
  auto reply = Call(&caller, "AssumeRole", p);
  if (!reply) return std::move(reply).error();
  auto parsed = sts::ParseAssumeRoleResponse(reply->body);
  if (!parsed) return std::move(parsed).error();
  if (parsed->request_id.empty()) parsed->request_id = reply->request_id;
  // Security: nothing STS returned reaches a caller unchecked (charsets, expiry, the session).
  if (auto s = sts::CheckRoleCredentials("AssumeRole", *parsed, req.role_arn,
                                         req.role_session_name, sys_.clock.Now());
      !s) {
    return std::move(s).error();
  }
  return parsed;
}

Result<CallerIdentity> StsClient::GetCallerIdentity(const Credentials& caller) {
  auto reply = Call(&caller, "GetCallerIdentity", {});
  if (!reply) return std::move(reply).error();
  auto parsed = sts::ParseGetCallerIdentityResponse(reply->body);
  if (!parsed) return std::move(parsed).error();
  if (parsed->request_id.empty()) parsed->request_id = reply->request_id;
  return parsed;
}

Result<AssumeRoleResponse> StsClient::AssumeRoleWithWebIdentity(
    const AssumeRoleWithWebIdentityRequest& req) {
  Params p = {{"RoleArn", req.role_arn},
              {"RoleSessionName", req.role_session_name},
              {"WebIdentityToken", std::string(req.web_identity_token.reveal())}};
  if (!req.provider_id.empty()) p.emplace_back("ProviderId", req.provider_id);
  if (req.duration) p.emplace_back("DurationSeconds", std::to_string(req.duration->count()));
  if (!req.policy.empty()) p.emplace_back("Policy", req.policy);
  AddList(p, "PolicyArns", req.policy_arns, ".arn");
  auto reply = Call(nullptr, "AssumeRoleWithWebIdentity", p);
  // Security: our copy of the token in the form parameters.
  std::fill(p[2].second.begin(), p[2].second.end(), '\0');
  if (!reply) return std::move(reply).error();
  auto parsed = sts::ParseAssumeRoleWithWebIdentityResponse(reply->body);
  if (!parsed) return std::move(parsed).error();
  if (parsed->request_id.empty()) parsed->request_id = reply->request_id;
  if (auto s = sts::CheckRoleCredentials("AssumeRoleWithWebIdentity", *parsed, req.role_arn,
                                         req.role_session_name, sys_.clock.Now());
      !s) {
    return std::move(s).error();
  }
  return parsed;
}


}  // namespace hubspoke
