import { AppError } from "../../errors";
import { readBounded } from "../../lib/read-bounded";

/** A raw image upload of at most `limit` bytes (413 otherwise, decided while streaming). */
export function readUpload(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  return readBounded(
    request,
    limit,
    () =>
      new AppError(
        "PAYLOAD_TOO_LARGE",
        `An image must be at most ${limit} bytes (${limit / (1024 * 1024)} MiB).`,
      ),
  );
}
