// How STS (and any AWS Query API) errors map onto our error codes and retry decisions.
#pragma once

#include <string_view>

#include "hubspoke/result.h"

namespace hubspoke::sts {

struct ErrorClass {
  ErrorCode code;
  bool retryable;
};

// Throttling codes (Throttling, ThrottlingException, RequestLimitExceeded, …) and transient
// server errors (InternalError, ServiceUnavailable, IDPCommunicationError, HTTP 5xx) are
// retryable; access-denied, signature, expired-token, rejected web identity token
// (InvalidIdentityToken, IDPRejectedClaim: kAccessDenied) and validation errors are not.
ErrorClass ClassifyAwsError(std::string_view aws_code, int http_status);

}  // namespace hubspoke::sts
