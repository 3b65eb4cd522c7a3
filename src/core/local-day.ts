/**
 * Local calendar days in a chosen IANA time zone (docs/transcript-format.md P16).
 * Every zone offset in use is a multiple of 15 minutes, so the day of an
 * instant is that of its 15-minute slot. ICU is asked for the zone's offset
 * three times per UTC day (its start, middle and last slot); when they agree,
 * every slot of that day gets its local day by arithmetic, and only a day on
 * which the offset changes has each of its slots formatted by ICU. A call
 * history spread over two years thus costs about 2,000 ICU calls instead of
 * one per slot with a call (tens of thousands). This assumes no zone changes
 * its offset and back within twelve hours, which none does.
 */

const SLOT_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

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
interface UtcDay {
  /** The zone's offset from UTC (ms) all through this UTC day; undefined when it changes within it. */
  offsetMs: number | undefined;
  /** The local days of this UTC day's index minus one, plus zero and plus one (an offset is under a day). */
  days: readonly string[];
}

/** `YYYY-MM-DD` of the UTC day with this index (days since 1970-01-01). */
function utcDate(index: number): string {
  return new Date(index * DAY_MS).toISOString().slice(0, 10);
}

export class LocalDays {
  private zone: string | undefined;
  private formatValue: Intl.DateTimeFormat | undefined;
  private offsetFormatValue: Intl.DateTimeFormat | undefined;
  private readonly slots = new Map<number, string>();
  private readonly utcDays = new Map<number, UtcDay>();
  private lastSlot = NaN;
  private lastDay = '';
  /** Offsets come from the runtime's local time (`ofMachineZone`), not from ICU's formatters. */
  private localTime = false;

  /** @param timeZone an IANA zone (an unknown one throws at the first use); undefined: the machine's zone, looked up then. */
  constructor(timeZone?: string) {
    this.zone = timeZone;
  }

  /**
   * Days in the machine's own zone, whose name the caller already knows
   * (`name`, as ICU names it): the offsets are read from the runtime's
   * local time (`Date#getTimezoneOffset`, ICU's zone rules without its
   * formatters), so nothing here loads ICU's formatting data, which costs a
   * process 20-30 ms the first time. Same days as `new LocalDays(name)`.
   */
  static ofMachineZone(name: string): LocalDays {
    const days = new LocalDays(name);
    days.localTime = true;
    return days;
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

  private get offsetFormat(): Intl.DateTimeFormat {
    if (this.offsetFormatValue === undefined) {
      const timeZone = this.timeZone;
      assertTimeZone(timeZone);
      this.offsetFormatValue = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    }
    return this.offsetFormatValue;
  }

  /** The local date of an instant (epoch ms) as `YYYY-MM-DD`. */
  dayOf(ms: number): string {
    const slot = Math.floor(ms / SLOT_MS);
    // Calls come in time order within a file: most fall in the slot just asked for.
    if (slot === this.lastSlot) {
      return this.lastDay;
    }
    const start = slot * SLOT_MS;
    const index = Math.floor(start / DAY_MS);
    let utcDay = this.utcDays.get(index);
    if (utcDay === undefined) {
      utcDay = this.measure(index);
      if (this.utcDays.size > 100_000) {
        this.utcDays.clear();
      }
      this.utcDays.set(index, utcDay);
    }
    const day = utcDay.offsetMs !== undefined ? (utcDay.days[Math.floor((start + utcDay.offsetMs) / DAY_MS) - index + 1] as string) : this.slotDay(slot);
    this.lastSlot = slot;
    this.lastDay = day;
    return day;
  }

  /** The zone's offset through the UTC day `index`, when it stays the same. */
  private measure(index: number): UtcDay {
    const start = index * DAY_MS;
    const offset = this.offsetAt(start);
    if (this.offsetAt(start + DAY_MS / 2) !== offset || this.offsetAt(start + DAY_MS - SLOT_MS) !== offset || !Number.isFinite(offset)) {
      return { offsetMs: undefined, days: [] };
    }
    return { offsetMs: offset, days: [utcDate(index - 1), utcDate(index), utcDate(index + 1)] };
  }

  /** The zone's offset from UTC at an instant on a whole second, in ms (local wall time minus UTC). */
  private offsetAt(ms: number): number {
    if (this.localTime) {
      // Minutes west of UTC, for the runtime's (the machine's) zone; whole seconds, as formatted below.
      return Math.round(-new Date(ms).getTimezoneOffset() * 60) * 1000;
    }
    let year = NaN;
    let month = NaN;
    let day = NaN;
    let hour = NaN;
    let minute = NaN;
    let second = NaN;
    for (const p of this.offsetFormat.formatToParts(new Date(ms))) {
      const v = Number(p.value);
      switch (p.type) {
        case 'year':
          year = v;
          break;
        case 'month':
          month = v;
          break;
        case 'day':
          day = v;
          break;
        case 'hour':
          hour = v;
          break;
        case 'minute':
          minute = v;
          break;
        case 'second':
          second = v;
          break;
      }
    }
    return Date.UTC(year, month - 1, day, hour, minute, second) - ms;
  }

  /** The local day of one slot (a UTC day on which the offset changes): from ICU, or from the offset at its start. */
  private slotDay(slot: number): string {
    let day = this.slots.get(slot);
    if (day === undefined) {
      if (this.localTime) {
        const start = slot * SLOT_MS;
        day = utcDate(Math.floor((start + this.offsetAt(start)) / DAY_MS));
      } else {
        const parts = this.format.formatToParts(new Date(slot * SLOT_MS));
        const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
        day = `${get('year')}-${get('month')}-${get('day')}`;
      }
      if (this.slots.size > 100_000) {
        this.slots.clear();
      }
      this.slots.set(slot, day);
    }
    return day;
  }
}
