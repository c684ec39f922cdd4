// What the command line knows of the go-deb preset: its rows of the one answer table (flag, help,
// prompt, parse, check) and its defaults of the common answers as --help shows them. Read by flag
// parsing through the registry, so it imports nothing that renders.
import { list, text, type AnswerSpec } from '../../core/rows.js';
import { quoted } from '../../core/safety/text.js';
import type { FlagAnswers } from '../../cli/flags.js';
import type { PresetEntry } from '../types.js';
import { hasGoMod } from './go-mod.js';

/** The flags go-deb reads beyond the common ones. */
export interface GoDebFlagAnswers extends FlagAnswers {
  systemPackages?: string[];
  maintainer?: string;
}

const rows: AnswerSpec[] = [
  // Debian package names (Policy 5.6.1): the image installs them with apt.
  { name: 'system-packages', key: 'systemPackages', value: 'LIST', help: 'Debian packages the build needs (e.g. libfuse3-dev), or none', parse: (raw) => (raw === 'none' ? [] : list(raw)), shown: () => 'none', prompt: { type: 'input', message: 'Debian packages the build needs (comma-separated, e.g. libfuse3-dev; empty for none)' }, check: (v: string[]) => (v.length > 100 ? `${v.length} Debian packages; at most 100` : null) ?? v.map((p) => (/^[a-z0-9][a-z0-9+.-]+$/.test(p) && p.length <= 100 ? null : `invalid Debian package name ${quoted(p)}: lowercase letters, digits and + . - (at least two, at most 100), e.g. libfuse3-dev`)).find((m) => m) ?? null },
  { name: 'maintainer', key: 'maintainer', value: 'NAME <EMAIL>', help: 'the .deb Maintainer (default: from debian/control, else PROJECT maintainers <maintainers@example.invalid>)', parse: text, prompt: { type: 'input', message: 'Maintainer of the .deb (Name <email>)' }, check: (v: string) => (v.length > 200 ? `maintainer ${quoted(v)} is longer than 200 characters` : /^[^<>\u0000-\u001f\u007f-\u009f]+ <[^<>@\s]+@[^<>\s]+>$/.test(v) ? null : `invalid maintainer ${quoted(v)}: one line, Name <email>, e.g. Jane Doe <jane@example.org>`) },
];

export const goDebFlags = {
  id: 'go-deb' as const,
  displayName: 'Go binaries and a .deb package',
  detectedBy: 'go.mod',
  // Not in folders Go itself ignores (testdata, _x): test modules there are no project.
  isProject: (dir: string, segments: readonly string[]) => !segments.some((s) => s === 'testdata' || s.startsWith('_')) && hasGoMod(dir),
  kind: 'a Go module',
  questions: ['base-image', 'system-packages', 'maintainer', 'image', 'registry', 'ci'],
  rows,
  shown: { 'base-image': "golang:<go.mod's go version>-bookworm", image: 'PROJECT-build' },
  verifyHelp: ["GOPROXY, GOSUMDB, GOPRIVATE, GONOPROXY, GONOSUMDB, GOINSECURE and GOFLAGS set in verify's environment go to its build containers (as compose.build.yaml passes them)"],
  load: async () => (await import('./index.js')).goDeb,
} satisfies PresetEntry;
