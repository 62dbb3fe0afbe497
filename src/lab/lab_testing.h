// Test helpers for the lab: a settable clock, signed requests built with our SigV4 signer, and
// a lab behind a real HttpServer. Tests only.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "core/percent_encoding.h"
#include "hubspoke/sigv4.h"
#include "hubspoke/system.h"
#include "lab/lab_server.h"
#include "iam/model.h"
#include "lab/sts_service.h"
#include "http_server/http_server.h"
#include "testing/fake_sts.h"

namespace hubspoke::lab::testing {

// The one fake clock (testing/fake_sts.h): still until told to move; sleeps advance it.
using ManualClock = hubspoke::testing::FakeClock;

inline Credentials BuiltinUserCredentials() {
  Credentials c;
  c.access_key_id = iam::kBuiltinAccessKeyId;
  c.secret_access_key = SecretString(iam::kBuiltinSecretAccessKey);
  return c;
}

struct SignOptions {
  std::string region = "us-east-1";
  std::string service = "sts";
};

// A POST / awsQuery request signed by `credentials` at `time`, as our client would send it.
inline ServerRequest SignedRequest(const Credentials& credentials, const FormParams& params,
                                   TimePoint time, const SignOptions& options = {}) {
  FormParams all = params;
  all.insert(all.begin(), {"Version", "2011-06-15"});
  sigv4::SignableRequest r{
      .method = "POST",
      .path = "/",
      .query = "",
      .headers = {{"Host", "127.0.0.1:4566"},
                  {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
      .body = FormEncode(all)};
  auto signed_ok = sigv4::Sign(
      r, credentials,
      sigv4::SigningParams{.region = options.region, .service = options.service, .time = time});
  EXPECT_TRUE(signed_ok) << signed_ok.error().message();
  return ServerRequest{.method = "POST",
                       .target = "/",
                       .path = "/",
                       .query = "",
                       .headers = r.headers,
                       .body = r.body,
                       .peer = "127.0.0.1:50000"};
}

// A POST / JSON 1.1 request of the Organizations API (X-Amz-Target:
// AWSOrganizationsV20161128.<operation>) signed by `credentials` at `time`, as the AWS CLI sends
// it (signed for us-east-1 and service "organizations" unless told otherwise).
inline ServerRequest SignedOrganizationsRequest(
    const Credentials& credentials, const std::string& operation, const std::string& body,
    TimePoint time, SignOptions options = {.region = "us-east-1", .service = "organizations"}) {
  sigv4::SignableRequest r{
      .method = "POST",
      .path = "/",
      .query = "",
      .headers = {{"Host", "127.0.0.1:4566"},
                  {"Content-Type", "application/x-amz-json-1.1"},
                  {"X-Amz-Target", "AWSOrganizationsV20161128." + operation}},
      .body = body};
  auto signed_ok = sigv4::Sign(
      r, credentials,
      sigv4::SigningParams{.region = options.region, .service = options.service, .time = time});
  EXPECT_TRUE(signed_ok) << signed_ok.error().message();
  return ServerRequest{.method = "POST",
                       .target = "/",
                       .path = "/",
                       .query = "",
                       .headers = r.headers,
                       .body = r.body,
                       .peer = "127.0.0.1:50000"};
}

// The built-in model with `from` replaced by `to` in its JSON text.
inline iam::Model EditedBuiltinModel(const std::string& from, const std::string& to) {
  std::string text(iam::BuiltinModelJson());
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  auto m = iam::ParseModel(text, "edited model");
  EXPECT_TRUE(m) << m.error().message();
  return m ? std::move(m).value() : iam::BuiltinModel();
}

// The lab (model, clock, log) behind a real HttpServer on 127.0.0.1, port 0.
class LabServer {
 public:
  explicit LabServer(iam::Model model, ServerOptions options = {},
                     StsServiceOptions service = StsServiceOptions{.seed = 7}) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    auto started = lab::LabServer::Start(std::move(model), clock_, log_, std::move(service),
                                         std::move(options));
    EXPECT_TRUE(started) << started.error().message();
    if (started) lab_ = std::move(started).value();
  }
  std::string url() const { return lab_ ? lab_->url() : "http://127.0.0.1:1"; }
  std::uint16_t port() const { return lab_ ? lab_->port() : 1; }
  StsService& service() { return lab_->service(); }
  ManualClock& clock() { return clock_; }
  std::string log() const { return log_.text(); }

 private:
  ManualClock clock_;
  hubspoke::testing::CapturingLogger log_;
  std::unique_ptr<lab::LabServer> lab_;  // last: stopped before the clock and log go
};

}  // namespace hubspoke::lab::testing
