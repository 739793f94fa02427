/**
 * An incremental CSV reader (RFC 4180: comma separated, fields optionally in double quotes, "" for a
 * quote inside one, CRLF or LF line ends) for `carecoord patient import`. Pure: the caller feeds text
 * chunks as it reads them and gets back the complete records. Records carry the line number they start
 * on (1 = the header), so a bad row can be named. Blank lines are skipped; a leading BOM is dropped.
 */

export interface CsvRecord {
  /** Line of the file the record starts on (1-based; a quoted field may span several lines). */
  line: number;
  cells: string[];
  /** Set when the record cannot be read (a quote never closed before the end of the file). */
  error?: string;
}

export interface CsvReader {
  /** The records completed by this chunk (a record cut by the chunk's end waits for the next one). */
  push(chunk: string): CsvRecord[];
  /** The records left at the end of the input. */
  end(): CsvRecord[];
}

/** Parsed record, where the next one starts, and how many line ends it consumed. */
interface Parsed {
  cells: string[];
  next: number;
  lines: number;
  error?: string;
}

/**
 * One quoted (or mixed) record from `start`; undefined when the text ends inside it and more may come.
 * Unquoted text is taken as it is, including a stray quote inside a field (lenient, like spreadsheets).
 */
function parseQuoted(text: string, start: number, final: boolean): Parsed | undefined {
  const cells: string[] = [];
  let field = '';
  let quoted = false;
  let lines = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        if (i + 1 === text.length && !final) return undefined; // "" may continue in the next chunk
        quoted = false;
      } else {
        if (c === '\n') lines++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      cells.push(field);
      field = '';
    } else if (c === '\n') {
      cells.push(field.endsWith('\r') ? field.slice(0, -1) : field);
      return { cells, next: i + 1, lines: lines + 1 };
    } else field += c;
    i++;
  }
  if (!final) return undefined;
  cells.push(field.endsWith('\r') ? field.slice(0, -1) : field);
  return quoted ? { cells, next: i, lines, error: 'a quoted field is not closed before the end of the file' } : { cells, next: i, lines };
}

/** The next record from `start` (fast path: a line without quotes is split on commas). */
function parseRecord(text: string, start: number, final: boolean): Parsed | undefined {
  const nl = text.indexOf('\n', start);
  if (nl < 0 && !final) return undefined;
  const end = nl < 0 ? text.length : nl;
  const line = text.slice(start, end > start && text[end - 1] === '\r' ? end - 1 : end);
  if (line.includes('"')) return parseQuoted(text, start, final);
  return { cells: line.split(','), next: nl < 0 ? text.length : nl + 1, lines: 1 };
}

export function csvReader(): CsvReader {
  let pending = '';
  let line = 1;
  let first = true;
  const drain = (final: boolean): CsvRecord[] => {
    const out: CsvRecord[] = [];
    let at = 0;
    while (at < pending.length) {
      const r = parseRecord(pending, at, final);
      if (!r) break;
      const blank = r.cells.length === 1 && r.cells[0] === '';
      if (!blank) out.push(r.error ? { line, cells: r.cells, error: r.error } : { line, cells: r.cells });
      line += r.lines;
      at = r.next;
    }
    pending = pending.slice(at);
    return out;
  };
  return {
    push(chunk) {
      if (first) {
        first = false;
        chunk = chunk.startsWith('\uFEFF') ? chunk.slice(1) : chunk;
      }
      pending += chunk;
      return drain(false);
    },
    end() {
      return drain(true);
    },
  };
}
