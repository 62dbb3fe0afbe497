// Fuzzer-chosen splits of a byte stream, as the network delivers it: the incremental HTTP parsers
// must reach the same result whichever way the bytes arrive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace hubspoke::fuzz {

// Piece lengths (1..64, and sometimes 1 byte at a time) derived from `seed`: a small seed byte in
// the input chooses a whole split pattern, so the corpus stays readable.
inline std::vector<std::string_view> Split(std::string_view data, uint8_t seed) {
  std::vector<std::string_view> pieces;
  uint32_t state = seed * 2654435761u + 1;
  while (!data.empty()) {
    state = state * 1103515245u + 12345u;
    size_t n = seed % 7 == 0 ? 1 : 1 + (state >> 16) % 64;
    n = n < data.size() ? n : data.size();
    pieces.push_back(data.substr(0, n));
    data.remove_prefix(n);
  }
  return pieces;
}

}  // namespace hubspoke::fuzz
