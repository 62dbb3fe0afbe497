#include "organizations/json_client.h"

#include "core/strings.h"
#include "core/url.h"
#include "hubspoke/sigv4.h"
#include "organizations/json_errors.h"

namespace hubspoke::organizations {

JsonClient::JsonClient(const SystemContext& sys, JsonClientOptions options)
    : sys_(sys), options_(std::move(options)) {}

Result<JsonReply> JsonClient::Call(const Credentials& caller, const std::string& operation,
                                   const std::string& body) {
  const std::string name = options_.label + " " + operation;
  auto url = ParseUrl(options_.endpoint);
  if (!url) return std::move(url).error().Wrap(options_.label + " endpoint");
  const std::string path = url->target.substr(0, url->target.find('?'));
  const std::string target = options_.target_prefix + "." + operation;

  auto attempt = [&](int) -> Attempt<JsonReply> {
    // Signed again for every attempt: X-Amz-Date moves with the clock.
    sigv4::SignableRequest signable{
        .method = "POST",
        .path = path.empty() ? "/" : path,
        .query = "",
        .headers = {{"Host", url->Authority()},
                    {"X-Amz-Target", target},
                    {"Content-Type", "application/x-amz-json-1.1"}},
        .body = body,
    };
    auto signed_ok = sigv4::Sign(signable, caller,
                                 sigv4::SigningParams{.region = options_.signing_region,
                                                      .service = options_.service,
                                                      .time = sys_.clock.Now()});
    if (!signed_ok) return {std::move(signed_ok).error().Wrap("signing " + name)};
    HttpRequest request{.method = "POST",
                        .url = options_.endpoint,
                        .headers = std::move(signable.headers),
                        .body = body,
                        .timeout = options_.attempt_timeout};
    auto response = sys_.http.Send(request);
    if (!response) {
      Error e = std::move(response).error().Wrap(name + " " + url->Origin());
      if (options_.on_retry) options_.on_retry(e);
      return {std::move(e), true};
    }
    if (response->status >= 200 && response->status < 300) {
      std::string request_id;
      if (const std::string* id = FindHeader(response->headers, "x-amzn-RequestId")) {
        request_id = Printable(*id, 100);
      }
      if (sys_.log.Enabled(LogLevel::kDebug)) {
        sys_.log.Log(LogLevel::kDebug, name + " HTTP " + std::to_string(response->status) +
                                           " (request id " + request_id + ")");
      }
      return {JsonReply{std::move(response->body), std::move(request_id)}};
    }
    AwsErrorDetails details = ParseJsonError(*response);
    const awsquery::ErrorClass cls = ClassifyJsonError(details.code, response->status);
    details.http_status = response->status;
    std::string text = name + ": " + details.Summary();
    Error e = Error(cls.code, text).WithAws(std::move(details));
    if (cls.retryable && options_.on_retry) options_.on_retry(e);
    return {std::move(e), cls.retryable};
  };
  return RunWithRetries<JsonReply>(options_.retry,
                                   RetryContext{sys_.clock, sys_.random, sys_.log, name}, attempt,
                                   ErrorMessageOf<JsonReply>);
}

}  // namespace hubspoke::organizations
