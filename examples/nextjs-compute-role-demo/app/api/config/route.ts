// GET /api/config: the value of the SSM parameter named by $CONFIG_PARAMETER, read on the server.
//
// As /api/image: no credentials, region or endpoint in code; the SDK's default chains find them (on
// Amplify Hosting, the branch's IAM compute role). The role needs ssm:GetParameter on the parameter's ARN
// (arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>).
// The parameter is read without decryption: configuration, not secrets (secrets: /api/secret).
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { describe, fail, variables } from "../../../lib/route";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const LOG = "[api/config]";

const ssm = new SSMClient({});

export async function GET(): Promise<Response> {
  const env = variables(LOG, ["CONFIG_PARAMETER"]);
  if ("failure" in env) {
    return env.failure;
  }
  const [name] = env.values;
  const started = Date.now();
  try {
    const { Parameter: parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    if (!parameter || parameter.Value === undefined) {
      throw new Error("GetParameter returned no parameter");
    }
    console.log(
      `${LOG} ssm:${name}: 200, ${parameter.Type}, version ${parameter.Version}, ` +
        `${parameter.Value.length} characters, ${Date.now() - started} ms`,
    );
    return Response.json(
      { name, type: parameter.Type, version: parameter.Version, value: parameter.Value },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    const { name: code, message } = describe(error);
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    console.error(`${LOG} GetParameter ssm:${name} failed: ${code}: ${message}` + (status ? ` (HTTP ${status})` : ""));
    return fail({ error: `Could not read ssm:${name}`, code });
  }
}
