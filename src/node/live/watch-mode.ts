/**
 * How a transcript folder is watched: with file-system events (inotify,
 * FSEvents, ReadDirectoryChangesW, through chokidar) or by polling (chokidar
 * `usePolling`: a stat of every file and folder every interval).
 *
 * Events miss changes made by another machine or OS: WSL's Windows drives
 * (`/mnt/c`, drvfs over 9p), network file systems (NFS, SMB/CIFS, sshfs and
 * other remote FUSE mounts), and the shared folders of containers and VMs
 * (Docker Desktop's virtiofs/grpcfuse/osxfs bind mounts, VirtualBox, VMware,
 * Parallels). In `auto` mode such a folder is polled. The rules are pure:
 * they read the text of `/proc/self/mountinfo`, passed in.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type WatchModeSetting = 'auto' | 'events' | 'polling';

export interface WatchChoice {
  polling: boolean;
  /** Why, for the log: "setting", or the file system found. */
  reason: string;
}

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
}

/** File systems where file-system events do not report changes made elsewhere, with a word on each. */
const POLLED_FS: ReadonlyMap<string, string> = new Map([
  ['9p', "9p (WSL's Windows drives, VM shared folders)"],
  ['drvfs', "drvfs (WSL's Windows drives)"],
  ['nfs', 'NFS (network)'],
  ['nfs4', 'NFS (network)'],
  ['cifs', 'SMB/CIFS (network)'],
  ['smb3', 'SMB (network)'],
  ['smbfs', 'SMB (network)'],
  ['ncpfs', 'NCP (network)'],
  ['afs', 'AFS (network)'],
  ['ceph', 'Ceph (network)'],
  ['glusterfs', 'GlusterFS (network)'],
  ['lustre', 'Lustre (network)'],
  ['gpfs', 'GPFS (network)'],
  ['virtiofs', 'virtiofs (container or VM shared folder)'],
  ['osxfs', 'osxfs (Docker Desktop bind mount)'],
  ['fakeowner', 'fakeowner (Docker Desktop bind mount)'],
  ['vboxsf', 'vboxsf (VirtualBox shared folder)'],
  ['vmhgfs', 'vmhgfs (VMware shared folder)'],
  ['prl_fs', 'prl_fs (Parallels shared folder)'],
]);

/** FUSE file systems (`fuse.<name>`) that reach another machine. */
const POLLED_FUSE: ReadonlySet<string> = new Set(['sshfs', 'rclone', 's3fs', 'gcsfuse', 'goofys', 'grpcfuse', 'vmhgfs-fuse', 'glusterfs', 'davfs', 'curlftpfs', 'smbnetfs', 'osxfs']);

/** Undoes mountinfo's octal escapes (`\040` for a space, `\134` for a backslash). */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Parses `/proc/<pid>/mountinfo` (proc(5)): `id parent major:minor root
 * mountpoint options [optional...] - fstype source superoptions`. Lines that
 * do not fit are skipped.
 */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 3) {
      continue;
    }
    out.push({ mountPoint: unescapeMount(fields[4]!), fsType: fields[dash + 1]!, source: unescapeMount(fields[dash + 2]!) });
  }
  return out;
}

/** The mount a path is on: the last-mounted entry whose mount point is the longest prefix of it. */
export function mountOf(entries: readonly MountEntry[], absPath: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const e of entries) {
    const mp = e.mountPoint;
    const under = mp === '/' || absPath === mp || absPath.startsWith(mp.endsWith('/') ? mp : `${mp}/`);
    // Later lines are mounted later: at equal length, they hide earlier ones.
    if (under && (best === undefined || mp.length >= best.mountPoint.length)) {
      best = e;
    }
  }
  return best;
}

/** Why events cannot be trusted on this file system type, or undefined when they can. */
export function pollingReasonFor(fsType: string): string | undefined {
  const known = POLLED_FS.get(fsType);
  if (known !== undefined) {
    return known;
  }
  if (fsType.startsWith('fuse.') && POLLED_FUSE.has(fsType.slice('fuse.'.length))) {
    return `${fsType} (remote FUSE mount)`;
  }
  return undefined;
}

export interface MountFacts {
  platform: NodeJS.Platform;
  /** `os.release()`: WSL kernels say "microsoft". */
  kernelRelease: string;
  /** The text of /proc/self/mountinfo; undefined where there is none. */
  mountInfo: string | undefined;
}

/**
 * Decides how to watch `realDir` (a folder's real path). `events` and
 * `polling` are taken as set; `auto` polls where events are known not to
 * report changes, and says why.
 */
export function chooseWatchMode(setting: WatchModeSetting, realDir: string, facts: MountFacts): WatchChoice {
  if (setting !== 'auto') {
    return { polling: setting === 'polling', reason: `the setting says "${setting}"` };
  }
  if (facts.platform !== 'linux') {
    return { polling: false, reason: `${facts.platform}: file-system events` };
  }
  const mount = facts.mountInfo === undefined ? undefined : mountOf(parseMountInfo(facts.mountInfo), realDir);
  if (mount !== undefined) {
    const why = pollingReasonFor(mount.fsType);
    if (why !== undefined) {
      return { polling: true, reason: `${mount.mountPoint} is ${why}, where file-system events miss changes made elsewhere` };
    }
  }
  // No mount table, or it did not say: WSL's Windows drives by their place.
  if (/microsoft/i.test(facts.kernelRelease) && /^\/mnt\/[a-z](\/|$)/i.test(realDir) && (mount === undefined || mount.mountPoint === '/')) {
    return { polling: true, reason: `${realDir} is on a Windows drive under WSL, where file-system events miss changes made by Windows` };
  }
  return { polling: false, reason: mount !== undefined ? `${mount.mountPoint} is ${mount.fsType}: file-system events` : 'file-system events' };
}

/** The facts of this machine (reads /proc/self/mountinfo on Linux). */
export function machineMountFacts(): MountFacts {
  let mountInfo: string | undefined;
  if (process.platform === 'linux') {
    try {
      mountInfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    } catch {
      mountInfo = undefined;
    }
  }
  return { platform: process.platform, kernelRelease: os.release(), mountInfo };
}

/** `chooseWatchMode` for a folder on this machine, by its real path. */
export function detectWatchMode(setting: WatchModeSetting, dir: string, facts: MountFacts = machineMountFacts()): WatchChoice {
  let real = path.resolve(dir);
  try {
    real = fs.realpathSync.native(dir);
  } catch {
    // not there yet: its own path
  }
  return chooseWatchMode(setting, real, facts);
}
