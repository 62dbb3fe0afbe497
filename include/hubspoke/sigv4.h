// AWS Signature Version 4. Pure: time is a parameter, nothing here reads the clock or the
// environment. Verified against the aws-c-auth SigV4 suite (header and query variants).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/credentials.h"
#include "hubspoke/http.h"
#include "hubspoke/result.h"

namespace hubspoke::sigv4 {

// A request as it will go on the wire. path and query are raw (already percent-encoded as the
// client will send them); headers keep their order and case. SigV4 signs the Host header, so
// `headers` must contain one.
struct SignableRequest {
  std::string method;
  std::string path = "/";
  std::string query;  // without '?'
  std::vector<HttpHeader> headers;
  std::string body;
};

enum class Placement { kHeaders, kQuery };

struct SigningParams {
  std::string region;
  std::string service;
  std::chrono::system_clock::time_point time;
  Placement placement = Placement::kHeaders;
  bool normalize_path = true;             // RFC 3986 remove_dot_segments, collapse '//'
  bool double_encode_path = true;         // every service but S3
  bool sign_body = false;                 // add and sign x-amz-content-sha256
  bool omit_session_token = false;        // add X-Amz-Security-Token after signing (unsigned)
  std::chrono::seconds expires_in{3600};  // X-Amz-Expires, query placement only, 1 s to 7 days
  // Server side only: sign exactly these header names (lower-case), as the client listed them
  // in SignedHeaders. Empty: every header except authorization, user-agent, expect,
  // x-amzn-trace-id and the hop-by-hop headers (connection, keep-alive, proxy-authenticate,
  // proxy-authorization, te, trailer, transfer-encoding, upgrade): botocore's exclusions,
  // headers that proxies add, rewrite or drop.
  // (Initialized so designated initializers may omit it under -Wmissing-field-initializers.)
  std::vector<std::string> signed_headers = {};
};

// The intermediate artifacts, exposed for tests, debugging and server-side verification.
struct SigningArtifacts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lower-case hex
  std::string signed_headers;
  std::string credential_scope;  // yyyymmdd/region/service/aws4_request
};

// Signs `request` in place: adds X-Amz-Date (and X-Amz-Security-Token, x-amz-content-sha256)
// and the Authorization header, or the X-Amz-* query parameters for Placement::kQuery. Any
// signing headers or X-Amz-* signing parameters already present are replaced, so signing twice
// is harmless. On error (kInvalidArgument: empty key, no Host header, bad percent-escape in the
// query, CR/LF in a header, …) `request` is left unchanged.
Result<SigningArtifacts> Sign(SignableRequest& request, const Credentials& credentials,
                              const SigningParams& params);

// Computes the signature of a request that already carries its signing inputs, without changing
// it; Sign() is this plus adding those inputs. Server-side verification calls it with the
// client's request and the parameters read from its Authorization header (or presigned query).
// - kHeaders: the request must carry an X-Amz-Date header equal to params.time; an
//   Authorization header is ignored.
// - kQuery: the query must carry X-Amz-Date equal to params.time; X-Amz-Signature is left out of
//   the canonical query; the signed headers are those of X-Amz-SignedHeaders when present.
// The payload hash is always computed from `body` (a client's x-amz-content-sha256 header is
// signed as a header, never trusted as the hash). credentials.session_token is not used: a token
// is signed only when the request carries it.
Result<SigningArtifacts> ComputeSignature(const SignableRequest& request,
                                          const Credentials& credentials,
                                          const SigningParams& params);

// The parts of an "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=<64 hex>" Authorization header, for servers.
struct AuthorizationHeader {
  std::string access_key_id;
  std::string day;  // yyyymmdd
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // as sent (lower-case, ';'-separated on the wire)
  std::string signature;                    // 64 lower-case hex digits
};

// Parses an Authorization header value. Anything malformed is a kInvalidArgument error whose
// message quotes no input, so a server can return it to the client (AWS answers
// IncompleteSignature).
Result<AuthorizationHeader> ParseAuthorization(std::string_view value);

// Lower-case hex SHA-256 of `data` (the payload hash used in canonical requests).
std::string HexSha256(std::string_view data);

}  // namespace hubspoke::sigv4
