/**
 * The team export of a running meter (in the meter's worker): pushes the
 * meter's totals to the Pushgateway of the settings after each change,
 * coalesced to one push per `export.intervalSeconds`, and once at shutdown.
 * Off (nothing loaded, nothing sent) while `export.pushgatewayUrl` is empty.
 * A push runs on the event loop without blocking it, and never delays a
 * snapshot: failures only log (once per distinct problem) and report a status.
 */
import { instanceProblem, renderExposition, type ExportFigures } from '../../core/prometheus';
import type { Settings } from '../../core/settings';
import { defaultInstance, hashProjectName, loadPushModule } from '../export/push-loader';
import type { Pusher, PushStatus } from '../export/pushgateway';

/** What the status bar shows of the export: undefined while it is off. */
export type ExportStatus = PushStatus | { kind: 'invalid'; message: string; hint: string } | undefined;

export interface MeterExportOptions {
  /** The meter's figures now (undefined before the first scan). */
  figures: (projectLabel: ((name: string) => string) | undefined) => ExportFigures | undefined;
  /** Where the push module is; default: beside the loader (dist/ when bundled, the compiled sources in tests). */
  moduleDir?: string;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  onStatus: (status: ExportStatus) => void;
  /** Longest wait for the push at shutdown, ms (default 3000). */
  finalTimeoutMs?: number;
}

export class MeterExport {
  private pusher: Pusher | undefined;
  private key = '';
  private settings: Settings | undefined;
  private token: string | undefined;

  constructor(private readonly options: MeterExportOptions) {}

  /** Applies the settings (and token); a change of target starts a new pusher that sends at once. */
  configure(settings: Settings, token: string | undefined = this.token): void {
    this.settings = settings;
    this.token = token;
    const url = settings['export.pushgatewayUrl'].trim();
    const instance = settings['export.instance'].trim() || defaultInstance();
    const key = JSON.stringify([url, instance, token ?? '', settings['export.intervalSeconds'], settings['export.hashProjects']]);
    if (key === this.key) {
      return;
    }
    this.key = key;
    this.pusher?.dispose();
    this.pusher = undefined;
    if (url === '') {
      this.options.onStatus(undefined);
      return;
    }
    const mod = loadPushModule(this.options.moduleDir);
    const checked = mod.checkPushgatewayUrl(url);
    const problem = 'problem' in checked ? checked.problem : instanceProblem(instance);
    if (problem !== undefined || !('url' in checked)) {
      const message = problem ?? 'invalid URL';
      this.options.log('warn', `team export: ${message}; nothing is sent until the setting is fixed`);
      this.options.onStatus({ kind: 'invalid', message, hint: 'fix the setting claudeCostMeter.export.pushgatewayUrl or export.instance' });
      return;
    }
    const hash = settings['export.hashProjects'];
    this.options.log('info', `team export: pushing to ${checked.url.host} as instance "${instance}" every ${settings['export.intervalSeconds']} s at most${hash ? ' (project names hashed)' : ''}`);
    this.pusher = new mod.Pusher({
      target: { url: checked.url, instance, token },
      render: () => {
        const f = this.options.figures(hash ? hashProjectName : undefined);
        return f && renderExposition(f);
      },
      intervalMs: settings['export.intervalSeconds'] * 1000,
      log: this.options.log,
      onStatus: (s) => this.options.onStatus(s),
    });
    this.pusher.changed();
  }

  setToken(token: string | undefined): void {
    if (this.settings !== undefined) {
      this.configure(this.settings, token);
    } else {
      this.token = token;
    }
  }

  /** The meter has a new snapshot. */
  changed(): void {
    this.pusher?.changed();
  }

  /** At shutdown: one last push (bounded wait), then off. */
  async flush(): Promise<void> {
    const p = this.pusher;
    this.pusher = undefined;
    await p?.flush(this.options.finalTimeoutMs ?? 3_000);
  }
}
