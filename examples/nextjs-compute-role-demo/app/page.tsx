import RevealImage from "./components/RevealImage";

export default function HomePage() {
  return (
    <main>
      <h1>Amplify Hosting compute role demo</h1>
      <p>
        The image below lives in a <strong>private</strong> S3 bucket: Block Public Access is on and
        anonymous requests are refused. The browser never talks to S3. It calls{" "}
        <code>/api/image</code>, a server route that reads the object with the credentials of the
        branch&apos;s <strong>IAM compute role</strong>, which Amplify Hosting provides to the SSR
        runtime. No access keys are stored in the app.
      </p>
      <RevealImage />
    </main>
  );
}
