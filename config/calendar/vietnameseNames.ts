import { weekdayOf, type CivilDate } from "./civilDate.js";
import type { Weekday } from "./localClock.js";
import type { LunarDate } from "./lunar.js";

/** Weekday names in Vietnamese, as calendars print them (GLOSSARY). */
export const VIETNAMESE_WEEKDAYS: Readonly<Record<Weekday, string>> = {
  mon: "Thứ Hai",
  tue: "Thứ Ba",
  wed: "Thứ Tư",
  thu: "Thứ Năm",
  fri: "Thứ Sáu",
  sat: "Thứ Bảy",
  sun: "Chủ Nhật",
};

/** The Vietnamese name of `date`'s weekday ("Thứ Hai" … "Chủ Nhật"). */
export function vietnameseWeekday(date: CivilDate): string {
  return VIETNAMESE_WEEKDAYS[weekdayOf(date)];
}

/** "âm lịch 1/1", "âm lịch 15/6 nhuận" (the day and month of a lunar date, as written in Vietnam). */
export function formatLunarDate(lunar: LunarDate): string {
  return `âm lịch ${lunar.day}/${lunar.month}${lunar.leap ? " nhuận" : ""}`;
}
