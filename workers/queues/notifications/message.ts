import * as v from "valibot";

/** The body of one notifications-queue message: the row to send, nothing else. */
export interface NotificationMessage {
  notificationId: string;
}

/** The slice of a queue producer the decisions consumer and reconciliation hand messages to. */
export interface NotificationQueue {
  sendBatch(messages: { body: NotificationMessage }[]): Promise<unknown>;
}

const NotificationMessageSchema = v.object({ notificationId: v.pipe(v.string(), v.uuid()) });

/** Queue messages are input like any other: validated before anything is read or sent. */
export function parseNotificationMessage(body: unknown): NotificationMessage | null {
  const result = v.safeParse(NotificationMessageSchema, body);
  return result.success ? result.output : null;
}
