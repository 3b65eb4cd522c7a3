import { strict as assert } from 'node:assert';
import { chooseWatchMode, mountOf, parseMountInfo, pollingReasonFor, type MountFacts } from '../../../../src/node/live/watch-mode';

/** A WSL 2 machine: ext4 root, Windows' C: drive over 9p (drvfs), a Docker Desktop bind mount. */
const WSL = `\
61 67 8:48 / / rw,relatime - ext4 /dev/sdd rw,discard,errors=remount-ro,data=ordered
62 61 0:53 /init /init ro,relatime - 9p tools ro,dirsync,aname=tools;fmask=022,loose,access=client,trans=fd,rfd=6,wfd=6
86 61 0:66 / /mnt/c rw,noatime - 9p C:\\134 rw,dirsync,aname=drvfs;path=C:\\;uid=1000;gid=1000;symlinkroot=/mnt/,mmap,access=client,msize=65536,trans=fd,rfd=5,wfd=5
87 61 0:67 / /mnt/wsl rw,relatime shared:1 - tmpfs none rw
`;

/** A Linux workstation: home on NFS, a folder over sshfs, one with a space in its name on CIFS, a local FUSE disk. */
const WORKSTATION = `\
24 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/root rw
40 24 0:45 / /home rw,relatime shared:20 - nfs4 fs01:/export/home rw,vers=4.2,rsize=1048576,wsize=1048576
41 40 0:46 / /home/ana/remote rw,nosuid,nodev,relatime shared:21 - fuse.sshfs ana@build:/srv rw,user_id=1000,group_id=1000
42 24 0:47 / /media/team\\040share rw,relatime shared:22 - cifs //nas/team rw,vers=3.1.1
43 24 8:17 / /media/usb rw,relatime shared:23 - fuseblk /dev/sdb1 rw,user_id=0,group_id=0
44 24 0:48 / /home/ana/local rw,relatime - ext4 /dev/sdc1 rw
`;

/** Inside a container: overlay root, the host's ~/.claude bind-mounted by Docker Desktop (virtiofs), one by Linux Docker (ext4). */
const CONTAINER = `\
600 500 0:120 / / rw,relatime master:200 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A:/var/lib/docker/overlay2/l/B,upperdir=/u,workdir=/w
601 600 0:121 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
612 600 0:33 /Users/ana/.claude /home/node/.claude rw,relatime - virtiofs mount0 rw
613 600 254:1 /home/ana/.claude /root/.claude rw,relatime - ext4 /dev/vda1 rw
bad line without a separator
`;

const linux = (mountInfo: string | undefined, kernelRelease = '6.8.0-45-generic'): MountFacts => ({ platform: 'linux', kernelRelease, mountInfo });

describe('watch mode', () => {
  it('parses mountinfo: mount point (escapes undone), file system type and source; skips lines that do not fit', () => {
    const entries = parseMountInfo(WORKSTATION + 'garbage\n\n');
    assert.equal(entries.length, 6);
    assert.deepEqual(entries[1], { mountPoint: '/home', fsType: 'nfs4', source: 'fs01:/export/home' });
    assert.equal(entries[3]?.mountPoint, '/media/team share');
    assert.equal(parseMountInfo(CONTAINER).length, 4);
  });

  it('finds the mount of a path by the longest mount point, not by a shared prefix of names', () => {
    const entries = parseMountInfo(WORKSTATION);
    assert.equal(mountOf(entries, '/home/ana/.claude/projects')?.fsType, 'nfs4');
    assert.equal(mountOf(entries, '/home/ana/remote/.claude/projects')?.fsType, 'fuse.sshfs');
    assert.equal(mountOf(entries, '/home/ana/local/projects')?.fsType, 'ext4');
    assert.equal(mountOf(entries, '/home/ana/localx/projects')?.fsType, 'nfs4');
    assert.equal(mountOf(entries, '/home')?.fsType, 'nfs4');
    assert.equal(mountOf(entries, '/var/tmp')?.fsType, 'ext4');
  });

  it('polls network file systems and remote FUSE mounts, not local ones', () => {
    for (const t of ['nfs', 'nfs4', 'cifs', 'smb3', '9p', 'drvfs', 'virtiofs', 'fuse.sshfs', 'fuse.rclone', 'fuse.grpcfuse', 'vboxsf']) {
      assert.ok(pollingReasonFor(t) !== undefined, t);
    }
    for (const t of ['ext4', 'xfs', 'btrfs', 'tmpfs', 'overlay', 'fuseblk', 'fuse.ntfs-3g', 'zfs']) {
      assert.equal(pollingReasonFor(t), undefined, t);
    }
  });

  it('auto: polls WSL\'s Windows drive, keeps events on the Linux side', () => {
    const wsl = linux(WSL, '5.15.153.1-microsoft-standard-WSL2');
    const c = chooseWatchMode('auto', '/mnt/c/Users/ana/.claude/projects', wsl);
    assert.equal(c.polling, true);
    assert.match(c.reason, /\/mnt\/c is 9p/);
    assert.equal(chooseWatchMode('auto', '/home/ana/.claude/projects', wsl).polling, false);
    // WSL 1 says drvfs; and with no mount table, a /mnt/<letter> path under a WSL kernel is enough.
    assert.equal(chooseWatchMode('auto', '/mnt/d/x', linux('1 0 0:1 / / rw - lxfs rootfs rw\n2 1 0:2 / /mnt/d rw - drvfs D:\\134 rw\n', '4.4.0-19041-Microsoft')).polling, true);
    assert.equal(chooseWatchMode('auto', '/mnt/d/x', linux(undefined, '4.4.0-19041-Microsoft')).polling, true);
    assert.equal(chooseWatchMode('auto', '/mnt/d/x', linux(undefined)).polling, false, 'not WSL: /mnt is just a folder');
  });

  it('auto: polls a home on NFS, a folder over sshfs and a CIFS share; not a local disk inside them', () => {
    const facts = linux(WORKSTATION);
    assert.equal(chooseWatchMode('auto', '/home/ana/.claude/projects', facts).polling, true);
    assert.match(chooseWatchMode('auto', '/home/ana/.claude/projects', facts).reason, /NFS/);
    assert.equal(chooseWatchMode('auto', '/home/ana/remote/.claude/projects', facts).polling, true);
    assert.equal(chooseWatchMode('auto', '/media/team share/.claude/projects', facts).polling, true);
    assert.equal(chooseWatchMode('auto', '/media/usb/.claude/projects', facts).polling, false);
    assert.equal(chooseWatchMode('auto', '/home/ana/local/.claude/projects', facts).polling, false);
  });

  it('auto: polls a container bind mount shared from another OS (virtiofs), not one of the same Linux (ext4)', () => {
    const facts = linux(CONTAINER);
    const desktop = chooseWatchMode('auto', '/home/node/.claude/projects', facts);
    assert.equal(desktop.polling, true);
    assert.match(desktop.reason, /virtiofs/);
    assert.equal(chooseWatchMode('auto', '/root/.claude/projects', facts).polling, false);
    assert.equal(chooseWatchMode('auto', '/tmp/x', facts).polling, false);
  });

  it('events and polling are taken as set, whatever the file system; other platforms use events in auto', () => {
    assert.equal(chooseWatchMode('events', '/mnt/c/x', linux(WSL, 'microsoft')).polling, false);
    assert.equal(chooseWatchMode('polling', '/home/ana/local', linux(WORKSTATION)).polling, true);
    assert.match(chooseWatchMode('polling', '/x', linux(undefined)).reason, /setting/);
    assert.equal(chooseWatchMode('auto', '/Volumes/nfs/x', { platform: 'darwin', kernelRelease: '24.0.0', mountInfo: undefined }).polling, false);
    assert.equal(chooseWatchMode('auto', '/x', linux(undefined)).polling, false);
  });
});
