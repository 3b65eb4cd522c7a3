/**
 * Running the CLI's `main` in-process with captured output, for tests.
 */
import { PassThrough } from 'node:stream';
import { main } from '../../../src/node/cli/cli';

/** A writable stream that keeps what is written to it. */
export function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

/** Runs `claude-cost argv` with `env` merged into process.env for the call (restored after). */
export async function runCli(argv: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  const saved = { ...process.env };
  if (env) {
    Object.assign(process.env, env);
  }
  try {
    const code = await main(argv, out.stream, err.stream);
    return { code, stdout: out.text(), stderr: err.text() };
  } finally {
    for (const k of Object.keys(process.env)) {
      if (!(k in saved)) {
        delete process.env[k];
      }
    }
    Object.assign(process.env, saved);
  }
}
