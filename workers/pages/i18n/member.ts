import type { Localized } from "./locales";

const en = {
  trialsTitle: "Product trials",
  openNow: "Open now",
  openingSoon: "Opening soon",
  noneOpen: "No trial is open right now.",
  noneSoon: "No trial is scheduled yet.",
  placesLeft: (remaining: number, slots: number) => `${remaining} of ${slots} places left`,
  opensAt: "Opens",
  closesAt: "Closes",
};

const ko: typeof en = {
  trialsTitle: "상품 체험단",
  openNow: "지금 모집 중",
  openingSoon: "곧 모집 시작",
  noneOpen: "지금 모집 중인 체험단이 없습니다.",
  noneSoon: "예정된 체험단이 없습니다.",
  placesLeft: (remaining: number, slots: number) => `${slots}명 중 ${remaining}자리 남음`,
  opensAt: "모집 시작",
  closesAt: "모집 마감",
};

export const member: Localized<typeof en> = { en, ko };
