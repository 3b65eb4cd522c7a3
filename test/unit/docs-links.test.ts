/**
 * The docs the code cites live in the repo (CONTRIBUTING.md §17): every
 * Markdown file named in a comment under src/ (and webview/, bench/,
 * scripts/, the build and lint configs) exists, and every relative link in
 * the user and contributor docs points at a file that exists.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');

/** Source folders whose comments are checked, and single files beside them. */
const CODE_DIRS = ['src', 'webview', 'bench', 'scripts'];
const CODE_FILES = ['esbuild.mjs', 'eslint.config.mjs'];
const CODE_EXT = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', '.work', 'out', 'dist']);

/** Markdown files whose relative links are checked. */
function markdownFiles(): string[] {
  const docs = fs.existsSync(path.join(ROOT, 'docs')) ? fs.readdirSync(path.join(ROOT, 'docs')).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`) : [];
  return ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'bench/README.md', ...docs].filter((p) => fs.existsSync(path.join(ROOT, p)));
}

function walk(dir: string, out: string[]): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) {
        walk(p, out);
      }
    } else if (CODE_EXT.test(e.name) && !e.name.endsWith('.d.ts')) {
      out.push(p);
    }
  }
  return out;
}

/** The text of every comment in a TypeScript or JavaScript source (strings, templates and regexes excluded). */
function commentsOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, /\.m?js$|\.cjs$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const seen = new Set<number>();
  const comments: string[] = [];
  const take = (ranges: ts.CommentRange[] | undefined): void => {
    for (const r of ranges ?? []) {
      if (!seen.has(r.pos)) {
        seen.add(r.pos);
        comments.push(text.slice(r.pos, r.end));
      }
    }
  };
  const visit = (node: ts.Node): void => {
    take(ts.getLeadingCommentRanges(text, node.getFullStart()));
    take(ts.getTrailingCommentRanges(text, node.getEnd()));
    ts.forEachChild(node, visit);
  };
  visit(source);
  take(ts.getLeadingCommentRanges(text, source.endOfFileToken.getFullStart()));
  return comments;
}

/** Markdown file names cited in a comment (`docs/transcript-format.md §8`, `CONTRIBUTING.md §11`); URLs are not citations. */
function citedMarkdown(comment: string): string[] {
  const withoutUrls = comment.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, ' ');
  return [...withoutUrls.matchAll(/(?<![\w./-])((?:\.{1,2}\/)*(?:[\w.-]+\/)*[\w.-]+\.md)\b/g)].map((m) => m[1] as string);
}

/**
 * Whether a cited name resolves: a path with a folder is taken from the repo
 * root or from the citing file's folder; a bare name must be at the root or
 * beside the citing file (so a bare `transcript-format.md` does not pass for
 * `docs/transcript-format.md`).
 */
function citationResolves(root: string, citingFile: string, name: string): boolean {
  const candidates = [path.join(root, name), path.join(path.dirname(citingFile), name)];
  return candidates.some((p) => p.startsWith(root + path.sep) && fs.existsSync(p) && fs.statSync(p).isFile());
}

/** Relative link targets in Markdown (inline links and images), outside HTML comments, code blocks and code spans. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, '');
  const targets: string[] = [];
  for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1] as string;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) {
      continue; // a URL, mailto: or an anchor in the same page
    }
    targets.push(target);
  }
  for (const m of prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)) {
    const target = m[1] as string;
    if (!/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#')) {
      targets.push(target);
    }
  }
  return targets;
}

/** Whether a relative link from `mdFile` points at an existing file or folder of the repo. */
function linkResolves(root: string, mdFile: string, target: string): boolean {
  const clean = decodeURIComponent(target.replace(/[#?].*$/, ''));
  const p = path.resolve(path.dirname(mdFile), clean);
  return (p === root || p.startsWith(root + path.sep)) && fs.existsSync(p);
}

describe('docs links', () => {
  describe('the checks themselves', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'docs-links-'));
      fs.mkdirSync(path.join(dir, 'docs'));
      fs.mkdirSync(path.join(dir, 'src'));
      fs.writeFileSync(path.join(dir, 'docs', 'rules.md'), '# Rules\n');
      fs.writeFileSync(path.join(dir, 'GUIDE.md'), '# Guide\n');
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('finds citations in line and block comments, not in strings, regexes or URLs', () => {
      const code = [
        '/** See docs/rules.md §8 rule 5 and GUIDE.md §11. */',
        "const out = 'results-scaling.md'; // written, not cited",
        'const re = /notes\\.md/; /* then old-notes.md */',
        '// https://example.com/docs/guide/cost-modes.md is a URL',
        'export const x = `${out}-template.md`;',
      ].join('\n');
      const names = commentsOf('a.ts', code).flatMap(citedMarkdown);
      assert.deepEqual(names, ['docs/rules.md', 'GUIDE.md', 'old-notes.md']);
    });

    it('resolves a path from the root or the citing folder, and a bare name only at the root or beside the file', () => {
      const citing = path.join(dir, 'src', 'a.ts');
      assert.equal(citationResolves(dir, citing, 'docs/rules.md'), true);
      assert.equal(citationResolves(dir, citing, 'GUIDE.md'), true);
      assert.equal(citationResolves(dir, citing, 'rules.md'), false, 'a bare name elsewhere in the repo is not enough');
      assert.equal(citationResolves(dir, citing, 'docs/missing.md'), false);
      assert.equal(citationResolves(dir, citing, '../../etc/passwd.md'), false);
    });

    it('reads relative links and images, skipping URLs, anchors, HTML comments and code', () => {
      const md = [
        'See [rules](docs/rules.md#8-rules) and ![shot](media/a.png "A").',
        '[web](https://example.com/x.md), [top](#top), [mail](mailto:a@b.c)',
        '`[not](a-link.md)`',
        '<!-- ![later](media/not-yet.png) -->',
        '```',
        '[nor](this.md)',
        '```',
        '[ref]: ../GUIDE.md',
      ].join('\n');
      assert.deepEqual(relativeLinks(md), ['docs/rules.md#8-rules', 'media/a.png', '../GUIDE.md']);
      const from = path.join(dir, 'docs', 'index.md');
      assert.equal(linkResolves(dir, from, 'rules.md#8-rules'), true);
      assert.equal(linkResolves(dir, from, '../GUIDE.md'), true);
      assert.equal(linkResolves(dir, from, 'GUIDE.md'), false);
      assert.equal(linkResolves(dir, from, '../../outside.md'), false);
    });
  });

  it('every Markdown file cited in a code comment exists in the repo', function () {
    this.timeout(60_000); // parses ~75 sources: about 1 s, several on a busy machine
    const files = [...CODE_DIRS.filter((d) => fs.existsSync(path.join(ROOT, d))).flatMap((d) => walk(path.join(ROOT, d), [])), ...CODE_FILES.map((f) => path.join(ROOT, f)).filter((f) => fs.existsSync(f))];
    assert.ok(files.some((f) => f.includes(`${path.sep}src${path.sep}`)), 'src/ was read');
    const missing: string[] = [];
    let cited = 0;
    for (const f of files) {
      for (const name of commentsOf(f, fs.readFileSync(f, 'utf8')).flatMap(citedMarkdown)) {
        cited++;
        if (!citationResolves(ROOT, f, name)) {
          missing.push(`${path.relative(ROOT, f)}: ${name}`);
        }
      }
    }
    assert.ok(cited > 10, `only ${cited} citations found: is the comment reader working?`);
    assert.deepEqual(missing, [], 'cited Markdown files that are not in the repo');
  });

  it('every relative link in README.md, CONTRIBUTING.md, CHANGELOG.md, bench/README.md and docs/*.md resolves', () => {
    const mds = markdownFiles();
    assert.ok(mds.includes('README.md') && mds.some((m) => m.startsWith('docs/')), 'README.md and docs/ were read');
    const broken: string[] = [];
    for (const md of mds) {
      const file = path.join(ROOT, md);
      for (const target of relativeLinks(fs.readFileSync(file, 'utf8'))) {
        if (!linkResolves(ROOT, file, target)) {
          broken.push(`${md}: ${target}`);
        }
      }
    }
    assert.deepEqual(broken, [], 'relative links to missing files');
  });
});
