#include "http_server/request_parser.h"

#include <algorithm>
#include <utility>

#include "core/strings.h"

namespace hubspoke {
namespace {

constexpr size_t kMaxChunkLine = 1024;  // "1a2b;name=value"; generous for extensions
// Security: the body buffer grows with the bytes that actually arrive, never to the declared
// Content-Length up front, so headers alone cannot make us allocate max_body_bytes.
constexpr size_t kMaxBodyReserve = 64 * 1024;
constexpr size_t kKeepCapacity = 64 * 1024;  // larger buffers are released between requests

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// RFC 9110 §5.6.2 token characters: method and field names.
bool IsTokenChar(char c) {
  if (IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar);
}

// Field values: visible ASCII, SP, HTAB and obs-text; no other control characters.
bool IsFieldValueChar(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `fn` with each non-empty, trimmed element of every header called `name`.
template <typename Fn>
void ForEachListValue(const std::vector<HttpHeader>& headers, std::string_view name, Fn fn) {
  for (const HttpHeader& h : headers) {
    if (!EqualsIgnoreCase(h.name, name)) continue;
    std::string_view v = h.value;
    while (!v.empty()) {
      const size_t comma = v.find(',');
      const std::string_view item = TrimOws(v.substr(0, comma));
      if (!item.empty()) fn(item);
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
}

// Index of a '\n' not preceded by '\r' in s[from..), where s[from - 1] is `prev`; npos if none.
size_t FindBareLf(std::string_view s, size_t from, char prev) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 ? prev : s[i - 1]) != '\r') return i;
  }
  return std::string_view::npos;
}

}  // namespace

RequestParser::RequestParser(RequestLimits limits) : limits_(limits) {}

void RequestParser::Reset() {
  state_ = State::kHead;
  body_state_ = BodyState::kLength;
  started_ = false;
  head_.clear();
  head_bytes_ = 0;
  line_.clear();
  trailer_bytes_ = 0;
  remaining_ = 0;
  keep_alive_ = true;
  expect_continue_ = false;
  error_status_ = 0;
  error_reason_.clear();
  request_.method.clear();
  request_.target.clear();
  request_.path.clear();
  request_.query.clear();
  request_.headers.clear();
  request_.peer.clear();
  request_.http10 = false;
  request_.body.clear();
  if (request_.body.capacity() > kKeepCapacity) std::string().swap(request_.body);
  if (head_.capacity() > kKeepCapacity) std::string().swap(head_);
}

void RequestParser::Fail(int status, std::string reason) {
  state_ = State::kError;
  error_status_ = status;
  error_reason_ = std::move(reason);
}

void RequestParser::Finish() { state_ = State::kDone; }

size_t RequestParser::Feed(std::string_view data) {
  size_t used = 0;
  while (used < data.size() && (state_ == State::kHead || state_ == State::kBody)) {
    const std::string_view rest = data.substr(used);
    used += state_ == State::kHead ? FeedHead(rest) : FeedBody(rest);
  }
  return used;
}

size_t RequestParser::FeedHead(std::string_view data) {
  const size_t max = limits_.max_header_bytes;
  if (head_.empty()) {
    // RFC 9112 §2.2: empty lines before the request line are ignored (they still count
    // against the header limit, so a stream of them cannot go on forever).
    size_t skipped = 0;
    while (data.size() - skipped >= 2 && data[skipped] == '\r' && data[skipped + 1] == '\n') {
      skipped += 2;
    }
    if (skipped > 0) {
      head_bytes_ += skipped;
      if (head_bytes_ > max) Fail(431, "request header fields too large");
      return skipped;
    }
    started_ = true;  // empty lines alone do not start a request
    // Fast path: the whole head is in this read; parse it in place.
    const size_t end = data.find("\r\n\r\n");
    if (end != std::string_view::npos) {
      head_bytes_ += end + 4;
      if (head_bytes_ > max) {
        Fail(431, "request header fields too large");
      } else {
        ParseHead(data.substr(0, end + 2));
      }
      return end + 4;
    }
    head_bytes_ += data.size();
    if (head_bytes_ > max) {
      Fail(431, "request header fields too large");
    } else if (FindBareLf(data, 0, '\0') != std::string_view::npos) {
      Fail(400, "bare LF in request head");
    } else {
      head_.assign(data);
    }
    return data.size();
  }
  if (head_ == "\r" && data.front() == '\n') {
    // The CR of an empty line before the request line came alone, at the end of a read: the
    // line is complete now and is skipped like the others, whichever way the bytes were split
    // (found by fuzz/http_request_fuzz.cc: a client writing byte by byte got a 400).
    head_.clear();
    started_ = false;
    head_bytes_ += 1;
    if (head_bytes_ > max) Fail(431, "request header fields too large");
    return 1;
  }
  const size_t old = head_.size();
  const char prev = head_.back();
  head_.append(data);
  const size_t end = head_.find("\r\n\r\n", old >= 3 ? old - 3 : 0);
  if (end == std::string::npos) {
    head_bytes_ += data.size();
    if (head_bytes_ > max) {
      Fail(431, "request header fields too large");
    } else if (FindBareLf(data, 0, prev) != std::string_view::npos) {
      Fail(400, "bare LF in request head");
    }
    return data.size();
  }
  const size_t taken = end + 4 - old;
  head_bytes_ += taken;
  if (head_bytes_ > max) {
    Fail(431, "request header fields too large");
  } else {
    ParseHead(std::string_view(head_).substr(0, end + 2));
  }
  return taken;
}

void RequestParser::ParseHead(std::string_view head) {
  while (head.starts_with("\r\n")) head.remove_prefix(2);  // split empty lines, see FeedHead
  if (head.empty()) return Fail(400, "malformed request line");
  bool first = true;
  size_t pos = 0;
  while (pos < head.size()) {
    const size_t eol = head.find("\r\n", pos);  // the head ends with CRLF, so always found
    const std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
      return Fail(400, "bare CR, bare LF or NUL in request head");
    }
    if (first) {
      if (!ParseRequestLine(line)) return;
      first = false;
    } else if (!ParseHeaderLine(line)) {
      return;
    }
  }
  FinishHead();
}

bool RequestParser::ParseRequestLine(std::string_view line) {
  // method SP request-target SP HTTP-version, single spaces (RFC 9112 §3).
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    Fail(400, "malformed request line");
    return false;
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) {
    Fail(400, "malformed method");
    return false;
  }
  if (version.size() != 8 || !version.starts_with("HTTP/") || !IsDigit(version[5]) ||
      version[6] != '.' || !IsDigit(version[7])) {
    Fail(400, "malformed HTTP version");
    return false;
  }
  if (version[5] != '1') {
    Fail(505, "HTTP version not supported");
    return false;
  }
  if (target.empty() || !std::all_of(target.begin(), target.end(),
                                     [](char c) { return c > 0x20 && c < 0x7f && c != '#'; })) {
    Fail(400, "malformed request target");
    return false;
  }
  // Origin-form only, and "*" for OPTIONS. Security: absolute-form and authority-form would
  // make us a proxy; we are not one, so they are refused rather than half-understood.
  if (target.front() != '/' && !(target == "*" && method == "OPTIONS")) {
    Fail(400, "only origin-form request targets are accepted");
    return false;
  }
  request_.method.assign(method);
  request_.target.assign(target);
  const size_t question = target.find('?');
  request_.path.assign(target.substr(0, question));
  if (question != std::string_view::npos) request_.query.assign(target.substr(question + 1));
  request_.http10 = version[7] == '0';
  return true;
}

bool RequestParser::ParseHeaderLine(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') {
    // RFC 9112 §5.2: a server MUST reject obs-fold (or replace it); we reject.
    Fail(400, "obsolete line folding in headers");
    return false;
  }
  const size_t colon = line.find(':');
  // No whitespace between name and colon (RFC 9112 §5.1): the token check rejects it.
  if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
    Fail(400, "malformed header field name");
    return false;
  }
  const std::string_view value = TrimOws(line.substr(colon + 1));
  if (!std::all_of(value.begin(), value.end(), IsFieldValueChar)) {
    Fail(400, "control character in header field value");
    return false;
  }
  request_.headers.push_back(
      HttpHeader{.name = std::string(line.substr(0, colon)), .value = std::string(value)});
  return true;
}

void RequestParser::FinishHead() {
  const std::vector<HttpHeader>& headers = request_.headers;
  const bool http10 = request_.http10;

  // RFC 9112 §3.2: an HTTP/1.1 request without Host, or with more than one, gets a 400.
  int hosts = 0;
  for (const HttpHeader& h : headers) hosts += EqualsIgnoreCase(h.name, "host") ? 1 : 0;
  if (hosts > 1 || (hosts == 0 && !http10)) return Fail(400, "missing or repeated Host header");

  bool close = false;
  bool keep_alive = false;
  ForEachListValue(headers, "connection", [&](std::string_view token) {
    if (EqualsIgnoreCase(token, "close")) close = true;
    if (EqualsIgnoreCase(token, "keep-alive")) keep_alive = true;
  });
  keep_alive_ = !close && (!http10 || keep_alive);

  if (const std::string* expect = FindHeader(headers, "expect")) {
    // RFC 9110 §10.1.1: 100-continue is the only expectation; HTTP/1.0 ones are ignored.
    if (!EqualsIgnoreCase(*expect, "100-continue")) return Fail(417, "unsupported expectation");
    expect_continue_ = !http10;
  }

  bool has_te = false;
  size_t codings = 0;
  bool chunked_last = false;
  ForEachListValue(headers, "transfer-encoding", [&](std::string_view coding) {
    ++codings;
    chunked_last = EqualsIgnoreCase(coding, "chunked");
  });
  bool has_cl = false;
  for (const HttpHeader& h : headers) {
    has_te = has_te || EqualsIgnoreCase(h.name, "transfer-encoding");
    has_cl = has_cl || EqualsIgnoreCase(h.name, "content-length");
  }
  if (has_te) {
    // Security (request smuggling, RFC 9112 §6.1-6.3): Content-Length together with
    // Transfer-Encoding, or Transfer-Encoding in HTTP/1.0, is refused outright; a final coding
    // other than chunked leaves the body length unknowable.
    if (has_cl) return Fail(400, "both Content-Length and Transfer-Encoding");
    if (http10) return Fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (!chunked_last) return Fail(400, "Transfer-Encoding does not end with chunked");
    if (codings != 1) return Fail(501, "transfer coding not implemented");
    state_ = State::kBody;
    body_state_ = BodyState::kChunkSize;
    return;
  }
  if (!has_cl) return Finish();

  // Every element of every Content-Length header: digits only, all equal (RFC 9110 §8.6).
  bool bad = false;
  bool seen = false;
  size_t length = 0;
  for (const HttpHeader& h : headers) {
    if (EqualsIgnoreCase(h.name, "content-length") && h.value.empty()) bad = true;
  }
  ForEachListValue(headers, "content-length", [&](std::string_view item) {
    if (item.size() > 15 || !std::all_of(item.begin(), item.end(), IsDigit)) {
      bad = true;
      return;
    }
    size_t value = 0;
    for (char c : item) value = value * 10 + static_cast<size_t>(c - '0');
    if (seen && value != length) bad = true;
    seen = true;
    length = value;
  });
  if (bad || !seen) return Fail(400, "invalid or conflicting Content-Length");
  if (length > limits_.max_body_bytes) return Fail(413, "request body too large");
  if (length == 0) return Finish();
  request_.body.reserve(std::min(length, kMaxBodyReserve));
  remaining_ = length;
  state_ = State::kBody;
  body_state_ = BodyState::kLength;
}

size_t RequestParser::FeedLine(std::string_view data, size_t limit, bool* complete) {
  const size_t newline = data.find('\n');
  const size_t take = newline == std::string_view::npos ? data.size() : newline + 1;
  *complete = false;
  if (line_.size() + take > limit + 2) {  // + CRLF
    if (body_state_ == BodyState::kTrailers) {
      Fail(431, "request trailer fields too large");
    } else if (body_state_ == BodyState::kChunkDataEnd) {
      Fail(400, "missing CRLF after chunk data");
    } else {
      Fail(400, "chunk size line too long");
    }
    return take;
  }
  line_.append(data.substr(0, take));
  if (newline == std::string_view::npos) return take;
  if (line_.size() < 2 || line_[line_.size() - 2] != '\r') {
    Fail(400, "bare LF in chunked framing");
    return take;
  }
  line_.resize(line_.size() - 2);
  if (line_.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    Fail(400, "bare CR or NUL in chunked framing");
    return take;
  }
  *complete = true;
  return take;
}

size_t RequestParser::FeedBody(std::string_view data) {
  switch (body_state_) {
    case BodyState::kLength:
    case BodyState::kChunkData: {
      const size_t n = std::min(remaining_, data.size());
      request_.body.append(data.substr(0, n));
      remaining_ -= n;
      if (remaining_ == 0) {
        if (body_state_ == BodyState::kLength) {
          Finish();
        } else {
          body_state_ = BodyState::kChunkDataEnd;
        }
      }
      return n;
    }
    case BodyState::kChunkSize:
    case BodyState::kChunkDataEnd:
    case BodyState::kTrailers: {
      bool complete = false;
      size_t limit = kMaxChunkLine;
      if (body_state_ == BodyState::kChunkDataEnd) limit = 0;
      if (body_state_ == BodyState::kTrailers) {
        limit = limits_.max_header_bytes - std::min(trailer_bytes_, limits_.max_header_bytes);
      }
      const size_t taken = FeedLine(data, limit, &complete);
      if (!complete) return taken;
      if (body_state_ == BodyState::kChunkSize) {
        OnChunkSizeLine(line_);
      } else if (body_state_ == BodyState::kChunkDataEnd) {
        body_state_ = BodyState::kChunkSize;  // FeedLine's limit guarantees an empty line
      } else {
        trailer_bytes_ += line_.size() + 2;
        OnTrailerLine(line_);
      }
      line_.clear();
      return taken;
    }
  }
  return data.size();  // unreachable
}

void RequestParser::OnChunkSizeLine(std::string_view line) {
  // chunk-size [ BWS ";" chunk-ext ]: extensions are checked for control bytes and ignored.
  const size_t semicolon = line.find(';');
  std::string_view size_text = line.substr(0, semicolon);
  if (semicolon != std::string_view::npos) size_text = TrimOws(size_text);  // BWS before ';'
  if (size_text.empty() || size_text.size() > 15 ||
      !std::all_of(size_text.begin(), size_text.end(), IsHexDigit) ||
      !std::all_of(line.begin(), line.end(), IsFieldValueChar)) {
    return Fail(400, "malformed chunk size line");
  }
  size_t size = 0;
  for (char c : size_text) size = size * 16 + static_cast<size_t>(HexValue(c));
  if (size == 0) {
    body_state_ = BodyState::kTrailers;
    return;
  }
  if (size > limits_.max_body_bytes - request_.body.size()) {
    return Fail(413, "request body too large");
  }
  remaining_ = size;
  body_state_ = BodyState::kChunkData;
}

void RequestParser::OnTrailerLine(std::string_view line) {
  // Trailers are checked for shape and dropped: merging them would let a trailer override a
  // header after the handler's checks were designed around the headers.
  if (line.empty()) return Finish();
  const size_t colon = line.find(':');
  if (line.front() == ' ' || line.front() == '\t' || colon == std::string_view::npos ||
      !IsToken(line.substr(0, colon)) ||
      !std::all_of(line.begin() + static_cast<std::ptrdiff_t>(colon), line.end(),
                   IsFieldValueChar)) {
    Fail(400, "malformed trailer field");
  }
}

}  // namespace hubspoke
