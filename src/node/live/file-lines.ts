/**
 * Reading a transcript's lines off the event loop's way, for the on-demand
 * lookups (tool names, a session's causes): 1 MB chunks, one call per line.
 */
import * as fs from 'node:fs';

/**
 * Calls `visit` with each complete line of `filePath` (without its newline)
 * and resolves to the bytes after the last newline: a torn last line, or an
 * empty buffer. The caller decides whether a torn line counts.
 */
export async function forEachLineOf(filePath: string, visit: (line: Buffer) => void): Promise<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of fs.createReadStream(filePath, { highWaterMark: 1 << 20 })) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      visit(buf.subarray(start, nl));
      start = nl + 1;
    }
    carry = Buffer.from(buf.subarray(start));
  }
  return carry;
}
