// The accounts of an AWS organization, from AWS Organizations (JSON 1.1 protocol over HTTPS,
// SigV4 with service "organizations"): ListAccounts, or every account under an OU or root
// (ListAccountsForParent, and ListChildren for the OUs below it, recursively), following
// NextToken. The endpoint comes from ResolveOrganizationsEndpoint (config.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"
#include "hubspoke/spoke_account.h"
#include "hubspoke/system.h"

namespace hubspoke {

struct OrganizationsOptions {
  // e.g. https://organizations.us-east-1.amazonaws.com. Organizations is a global service: one
  // endpoint per partition, signed for us-east-1 (aws), cn-northwest-1 (aws-cn), us-gov-west-1
  // (aws-us-gov).
  std::string endpoint;
  std::string signing_region;
  std::string source;  // where the endpoint came from, for --verbose (may be empty)
  int page_size = 0;   // MaxResults, 1–20 (the API's limits); 0 lets the service choose
  // Retries under the shared RetryPolicy (sys/retry.h): throttling (TooManyRequestsException,
  // ThrottlingException), 5xx (ServiceException) and network failures, with full jitter. More
  // attempts and a longer base than STS: Organizations' request quota is low and per account,
  // and a whole organization is many calls.
  int max_attempts = 5;
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_cap{5000};
  std::chrono::milliseconds attempt_timeout{10000};
  // Guards against a broken or hostile endpoint (responses are at most 16 MiB: the HTTP
  // client's bound). More accounts than max_accounts, or more requests than max_requests, is an
  // error (kRemote), as are a NextToken the service already gave for the same listing and an OU
  // seen twice in the tree.
  std::size_t max_accounts = kMaxSpokeAccounts;
  int max_requests = 20000;
  // Called with each transient failure, retried or not (kThrottled when throttled). May be empty.
  std::function<void(const Error&)> on_retry;
};

// An OU id (^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$) or a root id (^r-[0-9a-z]{4,32}$); errors
// (kInvalidArgument) name --ou, the value and the patterns. ListOrganizationAccounts checks it
// too; callers that spend a request on credentials first check it before.
Status ValidateOrganizationsParentId(std::string_view ou);

// The ACTIVE accounts of the caller's organization (`caller` signs every request), in the order
// the service lists them:
//  - `ou` empty: ListAccounts.
//  - `ou` an OU id (ou-xxxx-yyyyyyyy) or a root id (r-xxxx): every account under it,
//    recursively: ListAccountsForParent of it, then ListChildren (ChildType
//    ORGANIZATIONAL_UNIT) and the same for each child OU, breadth first.
// `ou` is checked before any request (kInvalidArgument naming --ou, the value and the AWS
// patterns ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$ and ^r-[0-9a-z]{4,32}$). Accounts whose State or
// Status is present and not ACTIVE are left out (appended to `*left_out` when not null). Every
// account id in an answer must be 12 digits (else kParse); names are made printable and cut to
// 128 characters; an account listed twice is kept once.
// Errors read "Organizations ListAccountsForParent: AccessDeniedException (HTTP 400, request id
// …): <message>", carry AwsErrorDetails, and map: AccessDeniedException → kAccessDenied;
// TooManyRequestsException, ThrottlingException → kThrottled (after retries);
// AWSOrganizationsNotInUseException → kMisconfigured; ParentNotFoundException,
// InvalidInputException → kInvalidArgument; each with a hint.
Result<std::vector<SpokeAccount>> ListOrganizationAccounts(
    const SystemContext& sys, const Credentials& caller, const OrganizationsOptions& options,
    const std::string& ou = "", std::vector<SpokeAccount>* left_out = nullptr);

}  // namespace hubspoke
