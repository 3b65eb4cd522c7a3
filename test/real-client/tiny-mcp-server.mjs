// A tiny stdio MCP server for the real-client `mcp` scenario (issue #20): one
// tool, `search_issues`, that answers with a fixed text. JSON-RPC, one message a line.
import { createInterface } from 'node:readline';

const send = (msg) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n`);
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    return;
  }
  if (req.id === undefined) {
    return; // a notification
  }
  switch (req.method) {
    case 'initialize':
      send({ id: req.id, result: { protocolVersion: req.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'github', version: '0.0.1' } } });
      break;
    case 'tools/list':
      send({ id: req.id, result: { tools: [{ name: 'search_issues', description: 'Search issues (fixture).', inputSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }] } });
      break;
    case 'tools/call':
      send({ id: req.id, result: { content: [{ type: 'text', text: 'issue #1: login fails (fixture)' }] } });
      break;
    case 'ping':
      send({ id: req.id, result: {} });
      break;
    default:
      send({ id: req.id, error: { code: -32601, message: `no method ${req.method}` } });
  }
});
