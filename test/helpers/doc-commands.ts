// The shell commands a generated docs/DOCKER.md tells its reader to run, taken from the ```sh blocks
// of given `## ` sections, in order, as a newcomer would copy them: continuation lines (`\` at the
// end of a line) joined, blank and comment-only lines skipped, every other line kept verbatim
// (its trailing comment too; bash ignores it).
//
// Convention for a command the docs expect to FAIL: its trailing comment says `exits non-zero`, e.g.
//   docker compose -f compose.build.yaml run --rm broken   # exits non-zero: the build fails
// Any other command is expected to exit 0.

export interface DocCommand {
  section: string;
  /** The command line, verbatim (joined when continued). */
  command: string;
  /** The docs say it exits non-zero (`# ... exits non-zero` in its trailing comment). */
  expectFailure: boolean;
}

/** Marks a command that the docs announce as failing. */
export const EXPECT_FAILURE = /#.*\bexits non-zero\b/;

/** The text of the `## NAME` section (up to the next `## ` heading), or null when there is none. */
export function section(markdown: string, name: string): string | null {
  const start = markdown.indexOf(`\n## ${name}\n`);
  if (start < 0) return null;
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** The ```sh blocks of a text. */
export const shBlocks = (text: string): string[] => [...text.matchAll(/^```sh\n([^]*?)^```$/gm)].map((m) => m[1]);

/** The commands of one ```sh block. */
export function blockCommands(block: string): string[] {
  return block
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
}

/** Every command of the ```sh blocks of the named sections, in document order within each section. Throws for a missing section. */
export function docCommands(markdown: string, sections: string[]): DocCommand[] {
  const out: DocCommand[] = [];
  for (const name of sections) {
    const text = section(markdown, name);
    if (text === null) throw new Error(`the docs have no "## ${name}" section`);
    for (const block of shBlocks(text)) {
      for (const command of blockCommands(block)) out.push({ section: name, command, expectFailure: EXPECT_FAILURE.test(command) });
    }
  }
  return out;
}
