/**
 * The extension's settings as a schema (CONTRIBUTING.md §8): defaults, bounds and
 * validation live here, pure, so the rules are testable. A bad value is
 * reported once by name and its default is used; nothing throws.
 */
import { z } from 'zod';
import { assertTimeZone } from './local-day';

export const SETTINGS_SECTION = 'claudeCostMeter';

export const DEFAULT_STATUS_FORMAT = '{session} · today {today}';

/** Placeholders the status bar format may use. */
export const STATUS_PLACEHOLDERS = ['session', 'today', 'context', 'contextPercent', 'cacheHit', 'model', 'week', 'month', 'cacheCountdown', 'fiveHour', 'weekLimit', 'limitsAge'] as const;

const share = z.number().min(0).max(1);
const usd = z.number().min(0).max(1_000_000);
const tokens = z.number().int().min(0).max(10_000_000);

/** Each setting: its key under the section, its schema and default. */
export const settingsSchema = {
  'statusBar.format': z
    .string()
    .max(200)
    .refine((f) => [...f.matchAll(/\{(\w+)\}/g)].every((m) => (STATUS_PLACEHOLDERS as readonly string[]).includes(m[1] ?? '')), {
      message: `unknown placeholder (use ${STATUS_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`,
    })
    .default(DEFAULT_STATUS_FORMAT),
  'currentSession.scope': z.enum(['any', 'workspace']).default('any'),
  'budgets.sessionUSD': usd.default(5),
  'budgets.dailyUSD': usd.default(20),
  'budgets.warnShare': share.default(0.8),
  'budgets.weeklyUSD': usd.default(100),
  'budgets.monthlyUSD': usd.default(400),
  'budgets.weekStartsOn': z.enum(['monday', 'sunday', 'saturday']).default('monday'),
  'plan.subscription': z.enum(['none', 'pro', 'max5x', 'max20x']).default('none'),
  'plan.proUSD': usd.default(20),
  'plan.max5xUSD': usd.default(100),
  'plan.max20xUSD': usd.default(200),
  'limits.warnPercent': z.number().min(0).max(100).default(80),
  'limits.errorPercent': z.number().min(0).max(100).default(95),
  'forecast.postCompactTokens': z.number().int().min(1_000).max(1_000_000).default(20_000),
  'history.enabled': z.boolean().default(true),
  'nudges.compactTokens': tokens.default(100_000),
  'nudges.compactWindowShare': share.default(0.7),
  'nudges.clearTokens': tokens.default(50_000),
  'nudges.notifications': z.enum(['oncePerCrossing', 'never', 'always']).default('oncePerCrossing'),
  'nudges.snoozeMinutes': z.number().int().min(1).max(10_080).default(60),
  /** Validated entry by entry by the price table (withOverrides); here only its outer shape. */
  priceOverrides: z.record(z.string(), z.unknown()).default({}),
  configDirs: z.array(z.string().min(1)).max(20).default([]),
  timeZone: z
    .string()
    .refine(
      (tz) => {
        if (tz === '') {
          return true;
        }
        try {
          assertTimeZone(tz);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'not an IANA time zone (e.g. Europe/Paris, UTC)' },
    )
    .default(''),
  contextWindow: tokens.default(0),
  'export.pushgatewayUrl': z
    .string()
    .max(2000)
    .refine((u) => u.trim() === '' || /^https?:[/][/][^\s/?#]+[^\s?#]*$/i.test(u.trim()), { message: "not the Pushgateway's base URL (scheme http or https, a host and port, no query)" })
    .default(''),
  'export.instance': z
    .string()
    .max(128)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'control characters are not allowed' })
    .default(''),
  'export.intervalSeconds': z.number().int().min(5).max(86_400).default(30),
  'export.hashProjects': z.boolean().default(false),
  'watcher.mode': z.enum(['auto', 'events', 'polling']).default('auto'),
  'watcher.pollIntervalMs': z.number().int().min(100).max(60_000).default(1000),
  /** Workers of the extension's first scan; 0 = gentle (1, or 2 for a large history on more than two cores). */
  'scan.firstScanWorkers': z.number().int().min(0).max(8).default(0),
} as const;

type Schemas = typeof settingsSchema;
export type SettingKey = keyof Schemas;
export type Settings = { [K in SettingKey]: z.output<Schemas[K]> };

export interface SettingsProblem {
  key: string;
  message: string;
}

/** Defaults for every setting. */
export function defaultSettings(): Settings {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(settingsSchema)) {
    out[key] = (schema as z.ZodType).parse(undefined);
  }
  return out as Settings;
}

/**
 * Validates raw values (`get(key)` of the configuration, undefined when
 * unset). Each bad value yields one problem naming the full setting, and its
 * default is used.
 */
export function parseSettings(get: (key: string) => unknown): { settings: Settings; problems: SettingsProblem[] } {
  const out: Record<string, unknown> = {};
  const problems: SettingsProblem[] = [];
  for (const [key, schema] of Object.entries(settingsSchema)) {
    const raw = get(key);
    const result = (schema as z.ZodType).safeParse(raw === null ? undefined : raw);
    if (result.success) {
      out[key] = result.data;
    } else {
      out[key] = (schema as z.ZodType).parse(undefined);
      const issue = result.error.issues[0];
      problems.push({ key: `${SETTINGS_SECTION}.${key}`, message: issue ? issue.message : 'invalid value' });
    }
  }
  return { settings: out as Settings, problems };
}
