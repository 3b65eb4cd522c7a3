// Runs one scenario: starts the stand-in API, runs the real Claude Code CLI
// (`claude -p ... --output-format json`) once per step with HOME inside the
// output folder, and writes ground-truth.json next to the transcript tree.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findScenario } from './scenarios';
import { ServedCall, startStandInApi } from './stand-in-api';

/** The version CI runs: the devDependency in package.json. */
export const CLAUDE_CODE_VERSION = '2.1.330';

/**
 * The claude binary the suite runs: `$REAL_CLIENT_CLAUDE` when set (a path,
 * e.g. one `npm run test:real-client -- --version 2.1.332` installed), else
 * the pinned devDependency under node_modules.
 */
export function claudeBinary(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.REAL_CLIENT_CLAUDE;
  return chosen !== undefined && chosen !== '' ? resolve(chosen) : resolve('node_modules', '.bin', 'claude');
}

/** The version of the @anthropic-ai/claude-code package a claude binary belongs to, or undefined. */
export function claudeVersionOf(bin: string): string | undefined {
  try {
    // node_modules/.bin/claude -> ../@anthropic-ai/claude-code/bin/claude.exe
    const pkg = join(dirname(dirname(realpathSync(bin))), 'package.json');
    const v = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Claude's JSON result for one step, with the fields we rely on made explicit. */
export interface StepResult {
  sessionId: string;
  total_cost_usd: number;
  step: number;
  prompt: string;
  exitCode: number | null;
  [key: string]: unknown;
}

export interface GroundTruth {
  claudeCodeVersion: string;
  scenario: string;
  served: ServedCall[];
  results: StepResult[];
  sessions: string[];
  /** Paths the stand-in answered 404. */
  notFound: string[];
}

export interface RunScenarioOptions {
  /** Dump every request body to <outDir>/requests/ (not part of the tree). */
  dumpRequests?: boolean;
  /** Per-step time limit; the CLI's process group is killed after it. Default 90 s. */
  stepTimeoutMs?: number;
  /** Path of the claude binary. Default `claudeBinary()`. */
  claudeBin?: string;
}

export interface ScenarioOutput {
  homeDir: string;
  projectsDir: string;
  groundTruthPath: string;
}

interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Spawns a process in its own group; on timeout kills that group by pid. */
function runProcess(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, timedOut });
    });
  });
}

/** Parses the last JSON object line of claude's stdout. */
function parseResult(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const v: unknown = JSON.parse(lines[i] ?? '');
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        return v as Record<string, unknown>;
      }
    } catch {
      // not JSON; keep looking
    }
  }
  return undefined;
}

/** Counts files under a folder, recursively. */
export function countFiles(dir: string): number {
  if (!existsSync(dir)) {
    return 0;
  }
  let n = 0;
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    n += statSync(p).isDirectory() ? countFiles(p) : 1;
  }
  return n;
}

/** Runs one named scenario into outDir and returns where its tree and ground truth are. */
export async function runScenario(name: string, outDir: string, options: RunScenarioOptions = {}): Promise<ScenarioOutput> {
  const scenario = findScenario(name);
  if (scenario === undefined) {
    throw new Error(`unknown scenario: ${name}`);
  }
  const root = resolve(outDir);
  const homeDir = join(root, 'home');
  const projectDir = join(root, 'project');
  const projectsDir = join(homeDir, '.claude', 'projects');
  const groundTruthPath = join(root, 'ground-truth.json');
  mkdirSync(homeDir, { recursive: true });
  mkdirSync(projectDir, { recursive: true });
  const claudeBin = options.claudeBin ?? claudeBinary();
  const timeoutMs = options.stepTimeoutMs ?? 90_000;

  const api = await startStandInApi(scenario.makePlan(), options.dumpRequests === true ? { dumpDir: join(root, 'requests') } : {});
  const results: StepResult[] = [];
  const sessions: string[] = [];
  try {
    for (const [index, step] of scenario.steps.entries()) {
      const args = ['-p', step.prompt, '--output-format', 'json', '--model', step.model];
      if (step.resumeStep !== undefined) {
        const resumeId = results[step.resumeStep]?.sessionId;
        if (resumeId === undefined || resumeId === '') {
          throw new Error(`${name}: step ${index} resumes step ${step.resumeStep}, which has no session id`);
        }
        args.push('--resume', resumeId);
      }
      if (step.allowedTools !== undefined && step.allowedTools.length > 0) {
        args.push('--allowedTools', ...step.allowedTools);
      }
      args.push(...(step.extraArgs ?? []));
      // Only what the CLI needs: no inherited ANTHROPIC_* or proxy settings can point it elsewhere.
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: homeDir,
        LANG: 'C.UTF-8',
        TZ: 'UTC',
        ANTHROPIC_BASE_URL: api.url,
        ANTHROPIC_API_KEY: 'test',
        DISABLE_TELEMETRY: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        NO_PROXY: '127.0.0.1,localhost',
      };
      const r = await runProcess(claudeBin, args, projectDir, env, timeoutMs);
      const json = parseResult(r.stdout);
      if (r.timedOut || json === undefined) {
        throw new Error(
          `${name}: step ${index} (${step.prompt}) ${r.timedOut ? 'timed out' : `gave no JSON (exit ${String(r.code)})`}\n` +
            `stdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(0, 2000)}`,
        );
      }
      const sessionId = typeof json.session_id === 'string' ? json.session_id : '';
      const cost = typeof json.total_cost_usd === 'number' ? json.total_cost_usd : Number.NaN;
      results.push({ ...json, sessionId, total_cost_usd: cost, step: index, prompt: step.prompt, exitCode: r.code });
      if (sessionId !== '' && !sessions.includes(sessionId)) {
        sessions.push(sessionId);
      }
    }
  } finally {
    await api.stop();
  }
  const truth: GroundTruth = {
    claudeCodeVersion: claudeVersionOf(claudeBin) ?? 'unknown',
    scenario: name,
    served: api.served,
    results,
    sessions,
    notFound: api.notFound,
  };
  writeFileSync(groundTruthPath, JSON.stringify(truth, null, 2) + '\n');
  return { homeDir, projectsDir, groundTruthPath };
}
