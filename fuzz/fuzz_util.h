// Shared by the fuzz targets (fuzz/*_fuzz.cc): compiled with clang and libFuzzer by
// `scripts/fuzz`, and with the ordinary compiler into fuzz_replay, which replays the committed
// corpora in the unit tests. So nothing here may depend on libFuzzer's headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

// A property a target asserts (a round trip, two ways of feeding the same bytes agreeing): a
// failure aborts, which libFuzzer reports as a crash with the input that caused it.
#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (false)

namespace hubspoke::fuzz {

// Takes parameters off the front of the input and leaves the rest as the document to parse, so
// the corpus files stay mostly the document itself (readable seeds, useful dictionaries).
class Input {
 public:
  Input(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    auto b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  // Up to `max` bytes ending at the first `sep` (which is consumed), or everything left.
  std::string_view Until(char sep) {
    size_t at = rest_.find(sep);
    std::string_view out = rest_.substr(0, at);
    rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + 1);
    return out;
  }
  std::string_view Rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace hubspoke::fuzz
