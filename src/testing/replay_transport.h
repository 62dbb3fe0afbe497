// An HttpTransport that replays recorded traffic: the scenario tests (tests/scenarios/) list the
// requests a credential source must send, in order, and the responses to give. Nothing goes on
// the wire. A request that does not match the next recorded one (unexpected, out of order, or
// missing a required header, query parameter or form field) is answered with a kInternal error
// and recorded as a problem; the test fails on any problem and on recorded requests left
// unconsumed. Tests only.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hubspoke/http.h"
#include "hubspoke/result.h"

namespace hubspoke::testing {

// What a request must look like. Empty fields are not checked.
struct ExpectedRequest {
  std::string method;  // required
  std::string url;     // the whole URL, exactly; or, instead, host and path (and query):
  std::string host;    // host[:port] as in the URL
  std::string path;    // without the query
  std::vector<std::pair<std::string, std::string>> query;  // these parameters, decoded, exactly
  // Header values: exact; "*" means present with any value; "prefix*" a prefix. Names are
  // case-insensitive.
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> absent_headers;
  // application/x-www-form-urlencoded body fields (awsQuery: Action, RoleArn, …), decoded, exactly.
  std::vector<std::pair<std::string, std::string>> form;
  std::vector<std::string> absent_form;
  std::vector<std::string> body_contains;
};

// The answer: a status, headers and body, or `error` ("network" or "timeout") for an exchange
// that fails before any status (nothing listening, no answer in time).
struct ReplayResponse {
  int status = 200;
  std::vector<HttpHeader> headers;
  std::string body;
  std::string error;
};

struct RecordedExchange {
  std::string name;  // for messages: "IMDS token", or "#3"
  ExpectedRequest request;
  ReplayResponse response;
};

// Parses http-traffic.json: {"events": [{"name"?, "request": {...}, "response": {...}}, ...]}
// (the format is described in tests/scenarios/credentials/README.md). A malformed file, an
// unknown key or a request without method and URL (or host and path) is a kInvalidArgument
// error: a typo in a scenario must not silently check less.
Result<std::vector<RecordedExchange>> ParseHttpTraffic(std::string_view json);

class ReplayTransport final : public HttpTransport {
 public:
  explicit ReplayTransport(std::vector<RecordedExchange> exchanges)
      : exchanges_(std::move(exchanges)) {}

  Result<HttpResponse> Send(const HttpRequest& request) override;

  // Every request that did not match what was expected next, with the reasons.
  std::vector<std::string> problems() const;
  // The recorded exchanges no request consumed.
  std::vector<std::string> unconsumed() const;
  std::size_t consumed() const;

 private:
  // Why `request` does not match `expected`; empty when it does.
  static std::vector<std::string> Mismatches(const ExpectedRequest& expected,
                                             const HttpRequest& request);

  mutable std::mutex mu_;
  std::vector<RecordedExchange> exchanges_;
  std::size_t next_ = 0;
  std::vector<std::string> problems_;
};

}  // namespace hubspoke::testing
