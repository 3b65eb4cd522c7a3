/**
 * The size rules of CONTRIBUTING.md: no TypeScript file in src/ or webview/
 * over 600 lines, and no function there over 100 lines (read with the
 * TypeScript parser, so a long string or comment is not a function).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');
const MAX_FILE_LINES = 600;
const MAX_FUNCTION_LINES = 100;

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Functions of `source` longer than `max` lines, as "file:line name (N lines)". */
export function longFunctions(file: string, source: string, max: number): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n)) {
      const first = sf.getLineAndCharacterOfPosition(n.getStart()).line;
      const last = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
      if (last - first + 1 > max) {
        const name = 'name' in n && n.name !== undefined ? (n.name as ts.Node).getText(sf) : '(anonymous)';
        out.push(`${path.relative(ROOT, file)}:${first + 1} ${name} (${last - first + 1} lines)`);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe('code size (CONTRIBUTING.md)', () => {
  const files = [...tsFiles(path.join(ROOT, 'src')), ...tsFiles(path.join(ROOT, 'webview'))];

  it(`no TypeScript file in src/ or webview/ is over ${MAX_FILE_LINES} lines`, () => {
    const long = files.map((f) => [path.relative(ROOT, f), fs.readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > MAX_FILE_LINES);
    assert.deepEqual(long, []);
  });

  it(`no function there is over ${MAX_FUNCTION_LINES} lines`, () => {
    assert.deepEqual(
      files.flatMap((f) => longFunctions(f, fs.readFileSync(f, 'utf8'), MAX_FUNCTION_LINES)),
      [],
    );
  });

  it('the function check can fail: a 101-line function is found, a 100-line one is not', () => {
    const body = (n: number) => `function f() {\n${'  x();\n'.repeat(n - 2)}}\n`;
    assert.equal(longFunctions('a.ts', body(101), MAX_FUNCTION_LINES).length, 1);
    assert.equal(longFunctions('a.ts', body(100), MAX_FUNCTION_LINES).length, 0);
  });
});
