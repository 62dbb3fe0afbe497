#include "lab/lab_server.h"

#include <utility>

namespace hubspoke::lab {

Result<std::unique_ptr<LabServer>> LabServer::Start(iam::Model model, const Clock& clock, Logger& log,
                                                    StsServiceOptions service,
                                                    ServerOptions server) {
  std::unique_ptr<LabServer> lab(new LabServer(std::move(model), clock, log, std::move(service)));
  auto started = HttpServer::Start(std::move(server), lab->service_.AsHandler());
  if (!started) return std::move(started).error();
  lab->server_ = std::move(started).value();
  return lab;
}

void LabServer::Stop() {
  if (server_) server_->Stop();
}

}  // namespace hubspoke::lab
