export { applications } from "./applications";
export { images, productImages } from "./images";
export { notifications } from "./notifications";
export { products } from "./products";
export { refreshTokens } from "./refresh-tokens";
export { reviews } from "./reviews";
export { statsCheckpoints, trialStats } from "./trial-stats";
export { trials } from "./trials";
export { users } from "./users";
