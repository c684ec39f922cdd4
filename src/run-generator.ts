// Runs our Yeoman generators through yeoman-environment directly: no global `yo` needed.
import { createEnv } from 'yeoman-environment';
import AppGenerator, { type AppOptions } from '../generators/app/index.js';
import { PACKAGE_ROOT } from './paths.js';

const NAMESPACE = 'pio-docker:app';

export async function runApp(dir: string, options: AppOptions): Promise<void> {
  // Without a terminal the generator itself refuses to touch differing files (unless --force), so
  // the conflicter must not prompt: a prompt there would end the process with exit 0. The
  // conflicter takes `force` from the environment's options, the generator from its own.
  const env = createEnv({ cwd: dir, force: options.force || !options.interactive } as never);
  // The CLI reports every failure itself (one clear line, or the stack of a bug), so Yeoman's own
  // "An error occured while running ..." line before it adds nothing.
  const log = env.adapter.log as unknown as { error: (...args: unknown[]) => unknown };
  const logError = log.error.bind(log);
  log.error = (...args) => (/^An error occured while running /.test(String(args[0])) ? log : logError(...args));
  env.register(AppGenerator as never, { namespace: NAMESPACE, resolved: `${PACKAGE_ROOT}/generators/app/index.js`, packagePath: PACKAGE_ROOT });
  await env.run([NAMESPACE], { ...options, skipInstall: true } as never);
}
