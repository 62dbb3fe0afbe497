// Reading all of standard input, bounded, for flags that take `-` (fanout --spoke-accounts -,
// policy lint -).
#pragma once

#include <cstddef>
#include <string>

#include "hubspoke/result.h"

namespace hubspoke::cli {

// Everything on stdin, at most `max_bytes`. Errors are kInvalidArgument lines starting with
// `what` ("--spoke-accounts -: cannot read stdin: …", "-: stdin holds more than 1 MiB; that is
// not a trust policy" with `too_large` = "a trust policy").
Result<std::string> ReadStdinBounded(std::size_t max_bytes, const std::string& what,
                                     const std::string& too_large);

}  // namespace hubspoke::cli
