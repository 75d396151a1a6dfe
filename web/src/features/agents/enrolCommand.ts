// The enrolment command shown to copy: the server's `command` with the data directory the user
// chose. Everything else in it (server URL, token, flags) is kept exactly as the server wrote it.

/** Where the agent keeps its state unless the user says otherwise (the server's default too). */
export const defaultDataDir = "/var/lib/sentinel-agent";

// The value of --data-dir as a shell word: bare, '...' or "..." (the server writes a bare path).
const dataDirFlag = /--data-dir(?:=|\s+)(?:'[^']*'|"(?:[^"\\]|\\.)*"|\S+)/;

/** `text` as one POSIX shell word: unchanged when it is safe bare, else in single quotes. */
export function shellQuote(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Why `dir` cannot be the agent's data directory, or undefined when it can. */
export function dataDirProblem(dir: string): string | undefined {
  if (!dir.trim()) return "Give the directory where the agent keeps its state.";
  if (!dir.startsWith("/")) return "Give an absolute path, starting with /.";
  if (/[\x00-\x1f\x7f]/.test(dir)) return "The path must not contain control characters.";
  return undefined;
}

/** `command` with its --data-dir value replaced by `dir` (or the flag appended when it has none). */
export function withDataDir(command: string, dir: string): string {
  const flag = `--data-dir ${shellQuote(dir)}`;
  if (dataDirFlag.test(command)) return command.replace(dataDirFlag, () => flag);
  return `${command.trimEnd()} ${flag}`;
}
