// Regenerates the Settings and Commands tables of README.md from package.json
// (between the <!-- settings --> / <!-- commands --> markers).
//   node scripts/readme-tables.mjs          # rewrite README.md
//   node scripts/readme-tables.mjs --check  # exit 1 when README.md is stale
import { readFileSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function settingsTable() {
  // The configuration is one object or an array of titled groups (Settings editor sections).
  const groups = [pkg.contributes.configuration].flat().sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const rows = groups.flatMap((g) =>
    Object.entries(g.properties)
      .sort(([, a], [, b]) => (a.order ?? 0) - (b.order ?? 0))
      .map(([key, p]) => {
      const type = p.enum ? p.enum.map((e) => `\`${e}\``).join(' / ') : p.type;
      const bounds = p.minimum !== undefined ? ` (${p.minimum}–${p.maximum})` : '';
        return `| \`${key}\` | ${cell(g.title ?? '')} | ${cell(type)}${bounds} | \`${cell(JSON.stringify(p.default))}\` | ${cell(p.markdownDescription ?? p.description ?? '')} |`;
      }),
  );
  return ['| Setting | Section | Type | Default | What it does |', '|---|---|---|---|---|', ...rows].join('\n');
}

function commandsTable() {
  const rows = pkg.contributes.commands.map((c) => `| ${c.category}: ${c.title} | \`${c.command}\` |`);
  return ['| Command | Id |', '|---|---|', ...rows].join('\n');
}

function replace(text, marker, body) {
  const re = new RegExp(`(<!-- ${marker} -->\\n)[\\s\\S]*?(<!-- /${marker} -->)`);
  if (!re.test(text)) {
    throw new Error(`README.md has no <!-- ${marker} --> block`);
  }
  return text.replace(re, `$1${body}\n$2`);
}

const readme = readFileSync('README.md', 'utf8');
const next = replace(replace(readme, 'settings', settingsTable()), 'commands', commandsTable());
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md settings/commands tables are stale: run node scripts/readme-tables.mjs');
    process.exit(1);
  }
} else {
  writeFileSync('README.md', next);
}
