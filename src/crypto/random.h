// Bytes from the kernel's CSPRNG (getrandom), for keys and tokens.
#pragma once

#include <span>

#include "hubspoke/result.h"

namespace hubspoke::crypto {

// Fills `out` entirely; fails (kInternal, with errno's text) only if getrandom itself does.
Status RandomBytes(std::span<unsigned char> out);

}  // namespace hubspoke::crypto
