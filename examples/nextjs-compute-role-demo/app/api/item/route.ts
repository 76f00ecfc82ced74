// GET /api/item: the item {id: $ITEM_ID} of the DynamoDB table $ITEMS_TABLE, read on the server.
//
// As /api/image: no credentials, region or endpoint in code (on Amplify Hosting, the branch's IAM compute
// role). The role needs dynamodb:GetItem on the table's ARN (arn:aws:dynamodb:<region>:<account>:table/<name>).
import { type AttributeValue, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { describe, fail, variables } from "../../../lib/route";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const LOG = "[api/item]";

const dynamodb = new DynamoDBClient({});

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

// DynamoDB's attribute values as plain JSON: numbers as numbers when exact, else as strings; binary as base64.
function plain(value: AttributeValue): Plain {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number.isSafeInteger(Number(value.N)) || value.N.includes(".") ? Number(value.N) : value.N;
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.B !== undefined) return Buffer.from(value.B).toString("base64");
  if (value.SS !== undefined) return value.SS;
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.BS !== undefined) return value.BS.map((b) => Buffer.from(b).toString("base64"));
  if (value.L !== undefined) return value.L.map(plain);
  if (value.M !== undefined) return item(value.M);
  return null;
}

function item(attributes: Record<string, AttributeValue>): { [key: string]: Plain } {
  return Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, plain(value)]));
}

export async function GET(): Promise<Response> {
  const env = variables(LOG, ["ITEMS_TABLE", "ITEM_ID"]);
  if ("failure" in env) {
    return env.failure;
  }
  const [table, id] = env.values;
  const location = `dynamodb:${table}/${id}`;
  const started = Date.now();
  try {
    const output = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } }));
    if (!output.Item) {
      console.error(`${LOG} ${location}: 404, no such item, ${Date.now() - started} ms`);
      return fail({ error: `No item ${location}`, code: "ItemNotFound" }, 404);
    }
    console.log(`${LOG} ${location}: 200, ${Object.keys(output.Item).length} attributes, ${Date.now() - started} ms`);
    return Response.json({ table, item: item(output.Item) }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    const { name: code, message } = describe(error);
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    console.error(`${LOG} GetItem ${location} failed: ${code}: ${message}` + (status ? ` (HTTP ${status})` : ""));
    return fail({ error: `Could not read ${location}`, code });
  }
}
