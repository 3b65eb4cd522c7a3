/**
 * Which session a transcript file belongs to, from its path under `projects/`.
 * (transcript-format.md §8 rule 2; ccusage's project-as-session bug P17.)
 */

export interface FileRole {
  /** Session id taken from the path, or undefined when only the lines can tell (loose agent files). */
  sessionId: string | undefined;
  /** True for subagent transcripts (`<session>/subagents/*.jsonl`, loose `agent-*.jsonl`). */
  subagent: boolean;
  /** The encoded project folder (first segment); never shown to users, the `cwd` field is. */
  projectFolder: string;
}

function stem(name: string): string {
  return name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : name;
}

/**
 * Classifies a `.jsonl` file by its path relative to a `projects/` folder,
 * with `/` separators:
 * - `<enc>/<uuid>.jsonl` -> session `<uuid>`;
 * - `<enc>/<uuid>/subagents/<any>.jsonl` -> session `<uuid>`, subagent;
 * - `<enc>/agent-<id>.jsonl` -> subagent, session from its lines;
 * - other nested files -> their parent folder's name.
 */
export function fileRoleFromPath(relativePath: string): FileRole {
  const parts = relativePath.split('/').filter((p) => p.length > 0);
  const name = parts[parts.length - 1] ?? '';
  const projectFolder = parts.length > 1 ? (parts[0] ?? '') : '';
  const subagentsAt = parts.lastIndexOf('subagents');
  if (subagentsAt >= 1 && subagentsAt === parts.length - 2) {
    return { sessionId: parts[subagentsAt - 1], subagent: true, projectFolder };
  }
  if (name.startsWith('agent-')) {
    return { sessionId: undefined, subagent: true, projectFolder };
  }
  if (parts.length <= 2) {
    return { sessionId: stem(name), subagent: false, projectFolder };
  }
  return { sessionId: parts[parts.length - 2], subagent: false, projectFolder };
}
