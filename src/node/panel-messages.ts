/**
 * Validation of what the panel's webview sends to the host (CONTRIBUTING.md §11).
 * A message of any other shape is rejected (the host logs and drops it).
 */
import { z } from 'zod';
import type { PanelState, WebviewToHost } from '../shared/protocol';

export const webviewMessageSchema: z.ZodType<WebviewToHost> = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('selectSession'), sessionId: z.string().max(200).nullable() }),
  z.strictObject({ type: z.literal('command'), command: z.enum(['pinSession', 'unpinSession', 'rescan', 'showLog', 'copySummary', 'export']) }),
  z.strictObject({
    type: z.literal('nudgeAction'),
    key: z.string().max(500),
    action: z.enum(['sendCompact', 'copyCompact', 'copyClear', 'openPanel', 'snooze']),
  }),
]);

export const panelStateSchema: z.ZodType<PanelState> = z.object({ selectedSession: z.string().max(200).nullable() });

/** The message if it has an expected shape, else undefined. */
export function parseWebviewMessage(raw: unknown): WebviewToHost | undefined {
  // postMessage delivers plain objects; anything with another prototype is not ours.
  if (typeof raw !== 'object' || raw === null || Object.getPrototypeOf(raw) !== Object.prototype) {
    return undefined;
  }
  const r = webviewMessageSchema.safeParse(raw);
  return r.success ? r.data : undefined;
}
