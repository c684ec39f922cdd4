// Runs our Yeoman generator through yeoman-environment directly: no global `yo` needed.
import { createEnv } from 'yeoman-environment';
import AppGenerator, { CancelledError, GeneratorExit, type AppOptions } from '../generators/app/index.js';
import { PACKAGE_ROOT } from './core/paths.js';

const NAMESPACE = 'pio-docker:app';

/** Runs the scaffold; returns its exit code. Ctrl-C at a prompt throws CancelledError. */
export async function runApp(dir: string, options: Omit<AppOptions, 'projectDir'>): Promise<number> {
  const env = createEnv({ cwd: dir } as never);
  // The CLI reports every failure itself (one clear line), so Yeoman's own "An error occured
  // while running ..." line adds nothing.
  const log = env.adapter.log as unknown as { error: (...args: unknown[]) => unknown };
  const logError = log.error.bind(log);
  log.error = (...args) => (/^An error occured while running /.test(String(args[0])) ? log : logError(...args));
  // Nor its package.json notice: we install nothing (it is printed through the adapter's log itself).
  const adapter = env.adapter as unknown as { log: ((...args: unknown[]) => unknown) & Record<string, unknown> };
  const plain = adapter.log;
  adapter.log = Object.assign((...args: unknown[]) => (/package\.json|package manager/.test(String(args[0])) ? undefined : plain(...args)), plain);
  env.register(AppGenerator as never, { namespace: NAMESPACE, resolved: `${PACKAGE_ROOT}/generators/app/index.js`, packagePath: PACKAGE_ROOT });
  try {
    await env.run([NAMESPACE], { ...options, projectDir: dir, skipInstall: true, skipCache: true } as never);
    return 0;
  } catch (e) {
    if (e instanceof GeneratorExit) return e.code;
    // inquirer's Ctrl-C (and a closed terminal) at a prompt.
    if ((e as Error)?.name === 'ExitPromptError' || (e as Error)?.name === 'AbortPromptError') throw new CancelledError();
    throw e;
  }
}
