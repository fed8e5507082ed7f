import type { SourceName } from '#core/change.ts';

/** What {@link stopOnSignals} needs of the runtime. */
export interface Interruptible {
  /** Release held leases, then stop the services; the sources whose lease was released. */
  interrupt(): Promise<SourceName[]>;
}

/** The part of `process` the handlers use (a stand-in in tests). */
export interface SignalSource {
  once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/** Exit code of a process stopped by a signal, as shells report it (128 + signal number). */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Stop `runtime` on Ctrl-C (SIGINT) or SIGTERM: release its leases, stop its services, then
 * `exit` with 130/143. Install it before the first cycle: a signal's default action kills
 * the process at once, leaving a held lease that made the next run skip the source for 15
 * minutes. The in-flight cycle is not awaited (a slow upstream would make Ctrl-C hang); it
 * advances nothing, so the next run repeats it. A second signal exits at once.
 *
 * @returns a function that removes the handlers (after a normal finish).
 */
export function stopOnSignals(
  runtime: Interruptible,
  options: { out: (line: string) => void; exit: (code: number) => void; signals?: SignalSource },
): () => void {
  const signals = options.signals ?? process;
  let stopping = false;
  const handle = (signal: 'SIGINT' | 'SIGTERM') => () => {
    const code = SIGNAL_EXIT_CODES[signal];
    if (stopping) {
      options.exit(code);
      return;
    }
    stopping = true;
    // Caught from here on, a second Ctrl-C still ends a clean-up that hangs.
    signals.off('SIGINT', onInt);
    signals.off('SIGTERM', onTerm);
    signals.once('SIGINT', onInt);
    signals.once('SIGTERM', onTerm);
    options.out(`${signal}: stopping…`);
    runtime.interrupt().then(
      (released) => {
        if (released.length > 0)
          options.out(`Released the lease of ${released.join(', ')} (the interrupted cycle advanced nothing; the next run repeats it).`);
        options.exit(code);
      },
      (err: unknown) => {
        options.out(`Stopping failed: ${(err as Error).message}`);
        options.exit(code);
      },
    );
  };
  const onInt = handle('SIGINT');
  const onTerm = handle('SIGTERM');
  signals.once('SIGINT', onInt);
  signals.once('SIGTERM', onTerm);
  return () => {
    signals.off('SIGINT', onInt);
    signals.off('SIGTERM', onTerm);
  };
}
