/** A page draws itself into `root` and returns what stops its timers and live streams. */
export type Page = (root: HTMLElement, args: string[]) => (() => void) | void;

/** The page's links, in one place. */
export const links = {
  studies: () => "#/",
  study: (id: string) => `#/study/${encodeURIComponent(id)}`,
  trial: (id: string) => `#/trial/${encodeURIComponent(id)}`,
  searches: (studyId?: string) => (studyId ? `#/searches/${encodeURIComponent(studyId)}` : "#/searches"),
  compare: (ids: string[] = []) => `#/compare/${ids.map(encodeURIComponent).join(",")}`,
};
