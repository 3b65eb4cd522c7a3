/**
 * Where Claude Code keeps transcripts (docs/transcript-format.md §1, §8 rule 1).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RootSearch {
  /** Existing `projects/` folders, de-duplicated by real path, in search order. */
  projectsDirs: string[];
  /** Every place that was looked at, for the "no transcripts found" message. */
  lookedAt: string[];
  /** True when the list came from CLAUDE_CONFIG_DIR or explicit config dirs. */
  explicit: boolean;
}

/** Expands a leading `~` to the home folder. */
export function expandHome(p: string, home: string = os.homedir()): string {
  if (p === '~') {
    return home;
  }
  if (p.startsWith('~/') || p.startsWith('~\\')) {
    return path.join(home, p.slice(2));
  }
  return p;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** The `projects/` folder for a config dir entry, which may already be a `projects/` folder. */
export function projectsDirOf(entry: string): string {
  const resolved = path.resolve(entry);
  return path.basename(resolved) === 'projects' ? resolved : path.join(resolved, 'projects');
}

export interface RootOptions {
  /** Explicit config dirs (CLI `--config-dir`, a setting); when given, only these are used. */
  configDirs?: readonly string[] | undefined;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/**
 * Finds the Claude `projects/` folders: explicit dirs, else `CLAUDE_CONFIG_DIR`
 * (comma-separated; each a config dir or its `projects/`; `~` expanded), else
 * `$XDG_CONFIG_HOME/claude` (default `~/.config/claude`) and `~/.claude`.
 */
export function findClaudeRoots(options: RootOptions = {}): RootSearch {
  const env = options.env ?? process.env;
  const home = options.home ?? os.homedir();
  let candidates: string[];
  let explicit = true;
  if (options.configDirs && options.configDirs.length > 0) {
    candidates = [...options.configDirs];
  } else if (env.CLAUDE_CONFIG_DIR && env.CLAUDE_CONFIG_DIR.trim() !== '') {
    candidates = env.CLAUDE_CONFIG_DIR.split(',').map((s) => s.trim()).filter((s) => s !== '');
  } else {
    explicit = false;
    const xdg = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.trim() !== '' ? env.XDG_CONFIG_HOME : path.join(home, '.config');
    candidates = [path.join(xdg, 'claude'), path.join(home, '.claude')];
  }
  const lookedAt: string[] = [];
  const projectsDirs: string[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    const dir = projectsDirOf(expandHome(c, home));
    lookedAt.push(dir);
    if (!isDir(dir)) {
      continue;
    }
    const real = realOrSelf(dir);
    if (seen.has(real)) {
      continue;
    }
    seen.add(real);
    projectsDirs.push(dir);
  }
  return { projectsDirs, lookedAt, explicit };
}
