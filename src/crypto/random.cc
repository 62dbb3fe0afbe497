#include "crypto/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace hubspoke::crypto {

Status RandomBytes(std::span<unsigned char> out) {
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = getrandom(out.data() + got, out.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(ErrorCode::kInternal, std::string("getrandom failed: ") + std::strerror(errno));
    }
    got += static_cast<std::size_t>(n);
  }
  return Ok();
}

}  // namespace hubspoke::crypto
