/**
 * The machine's time zone by name without ICU's formatters: the first
 * `Intl` formatter a process makes costs it 20-30 ms (ICU's data), which a
 * cold CLI run otherwise spends only to learn this name. ICU finds the
 * machine's zone in `TZ`, else in where /etc/localtime points (the part
 * after `zoneinfo/`); when that names a zone ICU keeps under the same name,
 * that name is ICU's answer too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The names ICU gives as `UTC` (Node 20 checked: `TZ=<name>` resolves to `UTC`). */
const UTC_NAMES = new Set([
  'UTC',
  'Etc/UTC',
  'Etc/UCT',
  'UCT',
  'Etc/Universal',
  'Universal',
  'Etc/Zulu',
  'Zulu',
  'Etc/GMT',
  'GMT',
  'Etc/GMT+0',
  'Etc/GMT-0',
  'Etc/GMT0',
  'GMT+0',
  'GMT-0',
  'GMT0',
  'Etc/Greenwich',
  'Greenwich',
]);

export interface MachineZoneProbe {
  env: NodeJS.ProcessEnv;
  readLink(p: string): string;
  exists(p: string): boolean;
  /** ICU's canonical location zones (`Intl.supportedValuesOf('timeZone')`: ~3 ms, no formatter). */
  canonicalZones(): readonly string[];
}

const realProbe: MachineZoneProbe = {
  env: process.env,
  readLink: (p) => fs.readlinkSync(p),
  exists: (p) => fs.existsSync(p),
  canonicalZones: () => Intl.supportedValuesOf('timeZone'),
};

/**
 * ICU's name for the machine's zone when it can be told without ICU's
 * formatters; undefined when not (then ask `systemTimeZone`): on Windows,
 * for a `TZ` that is a rule or a path, for an alias ICU renames (Asia/Kolkata
 * is Asia/Calcutta to it), or when the zone's file is missing (ICU then
 * doubts the name and falls back to an offset, as it would here).
 */
export function machineZoneName(probe: MachineZoneProbe = realProbe): string | undefined {
  let name: string;
  let file: string;
  const tz = probe.env.TZ;
  if (tz !== undefined) {
    name = tz.startsWith(':') ? tz.slice(1) : tz;
    file = path.join(probe.env.TZDIR || '/usr/share/zoneinfo', name);
  } else {
    try {
      file = probe.readLink('/etc/localtime');
    } catch {
      return undefined;
    }
    const at = file.lastIndexOf('/zoneinfo/');
    if (at < 0) {
      return undefined;
    }
    name = file.slice(at + '/zoneinfo/'.length);
    file = path.resolve('/etc', file);
  }
  if (UTC_NAMES.has(name)) {
    return 'UTC'; // zero offset, ICU and the C library agree even with no zone files
  }
  if (name === '' || name.startsWith('/') || !probe.exists(file)) {
    return undefined;
  }
  try {
    return probe.canonicalZones().includes(name) ? name : undefined;
  } catch {
    return undefined;
  }
}
