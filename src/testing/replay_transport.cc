#include "testing/replay_transport.h"

#include <nlohmann/json.hpp>

#include <set>

#include "core/percent_encoding.h"
#include "core/strings.h"
#include "core/url.h"

namespace hubspoke::testing {
namespace {

using nlohmann::json;

Error Bad(const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, "http-traffic.json: " + what);
}

// Rejects keys a scenario author may have misspelt.
Status OnlyKeys(const json& object, const std::set<std::string>& allowed, const std::string& where) {
  if (!object.is_object()) return Bad(where + " must be an object");
  for (const auto& [key, value] : object.items()) {
    if (!allowed.count(key)) return Bad(where + ": unknown key '" + key + "'");
  }
  return Ok();
}

Result<std::vector<std::pair<std::string, std::string>>> StringMap(const json& object,
                                                                  const std::string& where) {
  if (!object.is_object()) return Bad(where + " must be an object of strings");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : object.items()) {
    if (!value.is_string()) return Bad(where + "." + key + " must be a string");
    out.emplace_back(key, value.get<std::string>());
  }
  return out;
}

Result<std::vector<std::string>> StringList(const json& list, const std::string& where) {
  if (!list.is_array()) return Bad(where + " must be a list of strings");
  std::vector<std::string> out;
  for (const auto& v : list) {
    if (!v.is_string()) return Bad(where + " must be a list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<ExpectedRequest> ParseRequest(const json& j, const std::string& where) {
  if (auto s = OnlyKeys(j, {"method", "url", "host", "path", "query", "headers", "absent_headers",
                            "form", "absent_form", "body_contains"},
                        where);
      !s) {
    return std::move(s).error();
  }
  ExpectedRequest r;
  r.method = j.value("method", "");
  r.url = j.value("url", "");
  r.host = j.value("host", "");
  r.path = j.value("path", "");
  if (r.method.empty()) return Bad(where + ": method is required");
  if (r.url.empty() == (r.host.empty() || r.path.empty())) {
    return Bad(where + ": give either url, or host and path");
  }
  if (!r.url.empty() && j.contains("query")) return Bad(where + ": query goes with host and path");
  struct Map {
    const char* key;
    std::vector<std::pair<std::string, std::string>>* out;
  };
  for (Map m : {Map{"query", &r.query}, Map{"headers", &r.headers}, Map{"form", &r.form}}) {
    if (!j.contains(m.key)) continue;
    auto v = StringMap(j[m.key], where + "." + m.key);
    if (!v) return std::move(v).error();
    *m.out = std::move(*v);
  }
  struct List {
    const char* key;
    std::vector<std::string>* out;
  };
  for (List l : {List{"absent_headers", &r.absent_headers}, List{"absent_form", &r.absent_form},
                 List{"body_contains", &r.body_contains}}) {
    if (!j.contains(l.key)) continue;
    auto v = StringList(j[l.key], where + "." + l.key);
    if (!v) return std::move(v).error();
    *l.out = std::move(*v);
  }
  return r;
}

Result<ReplayResponse> ParseResponse(const json& j, const std::string& where) {
  if (auto s = OnlyKeys(j, {"status", "headers", "body", "json", "error"}, where); !s) {
    return std::move(s).error();
  }
  ReplayResponse r;
  if (j.contains("error")) {
    r.error = j.value("error", "");
    if (r.error != "network" && r.error != "timeout") {
      return Bad(where + ".error must be \"network\" or \"timeout\"");
    }
    if (j.size() != 1) return Bad(where + ": an error response has nothing else");
    return r;
  }
  if (!j.contains("status") || !j["status"].is_number_integer()) {
    return Bad(where + ".status (an integer) is required");
  }
  r.status = j["status"].get<int>();
  if (j.contains("headers")) {
    auto h = StringMap(j["headers"], where + ".headers");
    if (!h) return std::move(h).error();
    for (auto& [k, v] : *h) r.headers.push_back({k, v});
  }
  if (j.contains("body") && j.contains("json")) return Bad(where + ": body or json, not both");
  if (j.contains("body")) {
    if (!j["body"].is_string()) return Bad(where + ".body must be a string");
    r.body = j["body"].get<std::string>();
  }
  if (j.contains("json")) r.body = j["json"].dump();
  return r;
}

// "value", "*" (any value) or "prefix*".
bool ValueMatches(const std::string& pattern, const std::string& value) {
  if (pattern == "*") return true;
  if (!pattern.empty() && pattern.back() == '*') {
    return value.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
  }
  return pattern == value;
}

const std::string* FindParam(const FormParams& params, const std::string& name) {
  for (const auto& [k, v] : params) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string Describe(const HttpRequest& r) { return r.method + " " + r.url; }

}  // namespace

Result<std::vector<RecordedExchange>> ParseHttpTraffic(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("not valid JSON");
  if (auto s = OnlyKeys(j, {"events", "comment"}, "the document"); !s) return std::move(s).error();
  if (!j.contains("events") || !j["events"].is_array()) return Bad("events must be a list");
  std::vector<RecordedExchange> out;
  for (std::size_t i = 0; i < j["events"].size(); ++i) {
    const json& e = j["events"][i];
    const std::string where = "events[" + std::to_string(i) + "]";
    if (auto s = OnlyKeys(e, {"name", "request", "response"}, where); !s) {
      return std::move(s).error();
    }
    if (!e.contains("request") || !e.contains("response")) {
      return Bad(where + ": request and response are required");
    }
    RecordedExchange x;
    x.name = e.value("name", "#" + std::to_string(i + 1));
    auto request = ParseRequest(e["request"], where + ".request");
    if (!request) return std::move(request).error();
    x.request = std::move(*request);
    auto response = ParseResponse(e["response"], where + ".response");
    if (!response) return std::move(response).error();
    x.response = std::move(*response);
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<std::string> ReplayTransport::Mismatches(const ExpectedRequest& want,
                                                     const HttpRequest& got) {
  std::vector<std::string> why;
  if (want.method != got.method) why.push_back("method " + got.method + ", expected " + want.method);
  if (!want.url.empty()) {
    if (want.url != got.url) why.push_back("URL " + got.url + ", expected " + want.url);
  } else {
    auto url = ParseUrl(got.url);
    if (!url) {
      why.push_back("unparsable URL " + got.url);
      return why;
    }
    const std::string target = url->target;
    const std::size_t q = target.find('?');
    const std::string path = target.substr(0, q);
    if (url->Authority() != want.host) {
      why.push_back("host " + url->Authority() + ", expected " + want.host);
    }
    if (path != want.path) why.push_back("path " + path + ", expected " + want.path);
    auto query = FormDecode(q == std::string::npos ? "" : target.substr(q + 1));
    if (!query) {
      why.push_back("unparsable query");
    } else {
      for (const auto& [k, v] : want.query) {
        const std::string* have = FindParam(*query, k);
        if (!have) {
          why.push_back("missing query parameter " + k);
        } else if (*have != v) {
          why.push_back("query " + k + "=" + *have + ", expected " + v);
        }
      }
    }
  }
  for (const auto& [name, pattern] : want.headers) {
    const std::string* have = FindHeader(got.headers, name);
    if (!have) {
      why.push_back("missing header " + name);
    } else if (!ValueMatches(pattern, *have)) {
      why.push_back("header " + name + " does not match " + pattern);
    }
  }
  for (const auto& name : want.absent_headers) {
    if (FindHeader(got.headers, name)) why.push_back("unexpected header " + name);
  }
  if (!want.form.empty() || !want.absent_form.empty()) {
    auto form = FormDecode(got.body);
    if (!form) {
      why.push_back("body is not a form");
    } else {
      for (const auto& [k, v] : want.form) {
        const std::string* have = FindParam(*form, k);
        if (!have) {
          why.push_back("missing form field " + k);
        } else if (!ValueMatches(v, *have)) {
          why.push_back("form " + k + "=" + *have + ", expected " + v);
        }
      }
      for (const auto& k : want.absent_form) {
        if (FindParam(*form, k)) why.push_back("unexpected form field " + k);
      }
    }
  }
  for (const auto& part : want.body_contains) {
    if (got.body.find(part) == std::string::npos) why.push_back("body lacks " + part);
  }
  return why;
}

Result<HttpResponse> ReplayTransport::Send(const HttpRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  auto refuse = [&](const std::string& problem) -> Result<HttpResponse> {
    // Clients retry transport errors: the same refusal again is one problem, not four.
    if (problems_.empty() || problems_.back() != problem) problems_.push_back(problem);
    return Error(ErrorCode::kInternal, "replay transport: request not in the scenario");
  };
  if (next_ >= exchanges_.size()) {
    return refuse("unexpected request " + Describe(request) + ": all " +
                  std::to_string(exchanges_.size()) + " recorded exchanges are used");
  }
  const RecordedExchange& expected = exchanges_[next_];
  auto why = Mismatches(expected.request, request);
  if (!why.empty()) {
    for (std::size_t later = next_ + 1; later < exchanges_.size(); ++later) {
      if (Mismatches(exchanges_[later].request, request).empty()) {
        return refuse("out of order: " + Describe(request) + " is exchange " +
                      exchanges_[later].name + ", but " + expected.name + " comes first");
      }
    }
    std::string list;
    for (const auto& w : why) list += (list.empty() ? "" : "; ") + w;
    return refuse("request " + Describe(request) + " does not match exchange " + expected.name +
                  ": " + list);
  }
  ++next_;
  const ReplayResponse& r = expected.response;
  if (r.error == "network") {
    return Error(ErrorCode::kNetwork, "connect to " + request.url + ": connection refused");
  }
  if (r.error == "timeout") {
    return Error(ErrorCode::kTimeout, "no answer from " + request.url + " in time");
  }
  return HttpResponse{.status = r.status, .headers = r.headers, .body = r.body};
}

std::vector<std::string> ReplayTransport::problems() const {
  std::lock_guard<std::mutex> lock(mu_);
  return problems_;
}

std::vector<std::string> ReplayTransport::unconsumed() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (std::size_t i = next_; i < exchanges_.size(); ++i) {
    out.push_back(exchanges_[i].name + " (" + exchanges_[i].request.method + " " +
                  (exchanges_[i].request.url.empty()
                       ? exchanges_[i].request.host + exchanges_[i].request.path
                       : exchanges_[i].request.url) +
                  ")");
  }
  return out;
}

std::size_t ReplayTransport::consumed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_;
}

}  // namespace hubspoke::testing
