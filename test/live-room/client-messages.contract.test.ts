import { describe, expect, it } from "vitest";
import { CLOSE } from "../../core/live-room/client-messages";
import { baseUrls } from "../support/contract/client";
import { createTrial, createUser } from "../support/contract/fixtures";
import { closeRooms, recordingWebSocket, watch } from "../support/contract/live-room";

/**
 * What a client may say to the room: a ping, answered with a pong; anything else is ignored;
 * a client that says too much (more than 20 messages in 10 s) is closed with 1008.
 */

async function trialToWatch() {
  const company = await createUser("COMPANY");
  return createTrial(company);
}

describe("the live room's answers to its clients", () => {
  it("answers a ping with a pong, on every server", async () => {
    const trial = await trialToWatch();
    const rooms = await Promise.all(baseUrls.map((_, server) => watch(trial.id, { server })));
    try {
      // ping() resolves only on the exact {"type":"pong"} frame.
      for (const room of rooms) expect(await room.ping(5_000)).toBeGreaterThanOrEqual(0);
    } finally {
      await closeRooms(rooms);
    }
  });

  it("ignores other messages: no answer, and the socket stays open", async () => {
    const trial = await trialToWatch();
    const { WebSocket, sockets } = recordingWebSocket();
    const room = await watch(trial.id, { WebSocket });
    try {
      const [socket] = sockets;
      if (!socket) throw new Error("no socket recorded");
      for (const text of ['{"type":"chat","text":"hi"}', '{"type":"hello"}', "not json", "{}"]) {
        socket.send(text);
      }
      socket.send(Buffer.from([1, 2, 3]));
      // A pong after them means they were read and passed over, not queued.
      await room.ping(5_000);
      expect(room.received.map((m) => m.type)).toEqual(["hello"]);
      expect(socket.readyState).toBe(socket.OPEN);
    } finally {
      await closeRooms([room]);
    }
  });

  it("closes a client that sends more than 20 messages in 10 s with 1008", async () => {
    const trial = await trialToWatch();
    const { WebSocket, sockets } = recordingWebSocket();
    const room = await watch(trial.id, { WebSocket });
    const [socket] = sockets;
    if (!socket) throw new Error("no socket recorded");
    const closed = new Promise<number>((resolve) => socket.once("close", resolve));
    for (let i = 0; i < 21; i++) socket.send(JSON.stringify({ type: "chat", n: i }));
    const code = await within(5_000, closed, "the room's close after 21 messages");
    expect(code).toBe(CLOSE.POLICY);
    expect((await room.ended).reason).toBe("policy");
  });
});

function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
