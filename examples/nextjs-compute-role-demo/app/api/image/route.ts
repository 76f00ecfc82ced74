// GET /api/image: the bytes of s3://$BUCKET_NAME/$OBJECT_KEY, read on the server.
//
// No credentials, region or endpoint appear in this file. The S3 client resolves them through the
// SDK's default chains, so the same code runs unchanged:
//   - on Amplify Hosting: credentials of the branch's IAM compute role (or the app's default compute
//     role), injected into the SSR runtime; AWS_REGION is set by Amplify;
//   - locally: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_REGION from the environment, and
//     AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3) for a local S3 endpoint.
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";

// Read the object on every request, on the Node.js runtime: never prerendered at build time
// (the build has no compute role and must not need one).
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const LOG = "[api/image]";

// One client per server process (it keeps its connections and cached credentials).
const s3 = new S3Client({});

type ErrorBody = { error: string; code?: string };

function fail(body: ErrorBody): Response {
  return Response.json(body, { status: 500, headers: { "Cache-Control": "no-store" } });
}

// The error's name (S3 error code such as AccessDenied or NoSuchKey, or e.g. CredentialsProviderError),
// and a message on one line. Only these two are ever logged or returned: never the error object itself.
function describe(error: unknown): { name: string; message: string } {
  if (error instanceof Error) {
    return { name: error.name || "Error", message: error.message.replace(/\s+/g, " ").trim() };
  }
  return { name: "UnknownError", message: String(error) };
}

export async function GET(): Promise<Response> {
  const bucket = process.env.BUCKET_NAME;
  const key = process.env.OBJECT_KEY;
  const missing = [!bucket && "BUCKET_NAME", !key && "OBJECT_KEY"].filter(Boolean).join(", ");
  if (!bucket || !key) {
    const error = `Environment variable(s) not set in the server runtime: ${missing}`;
    console.error(
      `${LOG} ${error} (on Amplify Hosting, branch environment variables reach the SSR runtime only ` +
        "when the build writes them into .env.production: see amplify.yml)",
    );
    return fail({ error });
  }

  const location = `s3://${bucket}/${key}`;
  const started = Date.now();
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!object.Body) {
      throw new Error("GetObject returned no body");
    }
    // Buffered, not streamed: a failure while reading still answers the JSON error, and the
    // success line is logged with the real size. Fine for images; stream for large objects.
    // (The SDK types the array as backed by ArrayBufferLike; in Node.js it is a plain ArrayBuffer.)
    const bytes = (await object.Body.transformToByteArray()) as Uint8Array<ArrayBuffer>;
    const contentType = object.ContentType || "application/octet-stream";
    console.log(
      `${LOG} ${location}: 200, ${bytes.byteLength} bytes, ${contentType}, ${Date.now() - started} ms`,
    );
    return new Response(bytes, {
      status: 200,
      headers: {
        "Content-Type": contentType,
        "Content-Length": String(bytes.byteLength),
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    const { name, message } = describe(error);
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    const requestId = (error as { $metadata?: { requestId?: string } })?.$metadata?.requestId;
    console.error(
      `${LOG} GetObject ${location} failed: ${name}: ${message}` +
        (status ? ` (HTTP ${status}${requestId ? `, request id ${requestId}` : ""})` : ""),
    );
    return fail({ error: `Could not read ${location}`, code: name });
  }
}
