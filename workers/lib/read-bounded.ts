/**
 * Reads a request body of at most `limit` bytes. A Content-Length over the limit is
 * refused before a byte is read; a body without one (chunked) is counted as it arrives and
 * the read stops at the first chunk past the limit (the rest is never pulled), so memory
 * stays bounded by the limit plus one chunk whatever the client sends. `tooLarge` makes the
 * caller's own 413.
 */
export async function readBounded(
  request: Request,
  limit: number,
  tooLarge: () => Error,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) throw tooLarge();
  if (!request.body) return new Uint8Array(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
