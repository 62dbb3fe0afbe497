// URLs: --endpoint-url, AWS_CONTAINER_CREDENTIALS_FULL_URI, proxies, the SSO portal. A parsed
// URL written back (origin + target) parses to the same URL.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/url.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)hubspoke::ParseHost(text);
  (void)hubspoke::ParsePort(text);
  auto url = hubspoke::ParseUrl(text);
  if (!url) return 0;
  FUZZ_CHECK(url->scheme == "http" || url->scheme == "https");
  FUZZ_CHECK(url->port != 0 && !url->host.empty());
  FUZZ_CHECK(!url->target.empty() && url->target.front() == '/');
  std::string written = url->Origin() + url->target;
  auto again = hubspoke::ParseUrl(written);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->scheme == url->scheme && again->host == url->host &&
             again->host_kind == url->host_kind && again->port == url->port &&
             again->target == url->target);
  FUZZ_CHECK(again->Authority() == url->Authority() && again->HostPort() == url->HostPort());
  auto host = hubspoke::ParseHost(url->host_kind == hubspoke::HostKind::kIpv6
                                      ? "[" + url->host + "]"
                                      : url->host);
  FUZZ_CHECK(host.has_value() && host->host == url->host && host->kind == url->host_kind);
  return 0;
}
