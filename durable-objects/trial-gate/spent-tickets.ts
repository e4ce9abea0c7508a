/**
 * Live-room tickets already used, kept in the gate's SQLite until they expire: a ticket
 * opens one socket (single use), and after its expiry the signature check refuses it anyway,
 * so the row can go. Run inside a transaction.
 */
export function spendTicket(
  sql: SqlStorage,
  ticketId: string,
  expiresAt: number,
  now: number,
): boolean {
  sql.exec("DELETE FROM live_tickets WHERE expires_at < ?", now);
  const inserted = sql.exec(
    "INSERT INTO live_tickets (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
    ticketId,
    expiresAt,
  );
  return inserted.rowsWritten > 0;
}
