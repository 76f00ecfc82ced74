// What every API route of the app shares: its failure answer, the error described without the error object,
// and the check of the environment variables it reads.

export type ErrorBody = { error: string; code?: string };

// A failure, as JSON {error, code}: never cached.
export function fail(body: ErrorBody, status = 500): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

// The error's name (the AWS error code such as AccessDenied, AccessDeniedException or NoSuchKey, or e.g.
// CredentialsProviderError), and a message on one line. Only these two are ever logged or returned: never the
// error object itself.
export function describe(error: unknown): { name: string; message: string } {
  if (error instanceof Error) {
    return { name: error.name || "Error", message: error.message.replace(/\s+/g, " ").trim() };
  }
  return { name: "UnknownError", message: String(error) };
}

// The values of the environment variables `names`, or, when any is not set, the failure to answer (logged with
// `log`, the route's prefix). On Amplify Hosting, branch environment variables reach the SSR runtime only when
// the build writes them into .env.production (amplify.yml).
export function variables(log: string, names: string[]): { values: string[] } | { failure: Response } {
  const values = names.map((name) => process.env[name] || "");
  const missing = names.filter((name, index) => !values[index]).join(", ");
  if (!missing) {
    return { values };
  }
  const error = `Environment variable(s) not set in the server runtime: ${missing}`;
  console.error(
    `${log} ${error} (on Amplify Hosting, branch environment variables reach the SSR runtime only ` +
      "when the build writes them into .env.production: see amplify.yml)",
  );
  return { failure: fail({ error }) };
}
