import { Engine } from '../../../src/core/engine';
import { bundledPriceTable } from '../../../src/core/pricing/price-table';
import { buildReport, type Report, type ReportOptions } from '../../../src/core/report';
import { engineSink } from '../../../src/node/scan/scan';
import { LineSplitter } from './line-splitter';

const prices = bundledPriceTable();

export function newEngine(timeZone = 'UTC'): Engine {
  return new Engine({ prices, timeZone });
}

/** Feeds whole file texts (path relative to projects/ -> content) through the real splitter. */
export function feed(engine: Engine, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = engine.openFile(`/projects/${rel}`, rel);
    const splitter = new LineSplitter(0);
    const sink = engineSink(engine, file);
    splitter.push(Buffer.from(text, 'utf8'), sink);
    if (splitter.flushComplete(sink).torn) {
      engine.countMalformed(file);
    }
  }
}

export function reportOf(files: Record<string, string>, options: ReportOptions = {}, timeZone = 'UTC'): Report {
  const engine = newEngine(timeZone);
  feed(engine, files);
  return buildReport(engine, options);
}

/** Cost compared to $0.000001 per call at most. */
export function near(actual: number | null, expected: number, calls = 1): boolean {
  return actual !== null && Math.abs(actual - expected) <= 1e-6 * Math.max(1, calls);
}
