import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assistantLineSchema, cacheCreationSchema, serverToolUseSchema, usageSchema } from '../../../../src/core/transcript/transcript-schema';
import table from '../../../../src/node/scan/line-field-table.json';
import { SLOT, SLOT_COUNT } from '../../../../src/node/scan/line-slots';

const ROOT = path.join(__dirname, '../../../../..');

/** The reference parser's schema for each object of the field table. */
const SCHEMAS: Record<string, { shape: Record<string, unknown> } | undefined> = {
  line: assistantLineSchema,
  message: assistantLineSchema.shape.message,
  usage: usageSchema,
  cache_creation: cacheCreationSchema,
  server_tool_use: serverToolUseSchema,
  // Each element of usage.iterations: read by the rules of transcript.ts (`iterationsOf`), not by a schema.
  iteration: undefined,
};

/**
 * The keys the kernel reads that the schema leaves to the hand-written rules
 * in src/core/transcript/transcript.ts, with what those rules look for.
 */
const READ_BY_RULES: Record<string, RegExp> = {
  'line.subtype': /const \{ type, subtype \} = o;/,
  'usage.iterations': /usage\.iterations/,
  'iteration.type': /it\.type === 'message'/,
};

describe('the usage reader’s field table (line-field-table.json) and the reference parser', () => {
  const objects = new Map(table.objects.map((o) => [o.name, o.keys]));

  it('knows every field of the reference parser’s schemas, and no field the parser does not read', () => {
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      const keys = objects.get(name);
      assert.ok(keys, `no object ${name} in the field table`);
      const schemaKeys = schema ? Object.keys(schema.shape) : [];
      for (const k of schemaKeys) {
        assert.ok(keys.includes(k), `${name}.${k} is in the schema but not in line-field-table.json`);
      }
      for (const k of keys) {
        assert.ok(schemaKeys.includes(k) || READ_BY_RULES[`${name}.${k}`] !== undefined, `${name}.${k} is in line-field-table.json but neither in the schema nor in the parser's rules`);
      }
    }
    assert.deepEqual([...objects.keys()].sort(), Object.keys(SCHEMAS).sort());
  });

  it('reads the fields the schema leaves to the rules as transcript.ts does', () => {
    const rules = fs.readFileSync(path.join(ROOT, 'src/core/transcript/transcript.ts'), 'utf8');
    for (const [field, pattern] of Object.entries(READ_BY_RULES)) {
      assert.match(rules, pattern, `${field}: transcript.ts no longer reads it as the field table says`);
    }
  });

  it('gives every answer slot a field of the table, and every field read to a value a slot', () => {
    const containers = new Set(['line.message', 'message.usage', 'usage.iterations']);
    const slotted = new Set(table.slots.flatMap((s) => (s.field ? [s.field] : [])));
    for (const f of slotted) {
      const [object, key] = f.split('.') as [string, string];
      assert.ok(objects.get(object)?.includes(key), `slot field ${f} is not in the table's objects`);
    }
    for (const [object, keys] of objects) {
      for (const key of keys) {
        const f = `${object}.${key}`;
        assert.ok(slotted.has(f) || containers.has(f) || object === 'iteration', `${f} has no answer slot`);
      }
    }
  });

  it('generated line-slots.ts and the kernel’s key table from it (npm run build:wasm is current)', () => {
    let at = 0;
    for (const s of table.slots) {
      assert.equal(SLOT[s.name as keyof typeof SLOT], at, s.name);
      at += table.slotWidths[s.kind as keyof typeof table.slotWidths];
    }
    assert.equal(SLOT_COUNT, at);
    const wat = fs.readFileSync(path.join(ROOT, 'src/node/scan/line-kernel.wat'), 'utf8');
    for (const keys of objects.values()) {
      for (const k of keys) {
        assert.ok(wat.includes(`${k}`), `${k} is not in the kernel's key table`);
      }
    }
    // The answer slots the kernel clears for each line: all of them.
    assert.match(wat, new RegExp(`\\(memory\\.fill \\(i32\\.const 512\\) \\(i32\\.const 0\\) \\(i32\\.const ${SLOT_COUNT * 4}\\)\\)`));
  });
});
