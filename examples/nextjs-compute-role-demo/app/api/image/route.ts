// GET /api/image: the bytes of s3://$BUCKET_NAME/$OBJECT_KEY, read on the server.
//
// No credentials, region or endpoint appear in this file. The S3 client resolves them through the
// SDK's default chains, so the same code runs unchanged:
//   - on Amplify Hosting: credentials of the branch's IAM compute role (or the app's default compute
//     role), injected into the SSR runtime; AWS_REGION is set by Amplify;
//   - locally: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_REGION from the environment, and
//     AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3) for a local S3 endpoint.
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { describe, fail, variables } from "../../../lib/route";

// Read the object on every request, on the Node.js runtime: never prerendered at build time
// (the build has no compute role and must not need one).
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const LOG = "[api/image]";

// One client per server process (it keeps its connections and cached credentials).
const s3 = new S3Client({});

export async function GET(): Promise<Response> {
  const env = variables(LOG, ["BUCKET_NAME", "OBJECT_KEY"]);
  if ("failure" in env) {
    return env.failure;
  }
  const [bucket, key] = env.values;

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
