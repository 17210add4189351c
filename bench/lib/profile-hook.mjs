// Preloaded (`node --import`) into a server the bench profiles. SIGUSR2 starts the V8 CPU profiler,
// the next SIGUSR2 stops it and writes the profile into $LATCHKEY_BENCH_PROFILE_DIR: one profile per
// measured window, with nothing of the start-up, the seeding or the warm-up in it.
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.LATCHKEY_BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  let windows = 0;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 500 }, () =>
          session.post('Profiler.start', () => writeFileSync(join(dir, `started-${process.pid}`), '')),
        ),
      );
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, result) => {
      const file = join(dir, `window-${process.pid}-${++windows}.cpuprofile`);
      writeFileSync(`${file}.tmp`, err ? '{}' : JSON.stringify(result.profile));
      renameSync(`${file}.tmp`, file);
    });
  });
}
