#include "http/http_parser.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "core/strings.h"

namespace hubspoke {
namespace {

constexpr size_t kMaxChunkLine = 4096;  // "1a2b;name=value" lines; generous for extensions

Error Malformed(const std::string& what) {
  return Error(ErrorCode::kParse, "malformed HTTP response: " + what);
}

Error TooLarge(const std::string& what) {
  return Error(ErrorCode::kNetwork, "response too large: " + what);
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 9110 token characters (header field names).
bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The comma-separated elements of every header called `name`, trimmed, empty ones dropped.
std::vector<std::string_view> ListValues(const std::vector<HttpHeader>& headers,
                                         std::string_view name) {
  std::vector<std::string_view> out;
  for (const HttpHeader& h : headers) {
    if (!EqualsIgnoreCase(h.name, name)) continue;
    std::string_view v = h.value;
    while (!v.empty()) {
      const size_t comma = v.find(',');
      std::string_view item = TrimOws(v.substr(0, comma));
      if (!item.empty()) out.push_back(item);
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
  return out;
}

bool HasToken(const std::vector<HttpHeader>& headers, std::string_view name,
              std::string_view token) {
  for (std::string_view item : ListValues(headers, name)) {
    if (EqualsIgnoreCase(item, token)) return true;
  }
  return false;
}

// A decimal length; every Content-Length element (including repeats) must agree.
Result<std::optional<size_t>> ContentLength(const std::vector<HttpHeader>& headers) {
  std::optional<size_t> length;
  for (std::string_view item : ListValues(headers, "content-length")) {
    if (item.size() > 15 || !std::all_of(item.begin(), item.end(), IsDigit)) {
      return Malformed("invalid Content-Length \"" + std::string(item.substr(0, 32)) + "\"");
    }
    size_t value = 0;
    for (char c : item) value = value * 10 + static_cast<size_t>(c - '0');
    if (length && *length != value) return Malformed("conflicting Content-Length headers");
    length = value;
  }
  for (const HttpHeader& h : headers) {
    if (EqualsIgnoreCase(h.name, "content-length") && TrimOws(h.value).empty()) {
      return Malformed("empty Content-Length");
    }
  }
  return length;
}

}  // namespace

ResponseParser::ResponseParser(std::string_view method, ResponseLimits limits)
    : method_(method), limits_(limits) {}

bool ResponseParser::headers_done() const {
  return state_ != State::kStatusLine && state_ != State::kHeaders;
}

size_t ResponseParser::LineBudget() const {
  switch (state_) {
    case State::kStatusLine:
    case State::kHeaders:
      return limits_.max_header_bytes - std::min(header_bytes_, limits_.max_header_bytes);
    case State::kTrailers:
      return limits_.max_header_bytes - std::min(trailer_bytes_, limits_.max_header_bytes);
    default:
      return kMaxChunkLine;
  }
}

Status ResponseParser::Feed(std::string_view data) {
  while (!data.empty() && state_ != State::kDone) {
    switch (state_) {
      case State::kBodyByLength:
      case State::kChunkData: {
        const size_t n = std::min(remaining_, data.size());
        if (Status s = AppendBody(data.substr(0, n)); !s) return s;
        data.remove_prefix(n);
        remaining_ -= n;
        if (remaining_ == 0) {
          state_ = state_ == State::kChunkData ? State::kChunkDataEnd : State::kDone;
        }
        break;
      }
      case State::kBodyToEof: {
        if (Status s = AppendBody(data); !s) return s;
        data = {};
        break;
      }
      default: {  // line-oriented states
        const size_t newline = data.find('\n');
        const size_t take = newline == std::string_view::npos ? data.size() : newline + 1;
        if (pending_line_.size() + take > LineBudget()) {
          if (state_ == State::kStatusLine || state_ == State::kHeaders) {
            return TooLarge("headers exceed " + std::to_string(limits_.max_header_bytes) +
                            " bytes");
          }
          if (state_ == State::kTrailers) {
            return TooLarge("trailers exceed " + std::to_string(limits_.max_header_bytes) +
                            " bytes");
          }
          return Malformed("chunk size line too long");
        }
        if (newline == std::string_view::npos) {
          pending_line_.append(data);
          return Ok();
        }
        std::string_view line = data.substr(0, newline);
        if (!pending_line_.empty()) {
          pending_line_.append(line);
          line = pending_line_;
        }
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const size_t counted = pending_line_.empty() ? take : pending_line_.size() + 1;
        if (state_ == State::kStatusLine || state_ == State::kHeaders) header_bytes_ += counted;
        if (state_ == State::kTrailers) trailer_bytes_ += counted;
        Status s = OnLine(line);
        pending_line_.clear();
        if (!s) return s;
        data.remove_prefix(take);
        break;
      }
    }
  }
  if (!data.empty()) excess_ = true;
  return Ok();
}

Status ResponseParser::OnLine(std::string_view line) {
  if (line.find('\0') != std::string_view::npos || line.find('\r') != std::string_view::npos) {
    return Malformed("stray CR or NUL byte in a header or chunk line");
  }
  switch (state_) {
    case State::kStatusLine:
      return OnStatusLine(line);
    case State::kHeaders:
      return OnHeaderLine(line);
    case State::kChunkSize:
      return OnChunkSizeLine(line);
    case State::kChunkDataEnd:
      if (!line.empty()) return Malformed("missing CRLF after chunk data");
      state_ = State::kChunkSize;
      return Ok();
    case State::kTrailers:
      return OnTrailerLine(line);
    default:
      return Error(ErrorCode::kInternal, "HTTP parser: line in a body state");
  }
}

Status ResponseParser::OnStatusLine(std::string_view line) {
  // HTTP-version SP 3DIGIT [SP reason-phrase]; the SP before an empty reason is optional here.
  if (line.size() < 12 || !line.starts_with("HTTP/1.") || !IsDigit(line[7]) || line[8] != ' ') {
    return Malformed("bad status line \"" + Printable(line, 40) + "\"");
  }
  if (!IsDigit(line[9]) || !IsDigit(line[10]) || !IsDigit(line[11]) ||
      (line.size() > 12 && line[12] != ' ') || line[9] == '0') {
    return Malformed("bad status code in status line");
  }
  http10_ = line[7] == '0';
  response_.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  response_.headers.clear();
  state_ = State::kHeaders;
  return Ok();
}

Status ResponseParser::OnHeaderLine(std::string_view line) {
  if (line.empty()) return OnHeadersEnd();
  if (line.front() == ' ' || line.front() == '\t') {
    // obs-fold (RFC 9112 §5.2): tolerated, replaced by a single space.
    if (response_.headers.empty()) return Malformed("continuation line before any header");
    std::string& value = response_.headers.back().value;
    std::string_view more = TrimOws(line);
    if (!more.empty()) {
      if (!value.empty()) value += ' ';
      value.append(more);
    }
    return Ok();
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      !std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon), IsTokenChar)) {
    return Malformed("bad header line (expected \"Name: value\")");
  }
  response_.headers.push_back(HttpHeader{.name = std::string(line.substr(0, colon)),
                                         .value = std::string(TrimOws(line.substr(colon + 1)))});
  return Ok();
}

Status ResponseParser::OnHeadersEnd() {
  const int status = response_.status;
  if (status == 101) return Malformed("unexpected 101 Switching Protocols");
  if (status < 200) {  // interim response: the real one follows
    state_ = State::kStatusLine;
    response_.headers.clear();
    return Ok();
  }
  const std::vector<HttpHeader>& headers = response_.headers;
  keep_alive_ = http10_ ? HasToken(headers, "connection", "keep-alive")
                        : !HasToken(headers, "connection", "close");
  if (method_ == "HEAD" || status == 204 || status == 304 ||
      (method_ == "CONNECT" && status < 300)) {
    state_ = State::kDone;
    return Ok();
  }
  const std::vector<std::string_view> codings = ListValues(headers, "transfer-encoding");
  if (!codings.empty()) {
    // RFC 9112 §6.3: Transfer-Encoding wins over Content-Length, and a message with both is
    // suspect (request smuggling), so the connection is not reused after it.
    if (!ListValues(headers, "content-length").empty()) keep_alive_ = false;
    if (EqualsIgnoreCase(codings.back(), "chunked")) {
      state_ = State::kChunkSize;
    } else {
      state_ = State::kBodyToEof;
      keep_alive_ = false;
    }
    return Ok();
  }
  Result<std::optional<size_t>> length = ContentLength(headers);
  if (!length) return length.error();
  if (!length->has_value()) {
    state_ = State::kBodyToEof;
    keep_alive_ = false;
    return Ok();
  }
  remaining_ = **length;
  if (remaining_ > limits_.max_body_bytes) {
    return TooLarge("body of " + std::to_string(remaining_) + " bytes exceeds " +
                    std::to_string(limits_.max_body_bytes));
  }
  response_.body.reserve(remaining_);
  state_ = remaining_ == 0 ? State::kDone : State::kBodyByLength;
  return Ok();
}

Status ResponseParser::OnChunkSizeLine(std::string_view line) {
  // chunk-size [ BWS ";" chunk-ext ] — extensions are ignored.
  std::string_view size_text = TrimOws(line.substr(0, line.find(';')));
  if (size_text.empty() || size_text.size() > 15 ||
      !std::all_of(size_text.begin(), size_text.end(),
                   [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; })) {
    return Malformed("bad chunk size line");
  }
  size_t size = 0;
  for (char c : size_text) {
    const char l = Lower(c);
    size = size * 16 + static_cast<size_t>(IsDigit(l) ? l - '0' : l - 'a' + 10);
  }
  if (size == 0) {
    state_ = State::kTrailers;
    return Ok();
  }
  if (size > limits_.max_body_bytes - response_.body.size()) {
    return TooLarge("chunked body exceeds " + std::to_string(limits_.max_body_bytes) + " bytes");
  }
  remaining_ = size;
  state_ = State::kChunkData;
  return Ok();
}

Status ResponseParser::OnTrailerLine(std::string_view line) {
  // Trailers are checked for shape and dropped: nothing we call sends ones we need, and merging
  // them into the headers would let a trailer override a header after the fact.
  if (line.empty()) {
    state_ = State::kDone;
    return Ok();
  }
  if (line.front() == ' ' || line.front() == '\t') return Ok();  // folded trailer
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      !std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon), IsTokenChar)) {
    return Malformed("bad trailer line");
  }
  return Ok();
}

Status ResponseParser::AppendBody(std::string_view data) {
  if (data.size() > limits_.max_body_bytes - response_.body.size()) {
    return TooLarge("body exceeds " + std::to_string(limits_.max_body_bytes) + " bytes");
  }
  response_.body.append(data);
  return Ok();
}

Status ResponseParser::FinishAtEof() {
  switch (state_) {
    case State::kDone:
      return Ok();
    case State::kBodyToEof:
      state_ = State::kDone;
      return Ok();
    case State::kStatusLine:
      if (header_bytes_ == 0 && pending_line_.empty()) {
        return Error(ErrorCode::kNetwork, "connection closed before any response");
      }
      [[fallthrough]];
    case State::kHeaders:
      return Error(ErrorCode::kNetwork,
                   "connection closed before the response was complete (in the headers)");
    case State::kBodyByLength:
      return Error(ErrorCode::kNetwork,
                   "connection closed before the response was complete (body: " +
                       std::to_string(response_.body.size()) + " of " +
                       std::to_string(response_.body.size() + remaining_) + " bytes)");
    default:
      return Error(ErrorCode::kNetwork,
                   "connection closed before the response was complete (in the chunked body)");
  }
}

}  // namespace hubspoke
