#include "hubspoke/sts_client.h"

#include <algorithm>
#include <cstdio>

#include "awsquery/query_client.h"
#include "core/partition.h"
#include "core/percent_encoding.h"
#include "core/strings.h"
#include "core/url.h"
#include "core/validate.h"
#include "sts/sts_response_check.h"
#include "sts/sts_xml.h"

namespace hubspoke {
namespace {

constexpr std::string_view kApiVersion = "2011-06-15";

// "180", "2.5": a timeout in seconds for messages.
std::string FormatSeconds(std::chrono::milliseconds ms) {
  std::string s = std::to_string(ms.count() / 1000);
  if (ms.count() % 1000 != 0) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03lld", static_cast<long long>(ms.count() % 1000));
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    s += f;
  }
  return s;
}

using Params = std::vector<std::pair<std::string, std::string>>;

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
  std::optional<std::chrono::steady_clock::time_point> deadline = options_.deadline;
  if (!deadline && options_.chain_timeout.count() > 0) {
    deadline = sys_.clock.Monotonic() + options_.chain_timeout;
  }
  const std::string seconds = FormatSeconds(options_.chain_timeout);
  awsquery::QueryClient query(
      sys_, awsquery::QueryClientOptions{.endpoint = options_.endpoint,
                                         .signing_region = options_.signing_region,
                                         .service = "sts",
                                         .label = "STS",
                                         .api_version = std::string(kApiVersion),
                                         .retry = RetryPolicy{.max_attempts = options_.max_attempts,
                                                              .base = options_.backoff_base,
                                                              .cap = options_.backoff_cap},
                                         .attempt_timeout = options_.attempt_timeout,
                                         .deadline = deadline,
                                         .deadline_what = "the chain's timeout of " +
                                                          seconds + " s",
                                         .limiter = options_.limiter,
                                         .on_attempt = options_.on_attempt});
  auto reply = query.Call(caller, action, params);
  if (!reply) return std::move(reply).error();
  return Reply{std::move(reply->body), std::move(reply->request_id)};
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
