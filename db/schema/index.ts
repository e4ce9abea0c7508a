export { applications } from "./applications";
export { products } from "./products";
export { refreshTokens } from "./refresh-tokens";
export { trials } from "./trials";
export { users } from "./users";
