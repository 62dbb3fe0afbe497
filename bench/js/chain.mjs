// The AWS SDK for JavaScript v3 doing what `assume-spoke-role run -- true` does: base credentials
// from the environment -> assume the hub role -> assume the spoke role, resolved once, then exit.
//
//   node bench/js/chain.mjs --hub-account 999999999999 --hub-role automation-hub-role \
//       --spoke-account 888888888888 --spoke-role automation-spoke-role \
//       --external-id this-is-my-automation --session-string bench
//
// Endpoint: --endpoint-url, else AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL; region: --region,
// else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1.  Prints no secret.
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf("=");
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1);
    } else {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      out[a.slice(2)] = argv[i + 1];
      i += 1;
    }
  }
  return out;
}

const env = process.env;
const args = parseArgs(process.argv.slice(2));
const need = (name, envName) => {
  const v = args[name] ?? env[envName];
  if (!v) throw new Error(`--${name} (or ${envName}) is required`);
  return v;
};
const hubAccount = need("hub-account", "ASSUME_ROLE_HUB_ACCOUNT");
const hubRole = need("hub-role", "ASSUME_ROLE_HUB_ROLE");
const spokeAccount = need("spoke-account", "ASSUME_ROLE_SPOKE_ACCOUNT");
const spokeRole = need("spoke-role", "ASSUME_ROLE_SPOKE_ROLE");
const externalId = args["external-id"] ?? env.ASSUME_ROLE_EXTERNAL_ID;
const session = args["session-string"] ?? env.ASSUME_ROLE_SESSION_STRING ?? "bench";
const endpoint = args["endpoint-url"] ?? env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL;
const region = args.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";

const clientConfig = endpoint ? { endpoint, region } : { region };
const withExternalId = (params) => (externalId ? { ...params, ExternalId: externalId } : params);

const hub = fromTemporaryCredentials({
  params: withExternalId({
    RoleArn: `arn:aws:iam::${hubAccount}:role/${hubRole}`,
    RoleSessionName: session,
  }),
  clientConfig,
});
const spoke = fromTemporaryCredentials({
  masterCredentials: hub,
  params: withExternalId({
    RoleArn: `arn:aws:iam::${spokeAccount}:role/${spokeRole}`,
    RoleSessionName: session,
  }),
  clientConfig,
});

try {
  const creds = await spoke();
  if (!creds.accessKeyId || !creds.secretAccessKey || !creds.sessionToken) {
    throw new Error("incomplete credentials");
  }
  process.stdout.write(
    `spoke credentials ${creds.accessKeyId.slice(0, 4)}… expire ${creds.expiration?.toISOString()}\n`,
  );
} catch (err) {
  process.stderr.write(`chain.mjs: ${err?.name ?? "Error"}: ${err?.message ?? err}\n`);
  process.exit(1);
}
