#include "awsquery/query_client.h"

#include "awsquery/query_errors.h"
#include "core/percent_encoding.h"
#include "core/strings.h"
#include "core/url.h"
#include "hubspoke/sigv4.h"

namespace hubspoke::awsquery {
namespace {

std::string RequestIdOf(const HttpResponse& r, const AwsErrorDetails* details) {
  if (const std::string* h = FindHeader(r.headers, "x-amzn-RequestId")) return Printable(*h, 100);
  if (details) return details->request_id;
  return "";
}

}  // namespace

QueryClient::QueryClient(const SystemContext& sys, QueryClientOptions options)
    : sys_(sys), options_(std::move(options)) {}

Result<QueryReply> QueryClient::Call(const Credentials* caller, const std::string& action,
                                     const QueryParams& params) {
  const std::string name = options_.label + " " + action;
  auto url = ParseUrl(options_.endpoint);
  if (!url) return std::move(url).error().Wrap(options_.label + " endpoint");
  QueryParams form = {{"Action", action}, {"Version", options_.api_version}};
  form.insert(form.end(), params.begin(), params.end());
  const std::string body = FormEncode(form);
  const std::string path = url->target.substr(0, url->target.find('?'));

  auto attempt = [&](int) -> Attempt<QueryReply> {
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
                                                        .service = options_.service,
                                                        .time = sys_.clock.Now()});
      if (!signed_ok) return {std::move(signed_ok).error().Wrap("signing " + name)};
    }
    HttpRequest request{.method = "POST",
                        .url = options_.endpoint,
                        .headers = std::move(signable.headers),
                        .body = body,
                        .timeout = options_.attempt_timeout};
    const auto started = sys_.clock.Monotonic();
    auto response = sys_.http.Send(request);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        sys_.clock.Monotonic() - started);
    if (!response) {
      Error e = std::move(response).error().Wrap(name + " " + url->Origin());
      if (options_.on_retry) options_.on_retry(e);
      return {std::move(e), true};
    }
    if (response->status >= 200 && response->status < 300) {
      if (sys_.log.Enabled(LogLevel::kDebug)) {
        sys_.log.Log(LogLevel::kDebug, name + " HTTP " + std::to_string(response->status) +
                                           " in " + std::to_string(elapsed.count()) +
                                           " ms (request id " + RequestIdOf(*response, nullptr) +
                                           ")");
      }
      return {QueryReply{std::move(response->body), RequestIdOf(*response, nullptr)}};
    }
    AwsErrorDetails details = ParseErrorResponse(response->body, response->status);
    details.request_id = RequestIdOf(*response, &details);
    const ErrorClass cls = ClassifyAwsError(details.code, response->status);
    std::string text = name + ": " +
                       (details.code.empty() ? "HTTP " + std::to_string(response->status)
                                             : details.code) +
                       " (HTTP " + std::to_string(response->status) + ", request id " +
                       (details.request_id.empty() ? "none" : details.request_id) + ")";
    if (!details.message.empty()) text += ": " + details.message;
    Error e = Error(cls.code, text).WithAws(std::move(details));
    if (cls.retryable && options_.on_retry) options_.on_retry(e);
    return {std::move(e), cls.retryable};
  };
  return RunWithRetries<QueryReply>(options_.retry,
                                    RetryContext{sys_.clock, sys_.random, sys_.log, name}, attempt,
                                    ErrorMessageOf<QueryReply>);
}

}  // namespace hubspoke::awsquery
