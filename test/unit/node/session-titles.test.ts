import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SessionTitles } from '../../../src/node/session-titles';

describe('SessionTitles (the panel\'s light extra read)', () => {
  let temp = '';
  beforeEach(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ccm-titles-'));
  });
  afterEach(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('finds a session file across project folders, reads its title, and looks again only when the file grew', () => {
    const projects = path.join(temp, 'projects');
    const dir = path.join(projects, '-home-me-app');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'abc.jsonl');
    fs.writeFileSync(file, `${JSON.stringify({ type: 'assistant', message: { content: 'x' } })}\n`);
    let now = 0;
    const titles = new SessionTitles(() => [projects], () => now);
    assert.equal(titles.titleOf('abc'), null, 'no prompt yet');
    assert.equal(titles.titleOf('nope'), null, 'unknown session');
    fs.appendFileSync(file, `${JSON.stringify({ type: 'user', message: { role: 'user', content: 'Refactor the parser' } })}\n`);
    assert.equal(titles.titleOf('abc'), 'Refactor the parser');
    // A found title is kept without reading again (the file is gone, the title stays until the listing is refreshed).
    fs.rmSync(file);
    assert.equal(titles.titleOf('abc'), null, 'stat fails: no title for a deleted file');
    now = 60_000;
    fs.writeFileSync(path.join(dir, 'late.jsonl'), `${JSON.stringify({ type: 'summary', summary: 'Late one' })}\n`);
    assert.equal(titles.titleOf('late'), 'Late one', 'a file that appeared after the listing is found once it is refreshed');
  });
});
