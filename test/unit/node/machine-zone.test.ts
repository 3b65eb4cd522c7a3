import { strict as assert } from 'node:assert';
import { machineZoneName, type MachineZoneProbe } from '../../../src/node/machine-zone';

/** A probe over a made-up machine: `TZ` (or none), where /etc/localtime points (or none), and which zone files exist. */
function probe(options: { tz?: string; link?: string; files?: (p: string) => boolean }): MachineZoneProbe {
  return {
    env: options.tz === undefined ? {} : { TZ: options.tz },
    readLink: (p) => {
      assert.equal(p, '/etc/localtime');
      if (options.link === undefined) {
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      }
      return options.link;
    },
    exists: options.files ?? (() => true),
    canonicalZones: () => Intl.supportedValuesOf('timeZone'),
  };
}

/** What ICU names the machine's zone when `TZ` is `tz` (Node tells V8 when TZ changes). */
function icuName(tz: string): string | undefined {
  const saved = process.env.TZ;
  try {
    process.env.TZ = tz;
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } finally {
    if (saved === undefined) {
      delete process.env.TZ;
    } else {
      process.env.TZ = saved;
    }
  }
}

describe('machineZoneName (the machine\'s zone without ICU\'s formatters)', () => {
  it('names every zone ICU keeps under its own name as ICU does, and gives up on the rest', () => {
    const aliases = ['Etc/UTC', 'UCT', 'Zulu', 'GMT', 'Etc/GMT0', 'Greenwich', 'Asia/Kolkata', 'US/Pacific', 'Europe/Kyiv', 'America/Argentina/Buenos_Aires', 'EST5EDT', 'CET', ':Europe/Berlin', 'Etc/GMT+5'];
    let named = 0;
    for (const tz of [...Intl.supportedValuesOf('timeZone'), ...aliases]) {
      const ours = machineZoneName(probe({ tz }));
      if (ours !== undefined) {
        named++;
        assert.equal(ours, icuName(tz), `TZ=${tz}`);
      }
    }
    assert.ok(named > 400, `${named} zones named without ICU`);
  });

  it('reads TZ first (with or without its leading colon), then where /etc/localtime points', () => {
    assert.equal(machineZoneName(probe({ tz: 'Europe/Berlin', link: '/usr/share/zoneinfo/Asia/Tokyo' })), 'Europe/Berlin');
    assert.equal(machineZoneName(probe({ tz: ':America/New_York' })), 'America/New_York');
    assert.equal(machineZoneName(probe({ link: '/usr/share/zoneinfo/Asia/Tokyo' })), 'Asia/Tokyo');
    assert.equal(machineZoneName(probe({ link: '/var/db/timezone/zoneinfo/Europe/Paris' })), 'Europe/Paris', 'macOS');
    assert.equal(machineZoneName(probe({ link: '/usr/share/zoneinfo/Etc/UTC' })), 'UTC');
  });

  it('resolves a relative link from /etc and checks that the zone file is there', () => {
    const seen: string[] = [];
    const files = (p: string) => {
      seen.push(p);
      return p === '/usr/share/zoneinfo/Asia/Tokyo';
    };
    assert.equal(machineZoneName(probe({ link: '../usr/share/zoneinfo/Asia/Tokyo', files })), 'Asia/Tokyo');
    assert.deepEqual(seen, ['/usr/share/zoneinfo/Asia/Tokyo']);
    assert.equal(machineZoneName(probe({ link: '/usr/share/zoneinfo/Europe/Rome', files })), undefined, 'no zone file: ICU doubts the name');
    assert.equal(machineZoneName(probe({ tz: 'Europe/Rome', files })), undefined, 'TZ naming a zone with no file');
    assert.equal(machineZoneName(probe({ tz: 'UTC', files: () => false })), 'UTC', 'UTC needs no file');
  });

  it('gives up (ICU is asked) where only ICU can tell', () => {
    assert.equal(machineZoneName(probe({})), undefined, 'no TZ and no /etc/localtime link (Windows, some containers)');
    assert.equal(machineZoneName(probe({ link: '/etc/zones/current' })), undefined, 'a link outside any zoneinfo folder');
    assert.equal(machineZoneName(probe({ link: '/usr/share/zoneinfo/posix/Europe/Berlin' })), undefined);
    assert.equal(machineZoneName(probe({ tz: '/usr/share/zoneinfo/Europe/Berlin' })), undefined, 'a path in TZ');
    assert.equal(machineZoneName(probe({ tz: 'CET-1CEST,M3.5.0,M10.5.0/3' })), undefined, 'a POSIX rule');
    assert.equal(machineZoneName(probe({ tz: '' })), undefined);
    assert.equal(machineZoneName(probe({ tz: 'Asia/Kolkata' })), undefined, 'ICU calls it Asia/Calcutta');
    assert.equal(machineZoneName({ ...probe({ tz: 'Europe/Berlin' }), canonicalZones: () => { throw new Error('no Intl'); } }), undefined);
  });
});
