// What the opt-in sections (--scale, --table-size) share with the main run.
import type { StartOptions } from './systems/types.ts';

export interface SectionContext {
  warmup: number;
  seconds: number;
  quick: boolean;
  options: StartOptions;
  log: (line: string) => void;
  /** A failed scenario of a section is named here: the run then ends with a failure status. */
  failures: string[];
}
