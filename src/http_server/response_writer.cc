#include "http_server/response_writer.h"

#include <algorithm>
#include <ctime>

#include "core/strings.h"

namespace hubspoke {
namespace {

bool IsTokenChar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Security: a header the handler built from request data must not be able to split the
// response (CR/LF) or end it early (NUL confuses C-string based clients).
bool IsSafeHeader(const HttpHeader& h) {
  return !h.name.empty() && std::all_of(h.name.begin(), h.name.end(), IsTokenChar) &&
         h.value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

// The framing headers belong to the server.
bool IsServerOwned(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
         EqualsIgnoreCase(name, "connection") || EqualsIgnoreCase(name, "keep-alive");
}

void AppendStatusLine(int status, std::string* out) {
  out->append("HTTP/1.1 ");
  out->append(std::to_string(status));
  out->push_back(' ');
  out->append(ReasonPhrase(status));
  out->append("\r\n");
}

constexpr struct {
  int status;
  std::string_view reason;
} kReasons[] = {
    {100, "Continue"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {206, "Partial Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {411, "Length Required"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {417, "Expectation Failed"},
    {422, "Unprocessable Content"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
};

}  // namespace

std::string_view ReasonPhrase(int status) {
  for (const auto& [code, reason] : kReasons) {
    if (code == status) return reason;
  }
  return "";
}

std::string HttpDate(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);  // %a and %b are English in the "C" locale strftime uses here
}

const std::string& CachedHttpDate() {
  thread_local std::time_t cached_second = -1;
  thread_local std::string cached;
  const auto now = std::chrono::system_clock::now();
  const std::time_t second = std::chrono::system_clock::to_time_t(now);
  if (second != cached_second) {
    cached_second = second;
    cached = HttpDate(now);
  }
  return cached;
}

void AppendResponse(const ServerResponse& response, bool head_only, ConnectionHeader connection,
                    std::string_view date, std::string* out) {
  const bool valid = response.status >= 200 && response.status <= 599 &&
                     std::all_of(response.headers.begin(), response.headers.end(), IsSafeHeader);
  if (!valid) {
    out->append(ErrorResponse(500, "the handler's response cannot be sent", date,
                              connection == ConnectionHeader::kClose));
    return;
  }
  const int status = response.status;
  const bool no_body = status == 204 || status == 304;
  out->reserve(out->size() + 128 + response.body.size() + 32 * response.headers.size());
  AppendStatusLine(status, out);
  bool has_date = false;
  for (const HttpHeader& h : response.headers) {
    if (IsServerOwned(h.name)) continue;
    has_date = has_date || EqualsIgnoreCase(h.name, "date");
    out->append(h.name);
    out->append(": ");
    out->append(h.value);
    out->append("\r\n");
  }
  if (!has_date) {
    out->append("Date: ");
    out->append(date);
    out->append("\r\n");
  }
  if (!no_body) {
    out->append("Content-Length: ");
    out->append(std::to_string(response.body.size()));
    out->append("\r\n");
  }
  if (connection == ConnectionHeader::kClose) out->append("Connection: close\r\n");
  if (connection == ConnectionHeader::kKeepAlive) out->append("Connection: keep-alive\r\n");
  out->append("\r\n");
  if (!head_only && !no_body) out->append(response.body);
}

std::string ErrorResponse(int status, std::string_view reason, std::string_view date, bool close) {
  std::string body(ReasonPhrase(status));
  if (!reason.empty()) {
    body.append(": ");
    body.append(reason);
  }
  body.push_back('\n');
  std::string out;
  out.reserve(160 + body.size());
  AppendStatusLine(status, &out);
  out.append("Date: ");
  out.append(date);
  out.append("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ");
  out.append(std::to_string(body.size()));
  out.append(close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n");
  out.append(body);
  return out;
}

}  // namespace hubspoke
