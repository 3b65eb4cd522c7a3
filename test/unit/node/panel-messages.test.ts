import { strict as assert } from 'node:assert';
import { parseWebviewMessage } from '../../../src/node/panel-messages';

describe('messages from the webview', () => {
  it('accepts the expected shapes', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'selectSession', sessionId: null }), { type: 'selectSession', sessionId: null });
    assert.deepEqual(parseWebviewMessage({ type: 'command', command: 'rescan' }), { type: 'command', command: 'rescan' });
    assert.deepEqual(parseWebviewMessage({ type: 'nudgeAction', key: 'compact:s', action: 'snooze' }), { type: 'nudgeAction', key: 'compact:s', action: 'snooze' });
  });

  it('rejects anything else', () => {
    for (const bad of [
      null,
      'ready',
      [],
      { type: 'evil' },
      { type: 'ready', extra: 1 },
      { type: 'command', command: 'workbench.action.terminal.sendSequence' },
      { type: 'selectSession', sessionId: 42 },
      { type: 'selectSession', sessionId: 'x'.repeat(201) },
      { type: 'nudgeAction', key: 'k', action: 'runShell' },
      { __proto__: { type: 'ready' } },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });
});
