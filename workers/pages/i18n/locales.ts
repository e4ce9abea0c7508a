/** The pages' languages: English, and Korean for the platform's first users. */
export const LOCALES = ["en", "ko"] as const;
export type Locale = (typeof LOCALES)[number];

/** Each area's texts in every locale; Korean must have exactly English's keys. */
export type Localized<T> = Record<Locale, T>;
