/**
 * Is Claude Code running under a given shell? Looks for a descendant process
 * whose command is `claude` (Linux /proc). Read-only; used to decide whether
 * "Send /compact to Claude" can type into an integrated terminal.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function readProc(pid: number): { ppid: number; argv: string[] } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces; ppid is the 2nd field after it.
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    return { ppid: Number(after[1]), argv };
  } catch {
    return undefined;
  }
}

/** True when a process's command line is Claude Code's CLI. */
export function isClaudeCommand(argv: readonly string[]): boolean {
  return argv.slice(0, 2).some((a) => {
    const base = path.basename(a);
    return base === 'claude' || a.includes('@anthropic-ai/claude-code');
  });
}

/** True when `shellPid` has a descendant running Claude Code. Linux only; false elsewhere. */
export function hasClaudeDescendant(shellPid: number): boolean {
  let pids: number[];
  try {
    pids = fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return false;
  }
  const children = new Map<number, number[]>();
  const argvOf = new Map<number, string[]>();
  for (const pid of pids) {
    const p = readProc(pid);
    if (!p) {
      continue;
    }
    argvOf.set(pid, p.argv);
    const list = children.get(p.ppid) ?? [];
    list.push(pid);
    children.set(p.ppid, list);
  }
  const queue = [...(children.get(shellPid) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (isClaudeCommand(argvOf.get(pid) ?? [])) {
      return true;
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return false;
}
