// Differential driver for the SigV4 signer (tests/differential/test_sigv4_diff.py): one JSON
// request per stdin line, one JSON result per stdout line, so botocore and this signer can be
// compared on thousands of random requests in one process each. Not a product: it prints the
// canonical request, which a real client must never log.
//
// In:  {"method", "path", "query", "headers": [[name, value], …], "body_hex", "access_key_id",
//       "secret_access_key", "session_token", "region", "service", "time" (Unix seconds),
//       "placement": "headers"|"query", "expires"}
// Out: {"ok": true, "authorization", "query", "signature", "canonical_request"} or
//      {"ok": false, "error"}
#include <chrono>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "json_lines.h"

#include "hubspoke/sigv4.h"

namespace {

std::string FromHex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

nlohmann::json SignOne(const nlohmann::json& in) {
  hubspoke::sigv4::SignableRequest request{
      .method = in.at("method").get<std::string>(),
      .path = in.at("path").get<std::string>(),
      .query = in.value("query", ""),
      .headers = {},
      .body = FromHex(in.value("body_hex", "")),
  };
  for (const auto& header : in.at("headers")) {
    request.headers.push_back({header.at(0).get<std::string>(), header.at(1).get<std::string>()});
  }
  hubspoke::Credentials credentials{
      .access_key_id = in.at("access_key_id").get<std::string>(),
      .secret_access_key = hubspoke::SecretString(in.at("secret_access_key").get<std::string>()),
      .session_token = hubspoke::SecretString(in.value("session_token", "")),
      .expiration = std::nullopt,
  };
  hubspoke::sigv4::SigningParams params{
      .region = in.at("region").get<std::string>(),
      .service = in.at("service").get<std::string>(),
      .time = std::chrono::system_clock::time_point(std::chrono::seconds(in.at("time").get<long long>())),
      .placement = in.value("placement", "headers") == "query" ? hubspoke::sigv4::Placement::kQuery
                                                               : hubspoke::sigv4::Placement::kHeaders,
      .expires_in = std::chrono::seconds(in.value("expires", 3600)),
  };
  auto artifacts = hubspoke::sigv4::Sign(request, credentials, params);
  if (!artifacts) return {{"ok", false}, {"error", artifacts.error().message()}};
  std::string authorization;
  if (const std::string* value = hubspoke::FindHeader(request.headers, "Authorization")) {
    authorization = *value;
  }
  return {{"ok", true},
          {"authorization", authorization},
          {"query", request.query},
          {"signature", artifacts->signature},
          {"canonical_request", artifacts->canonical_request}};
}

}  // namespace

int main() { return hubspoke::differential::ServeJsonLines(SignOne); }
