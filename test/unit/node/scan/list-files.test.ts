/**
 * The listing kept for the next warm start: trusted only while every folder
 * is as it was, and only kept when every folder had settled.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkListing, isStoredListing, listForStoring, listTranscriptFiles, SETTLED_MS, type StoredListing } from '../../../../src/node/scan/list-files';

/** Sets every folder under `root` (and `root`) to an mtime an hour ago, as an old history's folders are. */
function settle(root: string): void {
  const past = new Date(Date.now() - 3_600_000);
  const visit = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        visit(path.join(dir, e.name));
      }
    }
    fs.utimesSync(dir, past, past);
  };
  visit(root);
}

describe('the stored listing (warm start without reading folders)', () => {
  let temp = '';
  let a = '';
  let b = '';
  beforeEach(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-listing-'));
    a = path.join(temp, 'a', 'projects');
    b = path.join(temp, 'b', 'projects');
    fs.mkdirSync(path.join(a, '-p1', 's1', 'subagents'), { recursive: true });
    fs.mkdirSync(path.join(a, '-p2'), { recursive: true });
    fs.mkdirSync(path.join(b, '-p3'), { recursive: true });
    fs.writeFileSync(path.join(a, '-p1', 's1.jsonl'), '{"type":"user"}\n');
    fs.writeFileSync(path.join(a, '-p1', 's1', 'subagents', 'agent-1.jsonl'), '{"type":"user"}\n');
    fs.writeFileSync(path.join(a, '-p1', 'notes.txt'), 'not a transcript');
    fs.writeFileSync(path.join(a, '-p2', 's2.jsonl'), '');
    fs.writeFileSync(path.join(b, '-p3', 's3.jsonl'), '{"type":"user"}\n{"type":"user"}\n');
    settle(temp);
  });
  afterEach(() => fs.rmSync(temp, { recursive: true, force: true }));

  const roots = () => [a, b];
  const listed = (): StoredListing => {
    const { files, listing } = listForStoring(roots(), []);
    assert.deepEqual(files, roots().flatMap((d) => listTranscriptFiles(d)));
    assert.ok(listing, 'settled folders give a listing to keep');
    assert.ok(isStoredListing(JSON.parse(JSON.stringify(listing))), 'it survives JSON and its shape check');
    return listing;
  };

  it('holds while no folder and no file changed; an append or a touch is a changed file, not a changed listing', () => {
    const listing = listed();
    assert.equal(listing.dirs.length, 7, 'both roots, three project and session folders, one subagents folder');
    assert.deepEqual(
      listing.files,
      roots().flatMap((d, i) => listTranscriptFiles(d).map((f) => [f.relativePath, i, f.size, f.mtimeMs, f.ino])),
      'each file with the size, mtime and inode the walk saw',
    );
    assert.equal(checkListing(listing, roots()), 'same');
    assert.equal(checkListing(JSON.parse(JSON.stringify(listing)) as StoredListing, roots()), 'same', 'mtimes survive JSON exactly');
    // An append changes no folder: the file's stat tells.
    fs.appendFileSync(path.join(b, '-p3', 's3.jsonl'), '{"type":"user"}\n');
    assert.equal(checkListing(listing, roots()), 'files-changed');
    const touched = listed();
    const file = path.join(a, '-p2', 's2.jsonl');
    const later = new Date(fs.statSync(file).mtimeMs + 5000);
    fs.utimesSync(file, later, later);
    assert.equal(checkListing(touched, roots()), 'files-changed', 'same size, another mtime');
  });

  for (const [what, change] of [
    ['a new session file', () => fs.writeFileSync(path.join(a, '-p2', 'new.jsonl'), '')],
    ['a new project folder', () => fs.mkdirSync(path.join(b, '-p4'))],
    ['a new subagents folder', () => fs.mkdirSync(path.join(a, '-p2', 's2', 'subagents'), { recursive: true })],
    ['a new subagent file', () => fs.writeFileSync(path.join(a, '-p1', 's1', 'subagents', 'agent-2.jsonl'), '')],
    ['a deleted file', () => fs.rmSync(path.join(a, '-p2', 's2.jsonl'))],
    ['a renamed file', () => fs.renameSync(path.join(a, '-p2', 's2.jsonl'), path.join(a, '-p2', 's9.jsonl'))],
    ['a deleted project folder', () => fs.rmSync(path.join(b, '-p3'), { recursive: true })],
  ] as const) {
    it(`is not trusted after ${what}`, () => {
      const listing = listed();
      change();
      assert.equal(checkListing(listing, roots()), 'folders-changed');
    });
  }

  it('is not trusted for other roots, and is not kept when a folder changed just before the listing', () => {
    const listing = listed();
    assert.equal(checkListing(listing, [a]), 'folders-changed');
    assert.equal(checkListing(listing, [b, a]), 'folders-changed');
    fs.utimesSync(path.join(a, '-p2'), new Date(), new Date());
    assert.equal(listForStoring(roots(), []).listing, undefined, 'a folder changed within the last SETTLED_MS');
    const justSettled = new Date(Date.now() - SETTLED_MS - 1000);
    fs.utimesSync(path.join(a, '-p2'), justSettled, justSettled);
    assert.ok(listForStoring(roots(), []).listing);
  });

  it('is not kept when something could not be read', () => {
    const problems: Array<{ path: string; message: string }> = [];
    const { files, listing } = listForStoring([a, path.join(temp, 'missing', 'projects')], problems);
    assert.equal(listing, undefined);
    assert.equal(problems.length, 1);
    assert.equal(files.length, 3);
  });

  it('rejects a stored listing of the wrong shape', () => {
    for (const bad of [null, 1, {}, { projectsDirs: [1], dirs: [], files: [] }, { projectsDirs: [], dirs: [['x', 1]], files: [] }, { projectsDirs: [], dirs: [], files: [['x', 'y', 0]] }, { projectsDirs: [], dirs: [], files: [['x', 0]] }, { projectsDirs: [], dirs: [], files: [['x', 0, 1, 2, '3']] }]) {
      assert.equal(isStoredListing(bad), false, JSON.stringify(bad));
    }
  });
});
