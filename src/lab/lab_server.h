// The lab on the wire: the STS service behind our HTTP server. The one place that wires them,
// for `assume-spoke-role lab`, `demo`, the benchmarks and the tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "http_server/http_server.h"
#include "hubspoke/result.h"
#include "hubspoke/system.h"
#include "iam/model.h"
#include "lab/federation_service.h"
#include "lab/sso_service.h"
#include "lab/sts_service.h"

namespace hubspoke::lab {

class LabServer {
 public:
  // Serves `model` on server.host:server.port (port 0: a free one) with server.threads worker
  // loops. service.sts_latency delays every STS response through the server's fault delay
  // (after server.fault_hook's own decision), holding no worker thread. `clock` and `log` must outlive the lab. Errors are the HTTP server's (a bad address,
  // a port in use).
  static Result<std::unique_ptr<LabServer>> Start(iam::Model model, const Clock& clock, Logger& log,
                                                  StsServiceOptions service,
                                                  ServerOptions server);
  ~LabServer() { Stop(); }
  LabServer(const LabServer&) = delete;
  LabServer& operator=(const LabServer&) = delete;

  // Stops accepting and finishes; idempotent.
  void Stop();
  std::string url() const { return server_->url(); }
  std::uint16_t port() const { return server_->port(); }
  StsService& service() { return service_; }
  const StsService& service() const { return service_; }
  FederationService& federation() { return federation_; }
  SsoService& sso() { return sso_; }

 private:
  LabServer(iam::Model model, const Clock& clock, Logger& log, StsServiceOptions options)
      : service_(std::move(model), clock, log, std::move(options)),
        federation_(service_, log),
        sso_(service_, log) {}

  StsService service_;
  FederationService federation_;  // GET /federation: console sign-in (federation_service.h)
  SsoService sso_;  // Identity Center: SSO OIDC and portal (sso_service.h)
  std::unique_ptr<HttpServer> server_;
};

}  // namespace hubspoke::lab
