#include "core/base64.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace hubspoke {
namespace {

constexpr std::string_view kStandardAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t kInvalid = 0xff;
using DecodeTable = std::array<std::uint8_t, 256>;

// Each character of the alphabets maps to its 6-bit value, every other byte to kInvalid.
constexpr DecodeTable MakeDecodeTable(std::initializer_list<std::string_view> alphabets) {
  DecodeTable table{};
  table.fill(kInvalid);
  for (std::string_view alphabet : alphabets) {
    for (std::size_t i = 0; i < alphabet.size(); ++i) {
      table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
    }
  }
  return table;
}

constexpr DecodeTable kStandardValues = MakeDecodeTable({kStandardAlphabet});
constexpr DecodeTable kUrlOrStandardValues = MakeDecodeTable({kStandardAlphabet, kUrlAlphabet});

std::uint32_t Byte(std::string_view data, std::size_t i) {
  return static_cast<unsigned char>(data[i]);
}

std::string Encode(std::string_view data, std::string_view alphabet, bool pad) {
  const std::size_t whole = data.size() / 3;
  const std::size_t left = data.size() % 3;
  std::string out(whole * 4 + (left == 0 ? 0 : pad ? 4 : left + 1), '=');
  char* o = out.data();
  std::size_t i = 0;
  for (; i < whole * 3; i += 3) {
    const std::uint32_t v = Byte(data, i) << 16 | Byte(data, i + 1) << 8 | Byte(data, i + 2);
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o++ = alphabet[v & 63];
  }
  if (left > 0) {
    std::uint32_t v = Byte(data, i) << 16;
    if (left == 2) v |= Byte(data, i + 1) << 8;
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    if (left == 2) *o++ = alphabet[(v >> 6) & 63];
    // The '=' padding, if any, is already in place.
  }
  return out;
}

// Decodes `text`, which holds no padding. A lone final character (6 bits) adds no byte.
std::optional<std::string> Decode(std::string_view text, const DecodeTable& values) {
  auto value = [&](std::size_t i) -> std::uint32_t {
    return values[static_cast<unsigned char>(text[i])];
  };
  const std::size_t whole = text.size() / 4;
  const std::size_t left = text.size() % 4;
  std::string out(whole * 3 + (left == 0 ? 0 : left - 1), '\0');
  char* o = out.data();
  std::size_t i = 0;
  for (; i < whole * 4; i += 4) {
    const std::uint32_t a = value(i), b = value(i + 1), c = value(i + 2), d = value(i + 3);
    if ((a | b | c | d) & 0x80) return std::nullopt;  // kInvalid is the only value with bit 7
    const std::uint32_t v = a << 18 | b << 12 | c << 6 | d;
    *o++ = static_cast<char>(v >> 16);
    *o++ = static_cast<char>((v >> 8) & 0xff);
    *o++ = static_cast<char>(v & 0xff);
  }
  if (left > 0) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < left; ++k) {
      const std::uint32_t x = value(i + k);
      if (x & 0x80) return std::nullopt;
      v |= x << (18 - 6 * k);
    }
    if (left >= 2) *o++ = static_cast<char>(v >> 16);
    if (left == 3) *o++ = static_cast<char>((v >> 8) & 0xff);
  }
  return out;
}

}  // namespace

std::string Base64Encode(std::string_view data) { return Encode(data, kStandardAlphabet, true); }

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  // At most two '=' at the very end; any other '=' is an invalid character for Decode.
  for (int i = 0; i < 2 && !text.empty() && text.back() == '='; ++i) text.remove_suffix(1);
  return Decode(text, kStandardValues);
}

std::string Base64UrlEncode(std::string_view data) { return Encode(data, kUrlAlphabet, false); }

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  return Decode(text, kUrlOrStandardValues);
}

}  // namespace hubspoke
