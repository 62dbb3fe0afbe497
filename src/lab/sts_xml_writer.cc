#include "lab/sts_xml_writer.h"

#include "core/time.h"

namespace hubspoke::lab {
namespace {

std::string Element(std::string_view name, std::string_view text) {
  std::string out = "<" + std::string(name) + ">";
  out += XmlEscape(text);
  out += "</" + std::string(name) + ">";
  return out;
}

std::string CredentialsXml(const IssuedCredentials& c) {
  return "<Credentials>" + Element("AccessKeyId", c.access_key_id) +
         Element("SecretAccessKey", c.secret_access_key) +
         Element("SessionToken", c.session_token) +
         Element("Expiration", FormatRfc3339(c.expiration)) + "</Credentials>";
}

std::string UserXml(const AssumedRoleUser& u) {
  return "<AssumedRoleUser>" + Element("AssumedRoleId", u.assumed_role_id) +
         Element("Arn", u.arn) + "</AssumedRoleUser>";
}

std::string Envelope(std::string_view op, const std::string& result, std::string_view request_id) {
  std::string o(op);
  return "<" + o + "Response xmlns=\"" + kStsNamespace + "\">\n  <" + o + "Result>" + result +
         "</" + o + "Result>\n  <ResponseMetadata>" + Element("RequestId", request_id) +
         "</ResponseMetadata>\n</" + o + "Response>\n";
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string AssumeRoleResponseXml(const IssuedCredentials& credentials,
                                  const AssumedRoleUser& user,
                                  std::optional<int> packed_policy_size,
                                  std::string_view source_identity, std::string_view request_id) {
  std::string result = UserXml(user) + CredentialsXml(credentials);
  if (packed_policy_size) result += Element("PackedPolicySize", std::to_string(*packed_policy_size));
  if (!source_identity.empty()) result += Element("SourceIdentity", source_identity);
  return Envelope("AssumeRole", result, request_id);
}

std::string AssumeRoleWithWebIdentityResponseXml(const IssuedCredentials& credentials,
                                                 const AssumedRoleUser& user,
                                                 std::string_view subject,
                                                 std::string_view provider,
                                                 std::string_view audience,
                                                 std::optional<int> packed_policy_size,
                                                 std::string_view request_id) {
  std::string result = Element("Audience", audience) + UserXml(user) +
                       Element("Provider", provider) + CredentialsXml(credentials) +
                       Element("SubjectFromWebIdentityToken", subject);
  if (packed_policy_size) result += Element("PackedPolicySize", std::to_string(*packed_policy_size));
  return Envelope("AssumeRoleWithWebIdentity", result, request_id);
}

std::string GetCallerIdentityResponseXml(std::string_view arn, std::string_view user_id,
                                         std::string_view account, std::string_view request_id) {
  return Envelope("GetCallerIdentity",
                  Element("Arn", arn) + Element("UserId", user_id) + Element("Account", account),
                  request_id);
}

std::string ErrorResponseXml(bool sender, std::string_view code, std::string_view message,
                             std::string_view request_id) {
  return std::string("<ErrorResponse xmlns=\"") + kStsNamespace + "\">\n  <Error>" +
         Element("Type", sender ? "Sender" : "Receiver") + Element("Code", code) +
         Element("Message", message) + "</Error>\n  " + Element("RequestId", request_id) +
         "\n</ErrorResponse>\n";
}

}  // namespace hubspoke::lab
