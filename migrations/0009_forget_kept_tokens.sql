-- Issue 13, finding 9 (docs/decisions/0027): answers kept for an anonymous caller were
-- sign-up, login and refresh answers, the last two with live access and refresh tokens in
-- plain text. Keys are no longer kept for login and refresh, and anonymous keys are now
-- scoped by their request ("anon:<hash>"): the old shared "anon" rows go at once instead of
-- lying there for up to a day.
DELETE FROM "idempotency_keys" WHERE "principal" = 'anon';
