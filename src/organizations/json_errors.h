// Errors of AWS's JSON 1.0/1.1 protocols (Organizations, and any other JSON service later): the
// error code from the x-amzn-ErrorType header or the body's __type / code, the message from
// Message / message, and how the codes map onto our error codes and retry decisions.
#pragma once

#include <string_view>

#include "awsquery/query_errors.h"
#include "hubspoke/http.h"
#include "hubspoke/result.h"

namespace hubspoke::organizations {

// The code is taken, as botocore and smithy do, from the x-amzn-ErrorType header, else the
// body's "__type", else its "code"; any "namespace#" prefix and any ":suffix" (a URL some
// services append to the header) are dropped. The message is "Message" or "message"; the request
// id is x-amzn-RequestId. Untrusted text is made printable and cut (code 100, message 500
// characters). A body that is not JSON leaves code and message empty.
AwsErrorDetails ParseJsonError(const HttpResponse& response);

// The shared classes of awsquery::ClassifyAwsError (throttling, transient, denied, 5xx), plus
// Organizations' own: ServiceException (its 5xx fault) is transient;
// AWSOrganizationsNotInUseException is kMisconfigured; ParentNotFoundException and
// InvalidInputException are kInvalidArgument; none of those three is retried.
awsquery::ErrorClass ClassifyJsonError(std::string_view aws_code, int http_status);

}  // namespace hubspoke::organizations
