// What the opt-in sections (--scale, --table-size) share with the main run.
import type { Row } from './report.ts';
import type { StartOptions } from './systems/types.ts';

export interface SectionContext {
  warmup: number;
  seconds: number;
  quick: boolean;
  options: StartOptions;
  log: (line: string) => void;
  /** The main table's rows: a failed scenario of a section is added there too, so that the run fails. */
  failures: Row[];
}
