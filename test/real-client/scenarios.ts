// Scenario definitions for the real-client fixture harness. Each scenario is a
// list of `claude -p` runs (steps) and a fresh plan that tells the stand-in API
// how to answer every call, scripted or not. Usage numbers are distinct per
// call so each served call can be found again in the transcript.

import { resolve } from 'node:path';
import { CallPlan, defaultPlan, Plan, PlanUsage, StandInRequest } from './stand-in-api';

/** The tiny stdio MCP server of the `mcp` scenario, as `--mcp-config` JSON (the harness runs from the repo root). */
export const MCP_CONFIG = JSON.stringify({ mcpServers: { github: { type: 'stdio', command: process.execPath, args: [resolve('test/real-client/tiny-mcp-server.mjs')] } } });

/** One `claude -p` invocation. */
export interface ScenarioStep {
  prompt: string;
  model: string;
  /** Continue the session of an earlier step (index into steps) with --resume. */
  resumeStep?: number;
  /** Tools allowed without a prompt (--allowedTools). */
  allowedTools?: string[];
  /** Extra CLI arguments. */
  extraArgs?: string[];
}

export interface Scenario {
  name: string;
  description: string;
  steps: ScenarioStep[];
  /** Builds a fresh (stateful) plan for one run of the scenario. */
  makePlan(): Plan;
}

const SONNET = 'claude-sonnet-4-6';
const HAIKU = 'claude-haiku-4-5';
const OPUS = 'claude-opus-4-6';

/** Usage with a 5-minute cache write. */
function u5m(input: number, output: number, write5m: number, read: number, extra: Partial<PlanUsage> = {}): PlanUsage {
  return { input_tokens: input, output_tokens: output, cache_creation: { ephemeral_5m_input_tokens: write5m }, cache_read_input_tokens: read, ...extra };
}

/** Usage with a 1-hour cache write. */
function u1h(input: number, output: number, write1h: number, read: number, extra: Partial<PlanUsage> = {}): PlanUsage {
  return { input_tokens: input, output_tokens: output, cache_creation: { ephemeral_1h_input_tokens: write1h }, cache_read_input_tokens: read, ...extra };
}

function text(t: string): { type: 'text'; text: string } {
  return { type: 'text', text: t };
}

/** Answers side calls (compaction, titles, web search helper, other) the same way in every scenario. */
function sideCall(req: StandInRequest): CallPlan | undefined {
  if (req.kind === 'compact') {
    return {
      usage: u5m(4, 734, 0, 25100, { input_tokens: 18003 }),
      content: [text('<analysis>Short test session.</analysis>\n<summary>1. Primary Request: small fixture tasks. 2. All done.</summary>')],
    };
  }
  if (req.kind === 'title') {
    return { usage: { input_tokens: 151, output_tokens: 11 }, content: [text('{"title": "Fixture session"}')] };
  }
  if (req.kind === 'other') {
    return defaultPlan(req);
  }
  return undefined;
}

/** A plan from a function of (request, index of this call among main calls). */
function mainPlan(onMain: (req: StandInRequest, mainIndex: number) => CallPlan, onSubagent?: (req: StandInRequest, subIndex: number) => CallPlan): () => Plan {
  return () => {
    let mainIndex = 0;
    let subIndex = 0;
    return (req: StandInRequest): CallPlan => {
      const side = sideCall(req);
      if (side !== undefined) {
        return side;
      }
      if (req.kind === 'subagent') {
        return onSubagent !== undefined ? onSubagent(req, subIndex++) : defaultPlan(req);
      }
      return onMain(req, mainIndex++);
    };
  };
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'single-turn',
    description: 'One prompt, one reply (thinking + text), 5m cache write and a cache read.',
    steps: [{ prompt: 'Say hello to the fixture.', model: SONNET }],
    makePlan: mainPlan(() => ({
      usage: u5m(3, 127, 2100, 14000),
      content: [{ type: 'thinking', thinking: 'A greeting is enough.' }, text('Hello, fixture!')],
    })),
  },
  {
    name: 'bash-tool',
    description: 'A Bash tool call (text + tool_use in one message) and its follow-up.',
    steps: [{ prompt: 'Run echo for me.', model: SONNET, allowedTools: ['Bash'] }],
    makePlan: mainPlan((req) =>
      req.lastUserIsToolResult
        ? { usage: u5m(7, 41, 310, 16100), content: [text('The command printed cost-meter-fixture.')] }
        : {
            usage: u5m(5, 88, 16100, 0),
            content: [text('I will run it.'), { type: 'bash', command: 'echo cost-meter-fixture', description: 'Print a marker' }],
          },
    ),
  },
  {
    name: 'mcp',
    description: 'A call to a tiny stdio MCP server (--mcp-config) and the follow-up that reads its result: mcp:github in the causes (#20).',
    steps: [{ prompt: 'Search the issues for login.', model: SONNET, allowedTools: ['mcp__github__search_issues'], extraArgs: ['--mcp-config', MCP_CONFIG, '--strict-mcp-config'] }],
    makePlan: mainPlan((req) =>
      req.lastUserIsToolResult
        ? { usage: u5m(6, 52, 420, 16700), content: [text('Found issue #1: login fails.')] }
        : { usage: u5m(5, 73, 16700, 0), content: [text('Searching.'), { type: 'tool_use', name: 'mcp__github__search_issues', input: { q: 'login' } }] },
    ),
  },
  {
    name: 'subagent',
    description: 'An Agent call (general-purpose, model inherited) whose subagent makes a Bash call, then reports back.',
    steps: [{ prompt: 'Use an agent to list the project folder.', model: SONNET, allowedTools: ['Bash', 'Agent'] }],
    makePlan: mainPlan(
      (req, i) => {
        if (i === 0) {
          return {
            usage: u5m(6, 143, 18200, 0),
            content: [{ type: 'agent', description: 'List project folder', prompt: 'Run ls in the project folder and report.' }],
          };
        }
        if (req.lastUserIsToolResult) {
          return { usage: u5m(4, 19, 260, 18200), content: [text('The agent is working on it.')] };
        }
        return { usage: u5m(3, 52, 420, 18460), content: [text('The agent reports the folder is empty.')] };
      },
      (req, j) =>
        req.lastUserIsToolResult || j > 0
          ? { usage: u5m(9, 61, 230, 5100), content: [text('The folder is empty.')] }
          : { usage: u5m(8, 77, 5100, 0), content: [{ type: 'bash', command: 'ls -la', description: 'List files' }] },
    ),
  },
  {
    name: 'subagent-haiku',
    description: 'As subagent, but the Agent call asks for model "haiku" (Claude Code picks the model id).',
    steps: [{ prompt: 'Use an agent to list the project folder.', model: SONNET, allowedTools: ['Bash', 'Agent'] }],
    makePlan: mainPlan(
      (req, i) => {
        if (i === 0) {
          return {
            usage: u5m(6, 143, 18200, 0),
            content: [{ type: 'agent', description: 'List project folder', prompt: 'Run ls in the project folder and report.', model: 'haiku' }],
          };
        }
        if (req.lastUserIsToolResult) {
          return { usage: u5m(4, 19, 260, 18200), content: [text('The agent is working on it.')] };
        }
        return { usage: u5m(3, 52, 420, 18460), content: [text('The agent reports the folder is empty.')] };
      },
      (req, j) =>
        req.lastUserIsToolResult || j > 0
          ? { usage: u5m(9, 61, 230, 5100), content: [text('The folder is empty.')] }
          : { usage: u5m(8, 77, 5100, 0), content: [{ type: 'bash', command: 'ls -la', description: 'List files' }] },
    ),
  },
  {
    name: 'resume',
    description: 'A first turn, then --resume <id> for a second turn.',
    steps: [
      { prompt: 'Remember the number 7.', model: SONNET },
      { prompt: 'Which number did I give you?', model: SONNET, resumeStep: 0 },
    ],
    makePlan: mainPlan((_req, i) =>
      i === 0
        ? { usage: u5m(3, 15, 15500, 0), content: [text('Noted: 7.')] }
        : { usage: u5m(5, 9, 180, 15500), content: [text('You gave me 7.')] },
    ),
  },
  {
    name: 'compact',
    description: 'A turn, then -p "/compact" --resume <id>, then one more resumed turn.',
    steps: [
      { prompt: 'Write a haiku about caches.', model: SONNET },
      { prompt: '/compact', model: SONNET, resumeStep: 0 },
      { prompt: 'And one about tokens.', model: SONNET, resumeStep: 0 },
    ],
    makePlan: mainPlan((_req, i) =>
      i === 0
        ? { usage: u5m(3, 40, 15700, 0), content: [text('Warm lines wait in cache / ...')] }
        : { usage: u5m(6, 38, 2900, 12300), content: [text('Tokens fall like rain / ...')] },
    ),
  },
  {
    name: 'clear',
    description: 'Two separate sessions in the same project (what /clear starts), plus "/clear" sent in -p mode.',
    steps: [
      { prompt: 'First session prompt.', model: SONNET },
      { prompt: '/clear', model: SONNET, resumeStep: 0 },
      { prompt: 'Second session prompt.', model: SONNET },
    ],
    makePlan: mainPlan((_req, i) =>
      i === 0
        ? { usage: u5m(3, 21, 15300, 0), content: [text('First session reply.')] }
        : { usage: u5m(4, 23, 15310, 0), content: [text('Second session reply.')] },
    ),
  },
  {
    name: 'web-search',
    description: 'WebSearch (client tool -> helper call with the server web_search tool), then a reply that itself carries server_tool_use + web_search_tool_result.',
    steps: [{ prompt: 'Search the web for prompt caching prices.', model: SONNET, allowedTools: ['WebSearch'] }],
    makePlan: () => {
      let mainIndex = 0;
      return (req: StandInRequest): CallPlan => {
        if (req.serverToolTypes.some((t) => t.startsWith('web_search'))) {
          return {
            usage: u5m(212, 96, 0, 0, { web_search_requests: 1 }),
            content: [
              { type: 'web_search', query: 'prompt caching prices', results: [{ title: 'Pricing', url: 'https://example.com/pricing' }] },
              text('Prompt caching: writes cost more than input, reads cost a tenth.'),
            ],
          };
        }
        const side = sideCall(req);
        if (side !== undefined) {
          return side;
        }
        if (req.kind === 'subagent') {
          return defaultPlan(req);
        }
        const i = mainIndex++;
        if (i === 0) {
          return { usage: u5m(4, 64, 16300, 0), content: [{ type: 'tool_use', name: 'WebSearch', input: { query: 'prompt caching prices' } }] };
        }
        return {
          usage: u5m(6, 118, 540, 16300, { web_search_requests: 2 }),
          content: [
            { type: 'web_search', query: 'claude cache read price', results: [{ title: 'Docs', url: 'https://example.com/docs' }] },
            { type: 'web_search', query: 'claude cache write price', results: [{ title: 'Docs 2', url: 'https://example.com/docs2' }] },
            text('Reads are 0.1x input, 5m writes 1.25x, 1h writes 2x ([Pricing](https://example.com/pricing)).'),
          ],
        };
      };
    },
  },
  {
    name: 'models',
    description: 'One session resumed under three models via --model: sonnet (1h write), haiku (5m write), opus (5m + 1h writes).',
    steps: [
      { prompt: 'Turn one.', model: SONNET },
      { prompt: 'Turn two.', model: HAIKU, resumeStep: 0 },
      { prompt: 'Turn three.', model: OPUS, resumeStep: 0 },
    ],
    makePlan: mainPlan((req) => {
      if (req.model.startsWith('claude-haiku')) {
        return { usage: u5m(5, 33, 15900, 0), content: [text('Haiku here.')] };
      }
      if (req.model.startsWith('claude-opus')) {
        return {
          usage: { input_tokens: 7, output_tokens: 45, cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 15950 }, cache_read_input_tokens: 0 },
          content: [text('Opus here.')],
        };
      }
      return { usage: u1h(3, 29, 15800, 0), content: [text('Sonnet here.')] };
    }),
  },
  {
    name: 'fast-geo',
    description: 'Opus replies served with speed "fast", inference_geo "us" and service_tier "priority".',
    steps: [{ prompt: 'Be quick.', model: OPUS }],
    makePlan: mainPlan(() => ({
      usage: u5m(3, 57, 16000, 0, { speed: 'fast', inference_geo: 'us', service_tier: 'priority' }),
      content: [text('Fast reply.')],
    })),
  },
];

SCENARIOS.push({
  name: 'advisor',
  description: 'A prompt containing "consult the advisor": usage with two Sonnet 4.6 iterations around an advisor_message on Opus 4.6 (pricing.md §3).',
  steps: [{ prompt: 'Please consult the advisor about cache lifetimes.', model: SONNET }],
  // The stand-in answers the prompt with an advisor turn by itself (`defaultPlan`).
  makePlan: mainPlan((req) => defaultPlan(req)),
});

/** Looks a scenario up by name. */
export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
