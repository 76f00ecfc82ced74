"use client";

import { useEffect, useState } from "react";

type State =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "shown"; url: string }
  | { kind: "failed"; message: string };

// Turns a failed /api/image response into one line: the route answers JSON {error, code};
// anything else (a proxy's HTML page, a timeout) is reported by its status.
async function failureMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: string; code?: string };
    if (body.error) {
      return body.code ? `${body.error} (${body.code})` : body.error;
    }
  } catch {
    // not JSON
  }
  return `HTTP ${response.status} ${response.statusText}`.trim();
}

export default function RevealImage() {
  const [state, setState] = useState<State>({ kind: "idle" });

  // Release the previous object URL when it is replaced or the component goes away.
  const shownUrl = state.kind === "shown" ? state.url : null;
  useEffect(() => {
    return () => {
      if (shownUrl) URL.revokeObjectURL(shownUrl);
    };
  }, [shownUrl]);

  async function reveal() {
    setState({ kind: "loading" });
    try {
      const response = await fetch("/api/image", { cache: "no-store" });
      if (!response.ok) {
        setState({ kind: "failed", message: await failureMessage(response) });
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      setState({ kind: "shown", url });
    } catch (error) {
      setState({ kind: "failed", message: `Request failed: ${String(error)}` });
    }
  }

  return (
    <section className="reveal">
      <button type="button" onClick={reveal} disabled={state.kind === "loading"}>
        {state.kind === "loading" ? "Reading the private object…" : "Reveal the private image"}
      </button>
      {state.kind === "shown" && (
        <figure>
          {/* A blob: URL of bytes already fetched: nothing for next/image to optimise. */}
          <img src={state.url} alt="The object read from the private S3 bucket" />
          <figcaption>Served by /api/image with the IAM compute role&apos;s credentials.</figcaption>
        </figure>
      )}
      {state.kind === "failed" && (
        <p role="alert" className="error">
          {state.message}
        </p>
      )}
    </section>
  );
}
