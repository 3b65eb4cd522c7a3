import { strict as assert } from 'node:assert';
import { LocalDays, systemTimeZone } from '../../../src/core/local-day';

const SLOT_MS = 15 * 60 * 1000;

/** One formatter per zone for the reference, so a full year of slots stays quick. */
function icuDays(timeZone: string): (ms: number) => string {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (ms) => {
    const parts = f.formatToParts(new Date(ms));
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return `${get('year')}-${get('month')}-${get('day')}`;
  };
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

// DST both ways, half- and three-quarter-hour offsets, a half-hour DST shift
// (Lord Howe), a day skipped (Apia, 2011-12-30), DST that pauses for Ramadan
// (Casablanca), southern-hemisphere DST (Santiago), and no DST at all.
const ZONES = [
  'UTC',
  'Europe/Paris',
  'America/New_York',
  'America/St_Johns',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Apia',
  'Africa/Casablanca',
  'America/Santiago',
];

describe('LocalDays (local calendar days, few ICU calls)', () => {
  it('gives ICU\'s day for every 15-minute slot of 2011, in zones with every kind of offset change', function () {
    this.timeout(30_000);
    for (const zone of ZONES) {
      const reference = icuDays(zone);
      for (const year of [2011]) {
        const days = new LocalDays(zone);
        const from = Date.UTC(year, 0, 1) - 2 * 24 * 3600 * 1000;
        const to = Date.UTC(year + 1, 0, 1) + 2 * 24 * 3600 * 1000;
        for (let t = from; t < to; t += SLOT_MS) {
          // An instant inside the slot, not only its start.
          const at = t + ((t / SLOT_MS) % 7) * 100_000;
          const want = reference(t);
          const got = days.dayOf(at);
          if (got !== want) {
            assert.fail(`${zone} ${new Date(at).toISOString()}: ${got}, ICU says ${want}`);
          }
        }
      }
    }
  });

  it('gives ICU\'s day for instants in any order from 1990 to 2040, the machine\'s zone included', () => {
    const random = rng(5);
    for (const zone of [...ZONES, undefined]) {
      const days = new LocalDays(zone);
      const name = zone ?? systemTimeZone();
      assert.equal(days.timeZone, name);
      const reference = icuDays(name);
      for (let i = 0; i < 3_000; i++) {
        const ms = Date.UTC(1990, 0, 1) + Math.floor(random() * 50 * 365.25 * 24 * 3600 * 1000);
        assert.equal(days.dayOf(ms), reference(Math.floor(ms / SLOT_MS) * SLOT_MS), `${name} ${new Date(ms).toISOString()}`);
      }
    }
  });

  it('asks ICU about three times per UTC day, not once per slot', () => {
    const proto = Intl.DateTimeFormat.prototype;
    const original = Object.getOwnPropertyDescriptor(proto, 'formatToParts')?.value as (this: Intl.DateTimeFormat, date?: Date | number) => Intl.DateTimeFormatPart[];
    let calls = 0;
    proto.formatToParts = function (this: Intl.DateTimeFormat, date?: Date | number) {
      calls++;
      return original.call(this, date);
    };
    try {
      const days = new LocalDays('Europe/Paris');
      const random = rng(9);
      const from = Date.UTC(2024, 0, 1);
      const span = 2 * 365 * 24 * 3600 * 1000;
      for (let i = 0; i < 50_000; i++) {
        days.dayOf(from + Math.floor(random() * span));
      }
      // 731 UTC days x 3, plus every slot of the 4 days with a DST change.
      assert.ok(calls <= 731 * 3 + 4 * 96, `${calls} ICU calls`);
      assert.ok(calls >= 731 * 3, `${calls} ICU calls: every UTC day is measured`);
    } finally {
      proto.formatToParts = original;
    }
  });

  it('in the machine\'s zone read from local time (ofMachineZone), gives ICU\'s day for every slot of 2011 and instants to 2040, with no formatter', function () {
    this.timeout(60_000);
    const saved = process.env.TZ;
    const proto = Intl.DateTimeFormat.prototype;
    const original = Object.getOwnPropertyDescriptor(proto, 'formatToParts')?.value as (this: Intl.DateTimeFormat, date?: Date | number) => Intl.DateTimeFormatPart[];
    try {
      for (const zone of ZONES) {
        // Node tells V8 when TZ changes: local time is then this zone's.
        process.env.TZ = zone;
        const reference = icuDays(zone);
        let calls = 0;
        proto.formatToParts = function (this: Intl.DateTimeFormat, date?: Date | number) {
          calls++;
          return original.call(this, date);
        };
        const days = LocalDays.ofMachineZone(zone);
        const got: Array<[number, string]> = [];
        const from = Date.UTC(2011, 0, 1) - 2 * 24 * 3600 * 1000;
        const to = Date.UTC(2012, 0, 1) + 2 * 24 * 3600 * 1000;
        for (let t = from; t < to; t += SLOT_MS) {
          got.push([t, days.dayOf(t + ((t / SLOT_MS) % 7) * 100_000)]);
        }
        const random = rng(11);
        for (let i = 0; i < 3_000; i++) {
          const ms = Date.UTC(1990, 0, 1) + Math.floor(random() * 50 * 365.25 * 24 * 3600 * 1000);
          got.push([Math.floor(ms / SLOT_MS) * SLOT_MS, days.dayOf(ms)]);
        }
        proto.formatToParts = original;
        assert.equal(calls, 0, `${zone}: ICU's formatters were asked ${calls} times`);
        assert.equal(days.timeZone, zone);
        for (const [slotStart, day] of got) {
          if (day !== reference(slotStart)) {
            assert.fail(`${zone} ${new Date(slotStart).toISOString()}: ${day}, ICU says ${reference(slotStart)}`);
          }
        }
      }
    } finally {
      proto.formatToParts = original;
      if (saved === undefined) {
        delete process.env.TZ;
      } else {
        process.env.TZ = saved;
      }
    }
  });

  it('throws a RangeError naming an unknown zone at the first day asked for', () => {
    const days = new LocalDays('Mars/Olympus_Mons');
    assert.throws(() => days.dayOf(0), /unknown time zone "Mars\/Olympus_Mons"/);
  });
});
