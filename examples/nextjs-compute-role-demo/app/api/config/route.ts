// GET /api/config: the value of the SSM parameter named by $CONFIG_PARAMETER, read on the server.
//
// As /api/image: no credentials, region or endpoint in code; the SDK's default chains find them (on
// Amplify Hosting, the branch's IAM compute role). The role needs ssm:GetParameter on the parameter's ARN
// (arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>).
// The parameter is read without decryption: configuration, not secrets (secrets: /api/secret).
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const LOG = "[api/config]";

const ssm = new SSMClient({});

function describe(error: unknown): { name: string; message: string } {
  if (error instanceof Error) {
    return { name: error.name || "Error", message: error.message.replace(/\s+/g, " ").trim() };
  }
  return { name: "UnknownError", message: String(error) };
}

function fail(body: { error: string; code?: string }): Response {
  return Response.json(body, { status: 500, headers: { "Cache-Control": "no-store" } });
}

export async function GET(): Promise<Response> {
  const name = process.env.CONFIG_PARAMETER;
  if (!name) {
    const error = "Environment variable(s) not set in the server runtime: CONFIG_PARAMETER";
    console.error(`${LOG} ${error} (see amplify.yml: the build writes it into .env.production)`);
    return fail({ error });
  }
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
