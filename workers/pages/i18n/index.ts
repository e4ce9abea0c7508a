import { common } from "./common";
import { company } from "./company";
import { errors } from "./errors";
import type { Locale } from "./locales";
import { member } from "./member";

export { LOCALES, type Locale } from "./locales";

/** Every text a page shows, in one locale: `t.common.navTrials`, `t.member.apply`… */
export function textsFor(locale: Locale) {
  return {
    locale,
    common: common[locale],
    member: member[locale],
    company: company[locale],
    errors: errors[locale],
  };
}

export type Texts = ReturnType<typeof textsFor>;

/** Dates and times as the locale writes them, in the viewer's own zone when the script runs. */
export function formatInstant(locale: Locale, iso: string): string {
  return `${new Intl.DateTimeFormat(locale === "ko" ? "ko-KR" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "medium",
    timeZone: "UTC",
  }).format(new Date(iso))} UTC`;
}
