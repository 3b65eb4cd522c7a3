/**
 * Model id normalisation: turn what a transcript, a cloud gateway or a user
 * wrote into the form the price table is keyed by.
 *
 * This only removes decoration that never changes the price (letter case,
 * provider and region prefixes, cloud version suffixes, snapshot dates, the
 * `[1m]` selector alias, `-latest`). It never guesses: the result must equal a
 * canonical id or alias of the table exactly, or the model is unpriced. So
 * `claude-opus-5-6` stays `claude-opus-5-6` and does not become `claude-opus-5`.
 */

/** Claude Code's placeholder model for errors, rate limits and "No response requested". */
export const SYNTHETIC_MODEL_ID = '<synthetic>';

/** LiteLLM-style provider routes: `anthropic/claude-…`, `bedrock/…`, `vertex_ai/…`. */
const PROVIDER_ROUTE = /^(?:anthropic|bedrock|vertex_ai)\//;
/** Bedrock ids: `anthropic.claude-…`, with an optional cross-region profile (`us.`, `eu.`, `apac.`, `global.`, …). */
const BEDROCK_PREFIX = /^(?:(?:us|us-gov|eu|apac|global|jp|au)\.)?anthropic\./;
/** Suffixes removed from the end (repeatedly, so in any order). */
const SUFFIXES: readonly RegExp[] = [
  /\[1m\]$/, // Claude Code selector alias, e.g. claude-sonnet-4-5-20250929[1m]
  /@[^@/]*$/, // Vertex version, e.g. claude-opus-4-5@20251101
  /-v\d+(?::\d+)?$/, // Bedrock version, e.g. -v1:0, -v2:0, -v1; Vertex claude-3-5-sonnet-v2
  /-\d{8}$/, // snapshot date, e.g. -20250929
  /-latest$/,
];

/** True for Claude Code's `<synthetic>` placeholder model, which is not a model and is never priced. */
export function isSyntheticModel(raw: string): boolean {
  return raw.trim() === SYNTHETIC_MODEL_ID;
}

/**
 * Normalise a raw model id for an exact lookup in the price table.
 *
 * Lower-cases; takes the model id at the end of an ARN; strips provider routes
 * (`anthropic/`), Bedrock prefixes (`anthropic.`, `us.anthropic.`, `eu.`,
 * `apac.`, `global.` …); writes version dots as hyphens (`4.5` -> `4-5`); and
 * strips `[1m]`, Vertex `@…`, Bedrock `-v1:0`/`-v1`, a trailing `-YYYYMMDD` and
 * `-latest`. Pure and idempotent.
 */
export function normalizeModelId(raw: string): string {
  let s = raw;
  for (;;) {
    const next = normalizeOnce(s);
    if (next === s) {
      return s;
    }
    s = next;
  }
}

/** One pass of every rule; repeated until nothing changes, so the result is a fixed point. */
function normalizeOnce(raw: string): string {
  let s = raw.trim().toLowerCase();
  if (s.startsWith('arn:')) {
    // arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-6-v1
    s = s.slice(s.lastIndexOf('/') + 1);
  }
  s = s.replace(PROVIDER_ROUTE, '').replace(BEDROCK_PREFIX, '');
  // OpenRouter / ccusage style versions: claude-sonnet-4.5, claude-4.6-opus.
  s = s.replace(/(\d)\.(?=\d)/g, '$1-');
  for (const suffix of SUFFIXES) {
    s = s.replace(suffix, '');
  }
  return s;
}
