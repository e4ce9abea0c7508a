/** The scheme and host the client used, for absolute links in responses. */
export function originOf(url: string): string {
  return new URL(url).origin;
}
