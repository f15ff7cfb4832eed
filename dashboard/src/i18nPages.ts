/**
 * The words of the overview's groups, the site page's applications, LAN devices and incidents, and the link
 * comparison page: Vietnamese first (terms from /work/shared/GLOSSARY.md), English for every key (the typechecker
 * refuses a key missing in English).
 */

export const pageStringsVi = {
  "overview.col.incidents": "Sự cố",
  "overview.incidentsHint": "Sự cố đang mở của xã/phường này",
  "overview.noArea": "Chưa gán khu vực",
  "overview.groupTotal": "{n} xã/phường",
  "overview.groupBy": "Nhóm theo",
  "overview.sortBy": "Sắp xếp theo",
  "overview.group.none": "Không nhóm",
  "overview.group.area": "Khu vực",
  "overview.group.provider": "Nhà mạng",
  "overview.group.state": "Trạng thái",
  "overview.sort.name": "Tên",
  "overview.sort.state": "Trạng thái (xấu nhất trước)",
  "overview.sort.area": "Khu vực",
  "overview.sort.provider": "Nhà mạng",
} as const;

export const pageStringsEn: Record<keyof typeof pageStringsVi, string> = {
  "overview.col.incidents": "Incidents",
  "overview.incidentsHint": "Open incidents of this site",
  "overview.noArea": "No area assigned",
  "overview.groupTotal": "{n} sites",
  "overview.groupBy": "Group by",
  "overview.sortBy": "Sort by",
  "overview.group.none": "No grouping",
  "overview.group.area": "Area",
  "overview.group.provider": "Telecom vendor",
  "overview.group.state": "State",
  "overview.sort.name": "Name",
  "overview.sort.state": "State (worst first)",
  "overview.sort.area": "Area",
  "overview.sort.provider": "Telecom vendor",
};
