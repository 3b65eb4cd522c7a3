// The bundled demo: a realistic Claude Code session written into a temporary
// Claude folder, one API call every few seconds, so the status bar moves when
// no real transcripts exist (npm start). Plain Node, no dependencies.
//
//   node scripts/demo-replay.mjs <configDir> <projectCwd> [intervalMs]
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

const [configDir, cwd, intervalArg] = process.argv.slice(2);
if (!configDir || !cwd) {
  console.error('usage: demo-replay.mjs <configDir> <projectCwd> [intervalMs]');
  process.exit(2);
}
const interval = Number(intervalArg ?? 4000);
const session = randomUUID();
const dir = join(configDir, 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'));
const file = join(dir, `${session}.jsonl`);
const subFile = join(dir, session, 'subagents', 'agent-a1b2c3d4e5f6a7b8c.jsonl');
mkdirSync(join(dir, session, 'subagents'), { recursive: true });
writeFileSync(
  file,
  JSON.stringify({ type: 'user', cwd, sessionId: session, timestamp: new Date().toISOString(), message: { role: 'user', content: 'Refactor the billing module and add tests' } }) + '\n',
);
writeFileSync(join(dir, session, 'subagents', 'agent-a1b2c3d4e5f6a7b8c.meta.json'), JSON.stringify({ agentType: 'Explore', description: 'Find billing call sites' }));

let context = 18_000; // system prompt + tools
let n = 0;
function call(target, sidechain, model, usage) {
  n += 1;
  const line = {
    parentUuid: null,
    isSidechain: sidechain,
    cwd,
    sessionId: session,
    version: '2.1.330',
    type: 'assistant',
    requestId: `req_demo_${session.slice(0, 8)}_${n}`,
    timestamp: new Date().toISOString(),
    message: { id: `msg_demo_${session.slice(0, 8)}_${n}`, model, type: 'message', role: 'assistant', content: [{ type: 'text', text: '…' }], usage },
  };
  appendFileSync(target, JSON.stringify(line) + '\n');
}

function turn() {
  const grow = 1500 + Math.floor(Math.random() * 6000);
  const output = 200 + Math.floor(Math.random() * 1200);
  call(file, false, 'claude-sonnet-4-6', {
    input_tokens: 3,
    output_tokens: output,
    cache_creation_input_tokens: grow,
    cache_read_input_tokens: context,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: grow },
    service_tier: 'standard',
    speed: 'standard',
  });
  context += grow + output;
  if (n % 5 === 0) {
    call(subFile, true, 'claude-haiku-4-5', {
      input_tokens: 5,
      output_tokens: 300,
      cache_creation_input_tokens: 12_000,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 12_000, ephemeral_1h_input_tokens: 0 },
    });
  }
  if (context > 160_000) {
    appendFileSync(
      file,
      JSON.stringify({ type: 'system', subtype: 'compact_boundary', cwd, sessionId: session, timestamp: new Date().toISOString(), content: 'Conversation compacted', compactMetadata: { trigger: 'auto', preTokens: context } }) + '\n',
    );
    context = 24_000;
  }
}

console.log(`demo: replaying a session into ${file} every ${interval} ms`);
turn();
const timer = setInterval(turn, interval);
const stop = () => {
  clearInterval(timer);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
