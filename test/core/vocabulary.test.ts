/// <reference types="vite/client" />
import { getTableColumns } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  APPLICATION_STATUSES,
  CANCELLED_REASONS,
  OUTCOMES,
} from "../../core/vocabulary/applications";
import { ERROR_CODES } from "../../core/vocabulary/error-codes";
import { LOG_KINDS } from "../../core/vocabulary/fill-log";
import { IMAGE_TYPES } from "../../core/vocabulary/images";
import {
  APPEAL_DECISIONS,
  APPEAL_STATUSES,
  JOURNEY_MESSAGES,
  SHIPMENT_ROW_REFUSALS,
} from "../../core/vocabulary/journey";
import {
  NOTIFICATION_KINDS,
  NOTIFICATION_STATUSES,
  NOTIFIER_CHANNELS,
} from "../../core/vocabulary/notifications";
import { ROLES, SIGNUP_ROLES } from "../../core/vocabulary/roles";
import { CLOSED_REASONS, TRIAL_STATUSES } from "../../core/vocabulary/trials";
import { applications, notifications, trials, users } from "../../db/schema";
import { generateOpenApi } from "../../workers/openapi/generate";

/**
 * Every closed list is declared once, in core/vocabulary, and everything else derives from
 * it (issue 14, item 3): the drizzle columns, the valibot schemas (and so the OpenAPI
 * document), the queue message schema, both gates. A list written out again drifts the day
 * one copy gains a value; these tests fail on such a copy.
 */

const LISTS: Record<string, readonly string[]> = {
  TRIAL_STATUSES,
  CLOSED_REASONS,
  APPLICATION_STATUSES,
  OUTCOMES,
  ROLES,
  SIGNUP_ROLES,
  NOTIFICATION_STATUSES,
  NOTIFIER_CHANNELS,
  IMAGE_TYPES,
  LOG_KINDS,
  ERROR_CODES,
  APPEAL_STATUSES,
  APPEAL_DECISIONS,
  CANCELLED_REASONS,
  JOURNEY_MESSAGES,
  NOTIFICATION_KINDS,
  SHIPMENT_ROW_REFUSALS,
};

/**
 * The runtime code, as text, comments left out: prose may name a list's values, code may not
 * (vite reads the files at build time: the test runs in workerd).
 */
const SOURCES = import.meta.glob(
  [
    "/workers/**/*.ts",
    "/deno/**/*.ts",
    "/durable-objects/**/*.ts",
    "/db/**/*.ts",
    "/core/**/*.ts",
    "/scripts/**/*.ts",
    "!/core/vocabulary/**",
    "!**/*.test.ts",
  ],
  { query: "?raw", import: "default", eager: true },
) as Record<string, string>;

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * A list spelled out: its values in order as string literals, separated as in an array
 * (`"A", "B"`), a union (`"A" | "B"`) or an enum, or as a "must be A, B or C" message.
 */
function spellings(list: readonly string[]): RegExp[] {
  const literal = (s: string) => `["'\`]${escapeRegExp(s)}["'\`]`;
  return [
    new RegExp(list.map(literal).join(String.raw`\s*[,|]\s*`)),
    new RegExp(
      `${list.slice(0, -1).map(escapeRegExp).join(", ")} or ${escapeRegExp(list.at(-1) ?? "")}\\b`,
    ),
  ];
}

function enumsOf(node: unknown, path = "", out: { path: string; values: unknown[] }[] = []) {
  if (Array.isArray(node)) {
    for (const [i, x] of node.entries()) enumsOf(x, `${path}/${i}`, out);
  } else if (node && typeof node === "object") {
    for (const [k, x] of Object.entries(node)) {
      if (k === "enum" && Array.isArray(x)) out.push({ path, values: x });
      else enumsOf(x, `${path}/${k}`, out);
    }
  }
  return out;
}

describe("closed lists", () => {
  it("are spelled out nowhere but core/vocabulary (runtime code of every target)", () => {
    expect(Object.keys(SOURCES).length).toBeGreaterThan(100);
    expect(Object.keys(SOURCES)).toContain("/db/schema/trials.ts");
    const copies: string[] = [];
    for (const [name, list] of Object.entries(LISTS)) {
      if (name === "ERROR_CODES") continue; // an object's keys, checked by the next tests
      for (const [file, source] of Object.entries(SOURCES)) {
        for (const pattern of spellings(list)) {
          const found = pattern.exec(withoutComments(source));
          if (found) copies.push(`${name} in ${file}: ${found[0]}`);
        }
      }
    }
    expect(copies).toEqual([]);
  });

  it("are the drizzle columns' values, by reference", () => {
    expect(getTableColumns(trials).status.enumValues).toBe(TRIAL_STATUSES);
    expect(getTableColumns(trials).closedReason.enumValues).toBe(CLOSED_REASONS);
    expect(getTableColumns(applications).status.enumValues).toBe(APPLICATION_STATUSES);
    expect(getTableColumns(users).role.enumValues).toBe(ROLES);
    expect(getTableColumns(notifications).kind.enumValues).toBe(NOTIFICATION_KINDS);
    expect(getTableColumns(applications).cancelledReason.enumValues).toBe(CANCELLED_REASONS);
    expect(getTableColumns(notifications).status.enumValues).toBe(NOTIFICATION_STATUSES);
    expect(getTableColumns(notifications).channel.enumValues).toBe(NOTIFIER_CHANNELS);
  });

  it("are every enum of the OpenAPI document that names one of their values", () => {
    const doc = generateOpenApi();
    const known = Object.values(LISTS).map((l) => JSON.stringify(l));
    const values = new Set(Object.values(LISTS).flat());
    const strays = enumsOf(doc)
      .filter((e) => e.values.some((x) => values.has(x as string)))
      .filter((e) => !known.includes(JSON.stringify(e.values)))
      .map((e) => `${e.path}: ${JSON.stringify(e.values)}`);
    expect(strays).toEqual([]);
    // And each list reaches the document where the API shows it.
    const at = (path: string) =>
      enumsOf(doc).find((e) => e.path === path)?.values as string[] | undefined;
    expect(at("/components/schemas/Trial/properties/status")).toEqual(TRIAL_STATUSES);
    expect(at("/components/schemas/Trial/properties/closedReason/anyOf/0")).toEqual(CLOSED_REASONS);
    expect(at("/components/schemas/Application/properties/status")).toEqual(APPLICATION_STATUSES);
    expect(at("/components/schemas/User/properties/role")).toEqual(ROLES);
    expect(at("/components/schemas/Notification/properties/kind")).toEqual(NOTIFICATION_KINDS);
    expect(at("/components/schemas/Application/properties/cancelledReason/anyOf/0")).toEqual(
      CANCELLED_REASONS,
    );
    expect(at("/components/schemas/Notification/properties/status")).toEqual(NOTIFICATION_STATUSES);
    expect(at("/components/schemas/ImageUpload/properties/contentType")).toEqual(IMAGE_TYPES);
    expect(at("/components/schemas/LogEntry/properties/kind")).toEqual(LOG_KINDS);
    expect(at("/components/schemas/ErrorBody/properties/error/properties/code")).toEqual(
      ERROR_CODES,
    );
  });
});
