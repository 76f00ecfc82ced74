// GET /api/secret: proves that the secret named by $SECRET_ID can be read on the server, without ever
// returning or logging its value: the body is {read: true, sha256_prefix: <first 8 hex digits of the
// SHA-256 of the value>}, and the log line says the same.
//
// As /api/image: no credentials, region or endpoint in code (on Amplify Hosting, the branch's IAM compute
// role). The role needs secretsmanager:GetSecretValue on the secret's ARN, which ends in a hyphen and six
// random characters (the collection grants secret:<name>-??????).
import { createHash } from "node:crypto";

import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { describe, fail, variables } from "../../../lib/route";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const LOG = "[api/secret]";

const secrets = new SecretsManagerClient({});

export async function GET(): Promise<Response> {
  const env = variables(LOG, ["SECRET_ID"]);
  if ("failure" in env) {
    return env.failure;
  }
  const [secretId] = env.values;
  const started = Date.now();
  try {
    const output = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    const value = output.SecretString ?? output.SecretBinary;
    if (value === undefined) {
      throw new Error("GetSecretValue returned no value");
    }
    // Only a short prefix of the hash leaves this function; the value itself is dropped here.
    const sha256Prefix = createHash("sha256").update(value).digest("hex").slice(0, 8);
    console.log(`${LOG} secret:${secretId}: 200, read, sha256 ${sha256Prefix}, ${Date.now() - started} ms`);
    return Response.json({ read: true, sha256_prefix: sha256Prefix }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    // The error's name and message only (an SDK error holds no secret value).
    const { name: code, message } = describe(error);
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    console.error(
      `${LOG} GetSecretValue secret:${secretId} failed: ${code}: ${message}` + (status ? ` (HTTP ${status})` : ""),
    );
    return fail({ error: `Could not read secret:${secretId}`, code });
  }
}
