export const ROLES = ["MEMBER", "COMPANY", "ADMIN"] as const;
export type Role = (typeof ROLES)[number];

/** Sign-up may create these; ADMIN comes from configuration only. */
export const SIGNUP_ROLES = ["MEMBER", "COMPANY"] as const satisfies readonly Role[];
export type SignupRole = (typeof SIGNUP_ROLES)[number];
