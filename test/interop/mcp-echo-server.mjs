// A minimal MCP server over stdio (JSON-RPC 2.0, one message per line) for the interop scenarios:
// tool `echo` returns its text, tool `fail` returns an error result. Plain JS: Codex starts it with node.
import readline from 'node:readline';

const TOOLS = [
  { name: 'echo', description: 'Echo the text back', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
  { name: 'fail', description: 'Always fails', inputSchema: { type: 'object', properties: {} } },
];
const send = (message) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return;
  }
  if (msg.id === undefined) return; // notifications need no answer
  if (msg.method === 'initialize') {
    send({ id: msg.id, result: { protocolVersion: msg.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'echo', version: '1.0.0' } } });
  } else if (msg.method === 'tools/list') {
    send({ id: msg.id, result: { tools: TOOLS } });
  } else if (msg.method === 'tools/call' && msg.params?.name === 'echo') {
    send({ id: msg.id, result: { content: [{ type: 'text', text: String(msg.params.arguments?.text ?? '') }] } });
  } else if (msg.method === 'tools/call') {
    send({ id: msg.id, result: { content: [{ type: 'text', text: 'scripted failure' }], isError: true } });
  } else {
    send({ id: msg.id, error: { code: -32601, message: `method not found: ${msg.method}` } });
  }
});
