/**
 * Enough of systemd's unit file syntax to run a service's `ExecStart` the way
 * systemd does: sections and `Key=Value` lines (comments, continuation
 * lines), `Environment=` assignments, and the command line's words with
 * quotes, escapes, `$VAR`/`${VAR}` from the environment and `%%`. A unit that
 * uses more than this (another specifier, an `ExecStart` prefix) is refused,
 * never run differently.
 * https://www.freedesktop.org/software/systemd/man/latest/systemd.service.html#Command%20lines
 */

/** A parsed unit: per section, its settings in file order (a key may repeat). */
export type SystemdUnit = ReadonlyMap<string, ReadonlyArray<readonly [key: string, value: string]>>;

/** Parses a unit file's text. */
export function parseUnit(text: string): SystemdUnit {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | undefined;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    while (line.endsWith("\\") && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i].trim()}`;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = sections.get(section[1]) ?? [];
      sections.set(section[1], current);
      continue;
    }
    const eq = line.indexOf("=");
    if (!current || eq <= 0) throw new Error(`unit line ${i + 1} is not a setting in a section: ${JSON.stringify(line)}`);
    current.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  return sections;
}

/** The values of `key` in `section`, in file order. */
export function settings(unit: SystemdUnit, section: string, key: string): string[] {
  return (unit.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
}

/** The one value of `key` in `section`; the last wins, as in systemd. */
export function setting(unit: SystemdUnit, section: string, key: string): string | undefined {
  return settings(unit, section, key).pop();
}

/** The service's `Environment=` assignments, in order (an empty `Environment=` resets the list). */
export function serviceEnvironment(unit: SystemdUnit): Record<string, string> {
  const env: Record<string, string> = {};
  for (const value of settings(unit, "Service", "Environment")) {
    if (value === "") {
      for (const key of Object.keys(env)) delete env[key];
      continue;
    }
    for (const { text: assignment } of splitWords(value)) {
      const eq = assignment.indexOf("=");
      if (eq <= 0) throw new Error(`Environment=${value}: ${JSON.stringify(assignment)} is not NAME=value`);
      env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    }
  }
  return env;
}

/**
 * The service's one `ExecStart` as argv, with the environment's variables
 * substituted as systemd substitutes them.
 */
export function execStart(unit: SystemdUnit, env: Readonly<Record<string, string>>): string[] {
  const lines = settings(unit, "Service", "ExecStart").filter((v) => v !== "");
  if (lines.length !== 1) throw new Error(`expected one ExecStart= in [Service], found ${lines.length}`);
  if (/^[-@:+!]/.test(lines[0])) throw new Error(`ExecStart=${lines[0]}: prefixes (-@:+!) are not supported here`);
  const argv = splitWords(lines[0]).flatMap((word) => substitute(word, env));
  if (!argv[0]?.startsWith("/")) throw new Error(`ExecStart=${lines[0]}: the command must be an absolute path`);
  return argv;
}

/** A systemd time span (`2`, `500ms`, `2s`, `1min`, `1min 30s`) in milliseconds. */
export function timeSpanMs(text: string): number {
  const units: Record<string, number> = { ms: 1, msec: 1, s: 1000, sec: 1000, second: 1000, seconds: 1000, m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000 };
  const parts = text.trim().split(/\s+/);
  let total = 0;
  for (const part of parts) {
    const m = /^(\d+(?:\.\d+)?)([a-z]*)$/.exec(part);
    const factor = m ? (m[2] === "" ? 1000 : units[m[2]]) : undefined;
    if (!m || factor === undefined) throw new Error(`${JSON.stringify(text)} is not a systemd time span`);
    total += Number(m[1]) * factor;
  }
  return total;
}

interface Word {
  readonly text: string;
  /** Not quoted: only then is a whole-word `$VAR` split at whitespace. */
  readonly bare: boolean;
}

/** Splits on unquoted whitespace; quotes wrap a whole word and are removed; C-style escapes; `%%` is `%`. */
function splitWords(text: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const quote = text[i] === '"' || text[i] === "'" ? text[i] : undefined;
    let word = "";
    if (quote) i++;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quote ? c === quote : /\s/.test(c)) break;
      if (c === "\\" && i + 1 < text.length) {
        const escaped = { n: "\n", t: "\t", "\\": "\\", '"': '"', "'": "'", " ": " " }[text[i + 1]];
        if (escaped === undefined) throw new Error(`${JSON.stringify(text)}: escape \\${text[i + 1]} is not supported here`);
        word += escaped;
        i++;
      } else if (c === "%") {
        if (text[i + 1] !== "%") throw new Error(`${JSON.stringify(text)}: specifier %${text[i + 1] ?? ""} is not supported here`);
        word += "%";
        i++;
      } else word += c;
    }
    if (quote) {
      if (text[i] !== quote) throw new Error(`${JSON.stringify(text)}: unterminated ${quote}`);
      i++;
      if (i < text.length && !/\s/.test(text[i])) throw new Error(`${JSON.stringify(text)}: a closing quote must end the word`);
    }
    words.push({ text: word, bare: !quote });
  }
  return words;
}

/** `$VAR` as a word of its own: its value split at whitespace; `${VAR}` anywhere: its value as is; `$$`: `$`. */
function substitute({ text, bare }: Word, env: Readonly<Record<string, string>>): string[] {
  const whole = bare ? /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(text) : null;
  if (whole) return (env[whole[1]] ?? "").split(/\s+/).filter((w) => w !== "");
  return [text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string | undefined) => (name === undefined ? "$" : (env[name] ?? "")))];
}
