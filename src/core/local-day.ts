/**
 * Local calendar days in a chosen IANA time zone (transcript-format.md P16).
 * Every zone offset in use is a multiple of 15 minutes, so the day of an
 * instant is cached per 15-minute slot: cheap for hundreds of thousands of calls.
 */

const SLOT_MS = 15 * 60 * 1000;

/** The calendar day `n` days after `day` (before it when `n` is negative); both `YYYY-MM-DD`. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Throws a RangeError naming the zone when it is not a valid IANA time zone. */
export function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
  } catch {
    throw new RangeError(`unknown time zone "${timeZone}"`);
  }
}

/** The machine's time zone, as the runtime sees it. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * Maps instants to `YYYY-MM-DD` in one time zone. Nothing touches ICU until
 * the first day is asked for (loading its time-zone data takes tens of
 * milliseconds, which an extension's activation should not spend).
 */
export class LocalDays {
  private zone: string | undefined;
  private formatValue: Intl.DateTimeFormat | undefined;
  private readonly slots = new Map<number, string>();
  private lastSlot = NaN;
  private lastDay = '';

  /** @param timeZone an IANA zone (an unknown one throws at the first use); undefined: the machine's zone, looked up then. */
  constructor(timeZone?: string) {
    this.zone = timeZone;
  }

  get timeZone(): string {
    return (this.zone ??= systemTimeZone());
  }

  private get format(): Intl.DateTimeFormat {
    if (this.formatValue === undefined) {
      const timeZone = this.timeZone;
      assertTimeZone(timeZone);
      this.formatValue = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    }
    return this.formatValue;
  }

  /** The local date of an instant (epoch ms) as `YYYY-MM-DD`. */
  dayOf(ms: number): string {
    const slot = Math.floor(ms / SLOT_MS);
    // Calls come in time order within a file: most fall in the slot just asked for.
    if (slot === this.lastSlot) {
      return this.lastDay;
    }
    let day = this.slots.get(slot);
    if (day === undefined) {
      const parts = this.format.formatToParts(new Date(slot * SLOT_MS));
      const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
      day = `${get('year')}-${get('month')}-${get('day')}`;
      if (this.slots.size > 100_000) {
        this.slots.clear();
      }
      this.slots.set(slot, day);
    }
    this.lastSlot = slot;
    this.lastDay = day;
    return day;
  }
}
