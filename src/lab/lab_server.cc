#include "lab/lab_server.h"

#include <utility>

namespace hubspoke::lab {

Result<std::unique_ptr<LabServer>> LabServer::Start(iam::Model model, const Clock& clock, Logger& log,
                                                    StsServiceOptions service,
                                                    ServerOptions server) {
  std::unique_ptr<LabServer> lab(new LabServer(std::move(model), clock, log, std::move(service)));
  if (const std::chrono::milliseconds latency = lab->service_.options().sts_latency;
      latency.count() > 0) {
    // --sts-latency through the server's fault delay: the response is held without a worker
    // thread waiting, so 64 concurrent requests take the latency once, not 64 times over.
    server.fault_hook = [inner = std::move(server.fault_hook),
                         latency](const ServerRequest& request) {
      FaultAction action = inner ? inner(request) : FaultAction{};
      // STS only: not Organizations, the console federation or the Identity Center endpoints.
      if (!IsOrganizationsRequest(request) && !FederationService::Handles(request) &&
          !SsoService::Handles(request)) {
        action.delay += latency;
      }
      return action;
    };
  }
  auto started = HttpServer::Start(
      std::move(server), [sts = lab->service_.AsHandler(), federation = &lab->federation_,
                           sso = &lab->sso_](const ServerRequest& request) {
        if (FederationService::Handles(request)) return federation->Handle(request);
        if (SsoService::Handles(request)) return sso->Handle(request);
        return sts(request);
      });
  if (!started) return std::move(started).error();
  lab->server_ = std::move(started).value();
  return lab;
}

void LabServer::Stop() {
  if (server_) server_->Stop();
}

}  // namespace hubspoke::lab
