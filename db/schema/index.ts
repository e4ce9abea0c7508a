export { applications } from "./applications";
export { images, productImages } from "./images";
export { notifications } from "./notifications";
export { products } from "./products";
export { refreshTokens } from "./refresh-tokens";
export { trials } from "./trials";
export { users } from "./users";
