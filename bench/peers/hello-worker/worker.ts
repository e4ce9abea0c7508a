// The workerd ceiling: what `wrangler dev` serves when a request does no work at all. The
// admission benchmark's Workers numbers are read against this one.
export default {
  fetch: () => new Response("hello"),
};
