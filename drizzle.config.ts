import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes SQL migrations from db/schema into migrations/ (committed).
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./migrations",
});
