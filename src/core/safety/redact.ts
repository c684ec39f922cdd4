// One redactor for text that came from somewhere else (compose's, an engine's or a build's error
// text; a build argument the user passed) before it reaches a terminal, a report or a committed
// file. Secrets hide in three places: the user-info of a URL (`http://user:PASSWORD@host`),
// values the caller knows to be secret (`env_file` lines, `environment:` values, anything read
// from a file outside the repository), and `NAME=value` pairs whose name says it is a credential.

export const REDACTED = '***';

// scheme://user:password@ or scheme://token@ : everything between `//` and `@` goes.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"`]+@/gi;

// NAME=value or NAME: value where NAME is a setting's name that says credential (PASSWORD, TOKEN,
// SECRET, API_KEY, ...). Upper case only: "a user or token: verify ..." is prose, not a setting.
const NAMED_SECRET =
  /\b([A-Z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH)[A-Z0-9_]*)(\s*[=:]\s*)("[^"\n]*"|'[^'\n]*'|[^\s"']+)/g;
// password=value in lower case, as in a URL's query or a config line: `=` right after the name.
const NAMED_SECRET_LOWER = /\b([a-z0-9_]*(?:password|passwd|token|secret|api_?key)[a-z0-9_]*)(=)([^\s&"']+)/g;

/** Secrets shorter than this are not searched for as text: `1`, `on`, `yes` would mangle everything. */
const MIN_KNOWN_SECRET = 4;

/**
 * `text` with URL user-info, credential-named assignments and every known secret value replaced
 * by `***`. `known` holds values the caller read as secret (longest first is not required).
 */
export function redact(text: string, known: Iterable<string> = []): string {
  let out = text.replace(URL_USERINFO, `$1${REDACTED}@`);
  out = out.replace(NAMED_SECRET, `$1$2${REDACTED}`).replace(NAMED_SECRET_LOWER, `$1$2${REDACTED}`);
  const values = [...new Set([...known].map((v) => v.trim()).filter((v) => v.length >= MIN_KNOWN_SECRET))].sort(
    (a, b) => b.length - a.length,
  );
  for (const value of values) out = out.split(value).join(REDACTED);
  return out;
}

/**
 * A `NAME=value` build argument or setting as it may be shown: the name, and the value with its
 * URL user-info hidden (or the whole value when the name says credential).
 */
export function redactSetting(name: string, value: string): string {
  return redact(`${name}=${value}`).slice(name.length + 1);
}

/**
 * The values of `KEY=VALUE` lines of an env file's text (comments and blank lines aside, quotes
 * stripped): what a caller passes to `redact` as `known` when compose may echo that file.
 */
export function envFileValues(text: string): string[] {
  const values: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    let value = line.slice(eq + 1).trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.length > 1) {
      const end = value.indexOf(q, 1);
      value = end > 0 ? value.slice(1, end) : value.slice(1);
    }
    if (value !== '') values.push(value);
  }
  return values;
}
