// Lower-case hexadecimal encoding (SigV4 hashes and signatures are lower-case hex).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace hubspoke {

// Two lower-case hex digits per byte: {0xab, 0x01} -> "ab01".
std::string HexEncode(std::span<const unsigned char> bytes);
// The same for the bytes of a string.
std::string HexEncode(std::string_view bytes);

}  // namespace hubspoke
