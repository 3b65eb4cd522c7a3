import { strict as assert } from 'node:assert';
import { allCoresScanWorkers, gentleScanWorkers, LARGE_HISTORY_BYTES, MAX_SCAN_WORKERS } from '../../../../src/node/scan/worker-count';

const GB = 1024 * 1024 * 1024;

describe('scan worker count', () => {
  describe('all cores (the CLI)', () => {
    it('is cores - 1, at least 1, at most 8, on 1, 2, 4, 9, 16 and 64 cores', () => {
      const got = [1, 2, 4, 9, 16, 64].map((cores) => allCoresScanWorkers({ cores, files: 1000, bytes: GB }));
      assert.deepEqual(got, [1, 1, 3, 8, 8, 8]);
      assert.equal(MAX_SCAN_WORKERS, 8);
    });

    it('never starts more workers than there are files', () => {
      assert.equal(allCoresScanWorkers({ cores: 16, files: 3, bytes: GB }), 3);
      assert.equal(allCoresScanWorkers({ cores: 16, files: 1, bytes: GB }), 1);
      assert.equal(allCoresScanWorkers({ cores: 4, files: 2, bytes: 10 }), 2);
    });

    it('starts one for an empty list or a nonsense core count (the caller reads nothing, or on its own)', () => {
      assert.equal(allCoresScanWorkers({ cores: 16, files: 0, bytes: 0 }), 1);
      assert.equal(allCoresScanWorkers({ cores: 0, files: 10, bytes: GB }), 1);
      assert.equal(allCoresScanWorkers({ cores: Number.NaN, files: 10, bytes: GB }), 1);
    });

    it('does not depend on the size of the history', () => {
      assert.equal(allCoresScanWorkers({ cores: 16, files: 40, bytes: 1024 }), 8);
    });
  });

  describe('gentle (the extension first scan)', () => {
    it('is 1 for a small history whatever the cores', () => {
      for (const cores of [1, 2, 4, 9, 16, 64]) {
        assert.equal(gentleScanWorkers({ cores, files: 1000, bytes: LARGE_HISTORY_BYTES }), 1, `${cores} cores`);
      }
    });

    it('is 2 for a large history only when there are more than two cores', () => {
      const got = [1, 2, 3, 4, 16, 64].map((cores) => gentleScanWorkers({ cores, files: 1000, bytes: LARGE_HISTORY_BYTES + 1 }));
      assert.deepEqual(got, [1, 1, 2, 2, 2, 2]);
      assert.equal(gentleScanWorkers({ cores: 16, files: 1, bytes: GB }), 1);
    });

    it('takes the requested number, within the cores, the files and the cap', () => {
      assert.equal(gentleScanWorkers({ cores: 16, files: 1000, bytes: 10 }, 4), 4);
      assert.equal(gentleScanWorkers({ cores: 2, files: 1000, bytes: 10 }, 4), 2);
      assert.equal(gentleScanWorkers({ cores: 64, files: 1000, bytes: 10 }, 32), 8);
      assert.equal(gentleScanWorkers({ cores: 16, files: 3, bytes: 10 }, 6), 3);
      assert.equal(gentleScanWorkers({ cores: 16, files: 1000, bytes: GB }, 0), 2);
    });
  });
});
