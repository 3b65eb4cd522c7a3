/**
 * Plan limits (the 5-hour and weekly allowances of Pro, Max and Team plans):
 * the two places Claude Code leaves them, parsed leniently, and the rules
 * that turn a reading into what the CLI, the status bar and the panel show.
 *
 * - Claude Code's global config (`.claude.json`) keeps `cachedUsageUtilization`,
 *   refreshed now and then (schema as in the 2.1.33x bundle: percentages
 *   0-100, `resets_at` ISO 8601).
 * - The statusLine hook gets `rate_limits` on stdin with every refresh
 *   (`used_percentage` 0-100, `resets_at` epoch seconds from the response
 *   headers); `claude-cost statusline` records it as a snapshot.
 *
 * A reading always carries its age; a window whose reset has passed is
 * stale; a window with no number is "no reading". Nothing is guessed.
 * Pure: no fs, no clock (`nowMs` is passed in).
 */
import { z } from 'zod';

import { instantMs, isKnown, KNOWN_WINDOWS, modelWindow, percentOf, STATUSLINE_SNAPSHOT_VERSION, windowLabel, type ExtraUsage, type KnownWindow, type LimitsReading, type LimitWindow } from './limits-view';

export * from './limits-view';

// ---------------------------------------------------------------------------
// Schemas (lenient: unknown keys pass, nulls allowed where Claude Code allows them).

const nullableNumber = z.number().finite().nullable().optional().catch(null);
const nullableString = z.string().max(200).nullable().optional().catch(null);

const configWindowSchema = z.looseObject({ utilization: nullableNumber, resets_at: nullableString });

const configLimitRowSchema = z.looseObject({
  kind: z.string().max(200).optional().catch(undefined),
  group: z.string().max(200).optional().catch(undefined),
  percent: nullableNumber,
  resets_at: nullableString,
  severity: z.string().max(200).optional().catch(undefined),
  is_active: z.boolean().optional().catch(undefined),
  scope: z
    .looseObject({ model: z.looseObject({ display_name: z.string().max(200) }).nullish().catch(null) })
    .nullish()
    .catch(null),
});

const extraUsageSchema = z.looseObject({
  is_enabled: z.boolean().catch(false),
  monthly_limit: nullableNumber,
  used_credits: nullableNumber,
  utilization: nullableNumber,
  currency: nullableString,
});

/** `cachedUsageUtilization` in Claude Code's global config (bundle 2.1.33x). */
export const cachedUsageUtilizationSchema = z.looseObject({
  fetchedAtMs: z.number().finite(),
  accountUuid: z.string().optional().catch(undefined),
  utilization: z.record(z.string(), z.unknown()),
});

/** The parts of the global config we read. */
export const claudeConfigSchema = z.looseObject({
  cachedUsageUtilization: z.unknown().optional(),
  oauthAccount: z
    .looseObject({ organizationType: z.string().max(200).nullish().catch(null) })
    .nullish()
    .catch(null),
});

const statuslineWindowSchema = z.looseObject({
  used_percentage: nullableNumber,
  utilization: nullableNumber,
  resets_at: z.union([z.number().finite(), z.string().max(200)]).nullable().optional().catch(null),
});

/** `rate_limits` of the statusLine hook's stdin. */
export const statuslineRateLimitsSchema = z.looseObject({
  model_scoped: z
    .array(z.looseObject({ display_name: z.string().max(200), utilization: nullableNumber, used_percentage: nullableNumber, resets_at: statuslineWindowSchema.shape.resets_at }))
    .optional()
    .catch(undefined),
});

/** The statusLine hook's stdin: only what we use is typed, the rest passes. */
export const statuslineInputSchema = z.looseObject({
  session_id: z.string().max(200).optional().catch(undefined),
  transcript_path: z.string().max(4096).optional().catch(undefined),
  cwd: z.string().max(4096).optional().catch(undefined),
  model: z.looseObject({ id: z.string().max(200).optional().catch(undefined), display_name: z.string().max(200).optional().catch(undefined) }).optional().catch(undefined),
  cost: z.looseObject({ total_cost_usd: z.number().finite().optional().catch(undefined) }).optional().catch(undefined),
  context_window: z.record(z.string(), z.unknown()).optional().catch(undefined),
  prompt_cache: z.record(z.string(), z.unknown()).nullable().optional().catch(undefined),
  rate_limits: z.record(z.string(), z.unknown()).nullable().optional().catch(undefined),
});
export type StatuslineInput = z.infer<typeof statuslineInputSchema>;

// ---------------------------------------------------------------------------
// Parsing

/** Keys of `utilization` that are not windows. */
const NOT_WINDOWS = new Set(['extra_usage', 'limits']);

/**
 * The reading in a parsed global config (`.claude.json`), or a reason why
 * there is none (no key, a foreign shape). Never throws.
 */
export function readingFromClaudeConfig(config: unknown): { reading: LimitsReading | null; plan: string | null; problem: string | null } {
  const top = claudeConfigSchema.safeParse(config);
  if (!top.success) {
    return { reading: null, plan: null, problem: 'not a Claude Code config (not a JSON object)' };
  }
  const plan = top.data.oauthAccount?.organizationType ?? null;
  if (top.data.cachedUsageUtilization === undefined) {
    return { reading: null, plan, problem: 'no cachedUsageUtilization in the config (Claude Code has not fetched the plan usage yet, or this is not a subscription)' };
  }
  const cached = cachedUsageUtilizationSchema.safeParse(top.data.cachedUsageUtilization);
  if (!cached.success) {
    return { reading: null, plan, problem: 'cachedUsageUtilization has an unknown shape' };
  }
  const u = cached.data.utilization;
  const windows: LimitWindow[] = [];
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(u)) {
    if (NOT_WINDOWS.has(key) || value === null || value === undefined) {
      continue;
    }
    if (!isKnown(key)) {
      ignored.push(key);
      continue;
    }
    const w = configWindowSchema.safeParse(value);
    windows.push({ id: key, label: windowLabel(key), percent: w.success ? percentOf(w.data.utilization) : null, resetsAtMs: w.success ? instantMs(w.data.resets_at) : null });
  }
  windows.sort((a, b) => KNOWN_WINDOWS.indexOf(a.id as KnownWindow) - KNOWN_WINDOWS.indexOf(b.id as KnownWindow));
  const rows = z.array(z.unknown()).safeParse(u.limits);
  for (const raw of rows.success ? rows.data : []) {
    const row = configLimitRowSchema.safeParse(raw);
    const name = row.success ? row.data.scope?.model?.display_name : undefined;
    if (row.success && name !== undefined && name !== '' && !windows.some((w) => w.id === `model:${name}`)) {
      windows.push(modelWindow(name, percentOf(row.data.percent), instantMs(row.data.resets_at)));
    }
  }
  const extra = u.extra_usage === undefined || u.extra_usage === null ? undefined : extraUsageSchema.safeParse(u.extra_usage);
  const extraUsage: ExtraUsage | null =
    extra?.success === true
      ? { isEnabled: extra.data.is_enabled, monthlyLimit: extra.data.monthly_limit ?? null, usedCredits: extra.data.used_credits ?? null, utilization: extra.data.utilization ?? null, currency: extra.data.currency ?? null }
      : null;
  return { reading: { source: 'claude-config', fetchedAtMs: cached.data.fetchedAtMs, plan, windows, extraUsage, ignored }, plan, problem: null };
}

/** The windows in a statusLine `rate_limits` object (empty when it has none). */
export function windowsFromStatusline(rateLimits: unknown): { windows: LimitWindow[]; ignored: string[] } {
  const windows: LimitWindow[] = [];
  const ignored: string[] = [];
  if (rateLimits === null || typeof rateLimits !== 'object' || Array.isArray(rateLimits)) {
    return { windows, ignored };
  }
  for (const [key, value] of Object.entries(rateLimits as Record<string, unknown>)) {
    if (key === 'model_scoped' || key === 'spend_limit' || value === null || value === undefined) {
      continue;
    }
    if (!isKnown(key)) {
      ignored.push(key);
      continue;
    }
    const w = statuslineWindowSchema.safeParse(value);
    const percent = w.success ? percentOf(w.data.used_percentage ?? w.data.utilization) : null;
    windows.push({ id: key, label: windowLabel(key), percent, resetsAtMs: w.success ? instantMs(w.data.resets_at) : null });
  }
  windows.sort((a, b) => KNOWN_WINDOWS.indexOf(a.id as KnownWindow) - KNOWN_WINDOWS.indexOf(b.id as KnownWindow));
  const rl = statuslineRateLimitsSchema.safeParse(rateLimits);
  for (const m of rl.success ? (rl.data.model_scoped ?? []) : []) {
    if (m.display_name !== '' && !windows.some((w) => w.id === `model:${m.display_name}`)) {
      windows.push(modelWindow(m.display_name, percentOf(m.used_percentage ?? m.utilization), instantMs(m.resets_at)));
    }
  }
  return { windows, ignored };
}

// ---------------------------------------------------------------------------
// The snapshot `claude-cost statusline` records (in our cache dir).

export const statuslineSnapshotSchema = z.looseObject({
  version: z.literal(STATUSLINE_SNAPSHOT_VERSION),
  recordedAtMs: z.number().finite(),
  /** When `rate_limits` last changed (or was first seen): the reading's own time. */
  limitsAtMs: z.number().finite().nullable(),
  sessionId: z.string().nullable(),
  model: z.string().nullable(),
  windows: z.array(z.looseObject({ id: z.string(), label: z.string(), percent: z.number().nullable(), resetsAtMs: z.number().nullable() })),
  ignored: z.array(z.string()).catch([]),
  promptCache: z.unknown().optional(),
  contextWindow: z.unknown().optional(),
  claudeCodeCostUSD: z.number().nullable().catch(null),
});
export type StatuslineSnapshot = z.infer<typeof statuslineSnapshotSchema>;

/** The limits reading in a recorded snapshot; null when the hook had no `rate_limits` (API key, Bedrock, Vertex). */
export function readingFromSnapshot(snap: StatuslineSnapshot): LimitsReading | null {
  if (snap.windows.length === 0 || snap.limitsAtMs === null) {
    return null;
  }
  return {
    source: 'statusline',
    fetchedAtMs: snap.limitsAtMs,
    plan: null,
    windows: snap.windows.map((w) => ({ id: w.id, label: w.label, percent: w.percent, resetsAtMs: w.resetsAtMs })),
    extraUsage: null,
    ignored: [...snap.ignored],
  };
}

/**
 * The reading to show: the fresher of the two (a tie goes to the statusline,
 * which is live). The plan comes from the config whichever source wins.
 */
export function fresherReading(config: LimitsReading | null, statusline: LimitsReading | null, plan: string | null): LimitsReading | null {
  const pick = config === null ? statusline : statusline === null ? config : statusline.fetchedAtMs >= config.fetchedAtMs ? statusline : config;
  return pick === null ? null : { ...pick, plan: pick.plan ?? plan };
}

