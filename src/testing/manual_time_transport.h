// Test helpers for FakeSts with a manual clock (shared by the refreshing-provider tests).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "core/time.h"
#include "hubspoke/http.h"
#include "hubspoke/system.h"

namespace hubspoke::testing {

// The n-th key FakeSts issues (requests are numbered from 1).
inline std::string IssuedKey(int n) { return "ASIAFAKE" + std::to_string(100000000000 + n); }

// FakeSts stamps expirations from the real clock; this transport moves them onto the test's
// manual clock, as if STS and the client agreed on the time.
class OnManualTime final : public HttpTransport {
 public:
  OnManualTime(std::unique_ptr<HttpTransport> inner, const Clock& clock)
      : inner_(std::move(inner)), clock_(clock) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    auto r = inner_->Send(request);
    if (!r) return r;
    const std::string open = "<Expiration>";
    const std::size_t b = r->body.find(open);
    const std::size_t e = r->body.find("</Expiration>");
    if (b == std::string::npos || e == std::string::npos) return r;
    const std::size_t at = b + open.size();
    auto t = ParseTimestamp(r->body.substr(at, e - at));
    if (!t) return r;
    const TimePoint shifted = *t + (clock_.Now() - std::chrono::system_clock::now());
    r->body.replace(at, e - at, FormatRfc3339(shifted));
    return r;
  }

 private:
  std::unique_ptr<HttpTransport> inner_;
  const Clock& clock_;
};

}  // namespace hubspoke::testing
