#include "testing/fake_sts.h"

#include <httplib.h>

#include "core/percent_encoding.h"
#include "core/strings.h"
#include "core/time.h"
#include "hubspoke/sigv4.h"

namespace hubspoke::testing {
namespace {

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

std::string ErrorBody(const std::string& code, const std::string& message, int n) {
  return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender"
         "</Type><Code>" + code + "</Code><Message>" + XmlEscape(message) +
         "</Message></Error><RequestId>req-" + std::to_string(n) + "</RequestId></ErrorResponse>";
}

}  // namespace

FakeSts::FakeSts() : server_(std::make_unique<httplib::Server>()) {
  server_->Post("/", [this](const httplib::Request& req, httplib::Response& res) {
    Handle(&req, &res);
  });
  int port = server_->bind_to_any_port("127.0.0.1");
  url_ = "http://127.0.0.1:" + std::to_string(port);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // Bounded wait for the accept loop, so stop() in the destructor cannot miss it.
  for (int i = 0; i < 2000 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeSts::~FakeSts() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void FakeSts::AddKey(const std::string& id, const std::string& secret, const std::string& arn) {
  std::lock_guard<std::mutex> lock(mu_);
  keys_[id] = Identity{secret, "", arn};
}
void FakeSts::DenyRole(const std::string& role_arn) {
  std::lock_guard<std::mutex> lock(mu_);
  denied_.insert(role_arn);
}
void FakeSts::FailNext(ScriptedFailure failure) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.push_back(std::move(failure));
}
std::vector<StsCall> FakeSts::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}
std::vector<std::string> FakeSts::secrets() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, identity] : keys_) {
    out.push_back(identity.secret);
    if (!identity.token.empty()) out.push_back(identity.token);
  }
  return out;
}

void FakeSts::Handle(const void* request, void* response) {
  const auto& req = *static_cast<const httplib::Request*>(request);
  auto& res = *static_cast<httplib::Response*>(response);
  std::lock_guard<std::mutex> lock(mu_);
  int n = ++counter_;
  res.set_header("x-amzn-RequestId", "req-" + std::to_string(n));
  StsCall call;
  call.client_port = req.remote_port;
  auto form = FormDecode(req.body);
  if (form) {
    for (auto& [k, v] : *form) call.params[k] = v;
  }
  call.action = call.params["Action"];

  // SigV4: rebuild the request from the signed headers and recompute.
  auto auth = sigv4::ParseAuthorization(req.get_header_value("Authorization"));
  const Identity* identity = nullptr;
  if (auth) {
    call.access_key_id = auth->access_key_id;
    auto it = keys_.find(auth->access_key_id);
    if (it != keys_.end()) identity = &it->second;
  }
  if (auth && identity) {
    sigv4::SignableRequest signable{.method = req.method, .path = req.path, .body = req.body};
    for (const auto& name : auth->signed_headers)
      signable.headers.push_back({name, req.get_header_value(name.c_str())});
    auto time = ParseTimestamp(req.get_header_value("X-Amz-Date"));
    Credentials c;
    c.access_key_id = auth->access_key_id;
    c.secret_access_key = SecretString(identity->secret);
    if (time) {
      auto computed = sigv4::ComputeSignature(
          signable, c,
          sigv4::SigningParams{.region = auth->region, .service = auth->service, .time = *time});
      call.signature_ok = computed && computed->signature == auth->signature &&
                          req.get_header_value("X-Amz-Security-Token") == identity->token;
    }
  }
  calls_.push_back(call);

  if (!failures_.empty()) {
    ScriptedFailure f = failures_.front();
    failures_.pop_front();
    res.status = f.status;
    res.set_content(f.code.empty() ? "<html>oops</html>" : ErrorBody(f.code, "scripted", n),
                    "text/xml");
    return;
  }
  if (!identity) {
    res.status = 403;
    res.set_content(ErrorBody("InvalidClientTokenId",
                              "The security token included in the request is invalid.", n),
                    "text/xml");
    return;
  }
  if (!call.signature_ok) {
    res.status = 403;
    res.set_content(ErrorBody("SignatureDoesNotMatch",
                              "The request signature we calculated does not match the signature "
                              "you provided.", n),
                    "text/xml");
    return;
  }
  if (call.action == "GetCallerIdentity") {
    res.set_content("<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>" + identity->arn +
                        "</Arn><UserId>U</UserId><Account>" + identity->arn.substr(13, 12) +
                        "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>req-" +
                        std::to_string(n) + "</RequestId></ResponseMetadata>"
                        "</GetCallerIdentityResponse>",
                    "text/xml");
    return;
  }
  const std::string role = call.params["RoleArn"];
  if (denied_.count(role)) {
    res.status = 403;
    res.set_content(ErrorBody("AccessDenied", "User: " + identity->arn +
                                                  " is not authorized to perform: sts:AssumeRole "
                                                  "on resource: " + role, n),
                    "text/xml");
    return;
  }
  // arn:aws:iam::ACCOUNT:role/path/name → arn:aws:sts::ACCOUNT:assumed-role/name/session
  auto parts = Split(role, ':');
  std::string name = role.substr(role.rfind('/') + 1);
  std::string session = call.params["RoleSessionName"];
  std::string assumed = "arn:" + parts[1] + ":sts::" + parts[4] + ":assumed-role/" + name + "/" +
                        session;
  std::string key = "ASIAFAKE" + std::to_string(100000000000 + n);
  std::string secret = "fakeSecret/" + std::to_string(n) + "+wJalrXUtnFEMIK7MDENGbPxRfiCY";
  std::string token = "FwoGZXIvYXdzEfake" + std::to_string(n) + std::string(120, 'T');
  keys_[key] = Identity{secret, token, assumed};
  int duration = call.params.count("DurationSeconds") ? std::stoi(call.params["DurationSeconds"])
                                                      : 3600;
  std::string expiration =
      FormatRfc3339(std::chrono::system_clock::now() + std::chrono::seconds(duration));
  res.set_content(
      "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
      "<Credentials><AccessKeyId>" + key + "</AccessKeyId><SecretAccessKey>" + secret +
          "</SecretAccessKey><SessionToken>" + token + "</SessionToken><Expiration>" + expiration +
          "</Expiration></Credentials><AssumedRoleUser><Arn>" + XmlEscape(assumed) +
          "</Arn><AssumedRoleId>AROAFAKE:" + XmlEscape(session) +
          "</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>"
          "req-" + std::to_string(n) + "</RequestId></ResponseMetadata></AssumeRoleResponse>",
      "text/xml");
}

}  // namespace hubspoke::testing
