/**
 * Display formatting shared by the CLI, the status bar and the panel.
 * Money is rounded here and only here.
 */

/**
 * en-US number formatters by fraction digits (-1: integers as toLocaleString
 * gives them). `toLocaleString` with options builds a new formatter on every
 * call, tens of microseconds each, and a snapshot formats dozens of amounts;
 * these are made on first use (no ICU at load) and never change.
 */
const numberFormats = new Map<number, Intl.NumberFormat>();
function numberFormat(digits: number): Intl.NumberFormat {
  let f = numberFormats.get(digits);
  if (f === undefined) {
    f = digits < 0 ? new Intl.NumberFormat('en-US') : new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(digits, f);
  }
  return f;
}

/** `$1,234.57`; amounts under a cent keep enough digits to stay non-zero. `unpriced` for null. */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined) {
    return 'unpriced';
  }
  const digits = value === 0 ? 2 : Math.abs(value) < 0.0001 ? 6 : Math.abs(value) < 0.01 ? 4 : 2;
  return `$${numberFormat(digits).format(value)}`;
}

export function formatInt(value: number): string {
  return numberFormat(-1).format(value);
}

/** 950, 14.2k, 1.23M. */
export function formatTokensShort(value: number): string {
  if (value < 1000) {
    return String(value);
  }
  if (value < 1_000_000) {
    return `${(value / 1000).toFixed(value < 10_000 ? 1 : 0).replace(/\.0$/, '')}k`;
  }
  return `${(value / 1_000_000).toFixed(2).replace(/\.?0+$/, '')}M`;
}

export function formatPercent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? '-' : `${(value * 100).toFixed(digits)}%`;
}

/** Transcript strings are data: control characters (terminal escapes) become `?`. */
export function safeText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Escapes a string for Markdown so it renders as literal text (no links, no HTML, no emphasis). */
export function escapeMarkdown(value: string): string {
  return safeText(value).replace(/[\\`*_{}[\]()#+\-.!|<>&~$:]/g, (c) => `\\${c}`);
}
