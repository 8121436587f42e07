/**
 * Splits CSV text into rows of cells: comma-separated, double-quoted cells may hold commas,
 * newlines and doubled quotes (RFC 4180). Blank lines are skipped. Each row remembers its line
 * number so that errors can point at it.
 */
export function parseCsv(text: string): { cells: string[]; line: number }[] {
  const rows: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0].trim() !== "") rows.push({ cells: cells.map((c) => c.trim()), line: rowLine });
    cells = [];
    cell = "";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += ch;
  }
  if (cell !== "" || cells.length > 0) endRow();
  return rows;
}

/** The cell as a finite number, or null ("" and "NaN" are not numbers here, unlike Number("")). */
export function parseNumber(cell: string): number | null {
  if (cell === "") return null;
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}
