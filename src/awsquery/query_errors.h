// awsQuery errors (STS, IAM, and the other Query APIs): the ErrorResponse document, and how its
// codes map onto our error codes and retry decisions.
#pragma once

#include <string_view>

#include "hubspoke/result.h"

namespace hubspoke::awsquery {

struct ErrorClass {
  ErrorCode code;
  bool retryable;
};

// Throttling codes (Throttling, ThrottlingException, RequestLimitExceeded, …) and transient
// server errors (InternalError, ServiceUnavailable, IDPCommunicationError, HTTP 5xx) are
// retryable; access-denied, signature, expired-token, rejected web identity token
// (InvalidIdentityToken, IDPRejectedClaim: kAccessDenied) and validation errors are not.
// kThrottled is what a caller watches to adapt its concurrency (QueryClientOptions::on_retry).
ErrorClass ClassifyAwsError(std::string_view aws_code, int http_status);

// <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>, also the
// <Response><Errors><Error>… shape some servers use. Fields missing from a non-XML body are empty.
AwsErrorDetails ParseErrorResponse(std::string_view body, int http_status);

}  // namespace hubspoke::awsquery
