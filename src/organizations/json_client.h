// A client for AWS's JSON 1.1 protocol (Organizations today): POST / with X-Amz-Target
// "<prefix>.<Operation>", Content-Type application/x-amz-json-1.1 and a JSON body, SigV4-signed,
// as botocore sends it. It signs, sends, retries what is transient under the shared RetryPolicy
// (sys/retry.h), parses JSON errors (json_errors.h) and keeps request ids. Operations and their
// documents belong to the service's own code (list_accounts.cc).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"
#include "hubspoke/system.h"
#include "sys/retry.h"

namespace hubspoke::organizations {

struct JsonClientOptions {
  std::string endpoint;        // https://organizations.us-east-1.amazonaws.com
  std::string signing_region;  // us-east-1
  std::string service;         // SigV4 service name: "organizations"
  std::string target_prefix;   // "AWSOrganizationsV20161128"
  std::string label;           // how errors name the service: "Organizations"
  RetryPolicy retry{.max_attempts = 5, .base = std::chrono::milliseconds(200)};
  std::chrono::milliseconds attempt_timeout{10000};
  // Called with each transient failure, retried or not (kThrottled when throttled). May be empty.
  std::function<void(const Error&)> on_retry;
};

struct JsonReply {
  std::string body;  // the 2xx JSON document
  std::string request_id;
};

class JsonClient {
 public:
  // `sys` must outlive the client. Calls go through sys.http (one kept-alive connection).
  JsonClient(const SystemContext& sys, JsonClientOptions options);

  // Sends `operation` with the JSON document `body`, signed by `caller`. Errors read
  // "<label> <operation>: <AwsCode> (HTTP n, request id …): <message>" with the details in
  // Error::aws() and a hint for Organizations' own codes; network failures "<label> <operation>
  // <origin>: …"; after retries "gave up after N attempts: …".
  Result<JsonReply> Call(const Credentials& caller, const std::string& operation,
                         const std::string& body);

 private:
  const SystemContext& sys_;
  JsonClientOptions options_;
};

}  // namespace hubspoke::organizations
