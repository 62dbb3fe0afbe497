// A client for AWS's Query protocol (form-encoded POST, SigV4, XML answers): STS today, IAM
// next. It signs, sends, retries what is transient under the shared RetryPolicy, parses
// ErrorResponse documents and keeps request ids. Actions and their XML results belong to the
// service's own client (src/sts/sts_client.cc).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"
#include "hubspoke/sts_rate_limiter.h"
#include "hubspoke/system.h"
#include "sys/retry.h"

namespace hubspoke::awsquery {

struct QueryClientOptions {
  std::string endpoint;        // https://sts.eu-west-1.amazonaws.com, https://iam.amazonaws.com
  std::string signing_region;  // eu-west-1 (us-east-1 for IAM)
  std::string service;         // SigV4 service name: "sts", "iam"
  std::string label;           // how errors name the service: "STS", "IAM"
  std::string api_version;     // "2011-06-15" (STS), "2010-05-08" (IAM)
  RetryPolicy retry{.max_attempts = 4, .base = std::chrono::milliseconds(100)};
  std::chrono::milliseconds attempt_timeout{10000};
  // The whole call, retries and waits included, ends by this time (clock.Monotonic()): each
  // attempt's timeout is cut to what is left, and no retry starts that would end past it.
  // kTimeout errors say "<deadline_what>". None: only the attempts and retries bound the call.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::string deadline_what;
  // Called with each transient failure, retried or not (code kThrottled when the service
  // throttled): how a caller running many calls at once learns to slow down. May be empty.
  std::function<void(const Error&)> on_retry;
  // Paces every attempt (retries too) and learns from its throttles; null: none. With a limiter,
  // throttled attempts may be retried limiter->options().extra_throttle_attempts times beyond
  // retry.max_attempts (other transient failures still stop at retry.max_attempts).
  std::shared_ptr<StsRateLimiter> limiter;
  // Called before each attempt is sent (counting attempts per caller). May be empty.
  std::function<void()> on_attempt;
};

struct QueryReply {
  std::string body;  // the 2xx XML document
  std::string request_id;
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

class QueryClient {
 public:
  // `sys` must outlive the client. Calls go through sys.http (one kept-alive connection).
  QueryClient(const SystemContext& sys, QueryClientOptions options);

  // Sends Action=`action` with `params`, signed by `caller` (unsigned when null). Errors read
  // "<label> <action>: <AwsCode> (HTTP n, request id …): <message>" with the details in
  // Error::aws(); network failures "<label> <action> <origin>: …"; after retries "gave up after
  // N attempts: …".
  Result<QueryReply> Call(const Credentials* caller, const std::string& action,
                          const QueryParams& params);

  const QueryClientOptions& options() const { return options_; }

 private:
  const SystemContext& sys_;
  QueryClientOptions options_;
};

}  // namespace hubspoke::awsquery
