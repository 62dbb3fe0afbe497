#include "awsquery/query_client.h"

#include <algorithm>

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

  RetryPolicy policy = options_.retry;
  const int max_other_attempts = std::max(1, policy.max_attempts);
  if (options_.limiter) {
    policy.max_attempts = max_other_attempts + options_.limiter->options().extra_throttle_attempts;
  }
  int throttled = 0;
  StsRateLimiter::Ticket ticket;
  // The limiter learns how the attempt ended; a failure other than a throttle counts against
  // the ordinary budget only.
  auto settle = [&](int n, Error e, bool retryable) -> Attempt<QueryReply> {
    const bool throttle = e.code() == ErrorCode::kThrottled;
    if (options_.limiter) {
      if (throttle) {
        options_.limiter->OnThrottled(ticket, sys_.clock.Monotonic());
      } else if (e.aws()) {
        options_.limiter->OnAccepted(ticket, sys_.clock.Monotonic());
      }
    }
    if (throttle) ++throttled;
    if (options_.limiter && retryable && !throttle && n - throttled >= max_other_attempts &&
        n < policy.max_attempts) {
      // The ordinary budget is spent; only throttles get the extra attempts.
      return {e.Wrap("gave up after " + std::to_string(n) + " attempts"), false};
    }
    return {std::move(e), retryable};
  };

  auto attempt = [&](int n) -> Attempt<QueryReply> {
    if (options_.limiter) {
      auto reservation = options_.limiter->Reserve(sys_.clock.Monotonic());
      ticket = reservation.ticket;
      if (reservation.wait.count() > 0) {
        // Rounded to the nearest millisecond: the slots themselves keep exact times.
        sys_.clock.SleepFor(std::chrono::duration_cast<std::chrono::milliseconds>(
            reservation.wait + std::chrono::microseconds(500)));
      }
    }
    std::chrono::milliseconds timeout = options_.attempt_timeout;
    if (options_.deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *options_.deadline - sys_.clock.Monotonic());
      if (left.count() <= 0) {
        return {Error(ErrorCode::kTimeout, name + ": not sent: the deadline (" +
                                               options_.deadline_what + ") has passed")
                    .WithReason(ErrorReason::kDeadline),
                false};
      }
      timeout = std::min(timeout, left);
    }
    if (options_.on_attempt) options_.on_attempt();
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
                        .timeout = timeout};
    const auto started = sys_.clock.Monotonic();
    auto response = sys_.http.Send(request);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        sys_.clock.Monotonic() - started);
    if (!response) {
      Error e = std::move(response).error().Wrap(name + " " + url->Origin());
      if (options_.on_retry) options_.on_retry(e);
      return settle(n, std::move(e), true);
    }
    if (response->status >= 200 && response->status < 300) {
      if (sys_.log.Enabled(LogLevel::kDebug)) {
        sys_.log.Log(LogLevel::kDebug, name + " HTTP " + std::to_string(response->status) +
                                           " in " + std::to_string(elapsed.count()) +
                                           " ms (request id " + RequestIdOf(*response, nullptr) +
                                           ")");
      }
      if (options_.limiter) options_.limiter->OnAccepted(ticket, sys_.clock.Monotonic());
      return {QueryReply{std::move(response->body), RequestIdOf(*response, nullptr)}};
    }
    AwsErrorDetails details = ParseErrorResponse(response->body, response->status);
    details.request_id = RequestIdOf(*response, &details);
    const ErrorClass cls = ClassifyAwsError(details.code, response->status);
    details.http_status = response->status;
    std::string text = name + ": " + details.Summary();
    Error e = Error(cls.code, text).WithAws(std::move(details));
    if (cls.retryable && options_.on_retry) options_.on_retry(e);
    return settle(n, std::move(e), cls.retryable);
  };
  return RunWithRetries<QueryReply>(policy,
                                    RetryContext{.clock = sys_.clock,
                                                 .random = sys_.random,
                                                 .log = sys_.log,
                                                 .what = name,
                                                 .deadline = options_.deadline,
                                                 .deadline_what = options_.deadline_what},
                                    attempt,
                                    ErrorMessageOf<QueryReply>);
}

}  // namespace hubspoke::awsquery
