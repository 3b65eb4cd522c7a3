/** The settings schema and the manifest's contributed configuration agree, setting by setting. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultSettings, SETTINGS_SECTION, settingsSchema } from '../../../src/core/settings';

const ROOT = path.resolve(__dirname, '../../../..');

describe('settings in package.json', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { configuration: Array<{ title: string; properties: Record<string, { default?: unknown; markdownDescription?: string; enum?: unknown[]; enumDescriptions?: unknown[]; type?: string }> }> };
  };
  // Titled groups: the sections of the Settings editor.
  const groups = manifest.contributes.configuration;
  const props = Object.assign({}, ...groups.map((g) => g.properties)) as (typeof groups)[number]['properties'];

  it('groups the settings in the sections a user looks for, each setting in one', () => {
    assert.deepEqual(
      groups.map((g) => g.title),
      ['Status bar', 'Nudges', 'Budgets', 'Plans', 'Pricing', 'Storage', 'Team export'],
    );
    assert.equal(groups.reduce((n, g) => n + Object.keys(g.properties).length, 0), Object.keys(props).length, 'no setting in two groups');
  });

  it('every setting of the schema is contributed with its default and a description, and nothing else is', () => {
    const defaults = defaultSettings() as Record<string, unknown>;
    assert.deepEqual(Object.keys(props).sort(), Object.keys(settingsSchema).map((k) => `${SETTINGS_SECTION}.${k}`).sort());
    for (const key of Object.keys(settingsSchema)) {
      const p = props[`${SETTINGS_SECTION}.${key}`];
      assert.ok(p, key);
      assert.deepEqual(p.default, defaults[key], `${key}: default`);
      assert.ok((p.markdownDescription ?? '').length > 20, `${key}: description`);
      if (p.enum) {
        assert.equal(p.enumDescriptions?.length, p.enum.length, `${key}: one description per value`);
      }
    }
  });
});
