/**
 * Session titles for the panel (Claude Code's summary line, else the first
 * prompt). The scan reads only usage lines, so titles are a light extra read:
 * the first 64 KB of a session's transcript, only for the sessions the panel
 * shows, remembered per file until the file's size changes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { titleFromHead } from '../core/transcript/session-title';

const HEAD_BYTES = 64 * 1024;
/** How long a listing of the projects folders is trusted, ms. */
const LISTING_MS = 30_000;

export class SessionTitles {
  private readonly titles = new Map<string, { file: string; size: number; title: string | null }>();
  private listing: { atMs: number; files: Map<string, string> } | undefined;

  constructor(
    private readonly projectsDirs: () => readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  /** The session's title, or null when its transcript has none (or is not found). */
  titleOf(sessionId: string): string | null {
    const file = this.fileOf(sessionId);
    if (file === undefined) {
      return null;
    }
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return null;
    }
    const known = this.titles.get(sessionId);
    // A found title stays; a missing one is looked for again once the file grows.
    if (known && known.file === file && (known.title !== null || known.size === size)) {
      return known.title;
    }
    const title = titleFromHead(readHead(file));
    this.titles.set(sessionId, { file, size, title });
    return title;
  }

  private fileOf(sessionId: string): string | undefined {
    if (this.listing === undefined || this.now() - this.listing.atMs >= LISTING_MS) {
      this.listing = { atMs: this.now(), files: listSessionFiles(this.projectsDirs()) };
    }
    return this.listing.files.get(`${sessionId}.jsonl`);
  }
}

/** `<sessionId>.jsonl` -> its path, across the projects folders (first found wins). */
function listSessionFiles(dirs: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of dirs) {
    let projects: fs.Dirent[];
    try {
      projects = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const p of projects) {
      if (!p.isDirectory()) {
        continue;
      }
      let names: string[];
      try {
        names = fs.readdirSync(path.join(dir, p.name));
      } catch {
        continue;
      }
      for (const n of names) {
        if (n.endsWith('.jsonl') && !files.has(n)) {
          files.set(n, path.join(dir, p.name, n));
        }
      }
    }
  }
  return files;
}

function readHead(file: string): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = fs.readSync(fd, buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}
