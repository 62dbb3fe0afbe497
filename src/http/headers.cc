// Header lookup for include/hubspoke/http.h.
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "hubspoke/http.h"

namespace hubspoke {

// HTTP field names are case-insensitive ASCII (RFC 9110 §5.1); returns the first match.
const std::string* FindHeader(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const HttpHeader& header : headers) {
    if (EqualsIgnoreCase(header.name, name)) return &header.value;
  }
  return nullptr;
}

}  // namespace hubspoke
