// The Deno ceiling: what Deno.serve does when a request does no work at all. The admission
// benchmark's Deno numbers are read against this one.
// Run: PORT=8993 deno run --allow-net --allow-env bench/peers/hello-deno.ts
const port = Number(Deno.env.get("PORT"));
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  throw new Error("PORT must be a port number");
}

Deno.serve({ hostname: "127.0.0.1", port }, () => new Response("hello"));
