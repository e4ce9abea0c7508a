import type { Localized } from "./locales";

const en = {
  placeholder: "",
};

const ko: typeof en = {
  placeholder: "",
};

export const company: Localized<typeof en> = { en, ko };
