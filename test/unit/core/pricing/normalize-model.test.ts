import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { isSyntheticModel, normalizeModelId } from '../../../../src/core/pricing/normalize-model';
import { bundledPriceTable } from '../../../../src/core/pricing/price-table';

describe('pricing/normalize-model', () => {
  const cases: [string, string][] = [
    ['claude-opus-4-6', 'claude-opus-4-6'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-opus-4-6-20260205', 'claude-opus-4-6'],
    ['CLAUDE-Opus-4-7-20260416', 'claude-opus-4-7'],
    ['  claude-haiku-4-5  ', 'claude-haiku-4-5'],
    ['us.anthropic.claude-opus-4-6-v1', 'claude-opus-4-6'],
    ['anthropic.claude-opus-4-6-v1:0', 'claude-opus-4-6'],
    ['eu.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['apac.anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet'],
    ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5'],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-6-v1', 'claude-opus-4-6'],
    ['arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0', 'claude-3-haiku'],
    ['anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5'],
    ['anthropic/claude-sonnet-4.5', 'claude-sonnet-4-5'],
    ['anthropic/claude-4.6-opus-20260205', 'claude-4-6-opus'],
    ['claude-sonnet-4-5-20250929[1m]', 'claude-sonnet-4-5'],
    ['claude-opus-4-6[1m]', 'claude-opus-4-6'],
    ['claude-opus-4-5@20251101', 'claude-opus-4-5'],
    ['claude-3-5-sonnet-v2@20241022', 'claude-3-5-sonnet'],
    ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet'],
    ['claude-opus-5-6', 'claude-opus-5-6'],
    ['<synthetic>', '<synthetic>'],
    ['', ''],
  ];
  for (const [raw, expected] of cases) {
    it(`normalises ${JSON.stringify(raw)} to ${JSON.stringify(expected)}`, () => {
      assert.equal(normalizeModelId(raw), expected);
    });
  }

  it('is idempotent', () => {
    const parts = fc.constantFrom(
      'anthropic/', 'bedrock/', 'us.', 'anthropic.', 'eu.', 'claude-', 'opus-', 'sonnet', '4', '-5', '.', '-20250929',
      '[1m]', '@20251101', '@', '-v1', ':0', '-latest', 'arn:', '/', ' ', 'X', '-',
    );
    fc.assert(
      fc.property(fc.array(parts, { maxLength: 12 }), (xs) => {
        const once = normalizeModelId(xs.join(''));
        assert.equal(normalizeModelId(once), once);
      }),
    );
  });

  it('every canonical id of the bundled table is a fixed point', () => {
    for (const m of bundledPriceTable().models()) {
      assert.equal(normalizeModelId(m.id), m.id);
    }
  });

  it('recognises <synthetic> and nothing else as synthetic', () => {
    assert.equal(isSyntheticModel('<synthetic>'), true);
    assert.equal(isSyntheticModel(' <synthetic> '), true);
    assert.equal(isSyntheticModel('synthetic'), false);
    assert.equal(isSyntheticModel('claude-opus-4-6'), false);
  });
});
