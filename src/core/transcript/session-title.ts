/**
 * A session's title as Claude Code shows it: its `summary` line, else its
 * first real user prompt (not a slash command's wrapper, a caveat or a meta
 * line), on one line and trimmed. Pure: it reads the text of the file's head.
 */

/** Longest title kept (characters). */
export const TITLE_MAX = 80;

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > TITLE_MAX ? `${flat.slice(0, TITLE_MAX - 1).trimEnd()}…` : flat;
}

function promptText(content: unknown): string | null {
  if (typeof content === 'string') {
    return content;
  }
  if (Array.isArray(content)) {
    for (const part of content as unknown[]) {
      if (part && typeof part === 'object' && (part as { type?: unknown }).type === 'text' && typeof (part as { text?: unknown }).text === 'string') {
        return (part as { text: string }).text;
      }
    }
  }
  return null;
}

/** Not something the user typed: slash-command wrappers, caveats, interruptions. */
const NOT_A_PROMPT = /^\s*(<command-|<local-command-|Caveat:|\[Request interrupted)/;

/**
 * The title found in the first lines of a transcript (`head`, which may end
 * in a partial line); null when neither a summary nor a prompt is there.
 * Never throws.
 */
export function titleFromHead(head: string): string | null {
  let prompt: string | null = null;
  for (const line of head.split('\n')) {
    if (!line.includes('"summary"') && !line.includes('"user"')) {
      continue;
    }
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (!v || typeof v !== 'object') {
      continue;
    }
    const o = v as { type?: unknown; summary?: unknown; isMeta?: unknown; isSidechain?: unknown; message?: { role?: unknown; content?: unknown } };
    if (o.type === 'summary' && typeof o.summary === 'string' && o.summary.trim() !== '') {
      return oneLine(o.summary);
    }
    if (prompt === null && o.type === 'user' && o.isMeta !== true && o.isSidechain !== true && o.message?.role === 'user') {
      const text = promptText(o.message.content);
      if (text !== null && text.trim() !== '' && !NOT_A_PROMPT.test(text)) {
        prompt = oneLine(text);
      }
    }
  }
  return prompt;
}
