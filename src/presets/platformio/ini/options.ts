// PlatformIO's known options (platformio/project/options.py): what `get()` needs to treat them
// as PlatformIO does when they are read or interpolated: lists, types, defaults, old names and
// PLATFORMIO_* environment variables.
import { homedir } from 'node:os';
import { basename, join } from 'node:path';

/** How a value is cast (click types). `string[]` is a click.Choice. */
export type OptionType = 'str' | 'int' | 'bool' | 'bit' | 'path' | string[];

export interface OptionMeta {
  scope: 'platformio' | 'env';
  name: string;
  multiple?: boolean;
  sysenvvar?: string;
  oldnames?: string[];
  /** A default; functions get the project dir (PlatformIO runs with it as cwd). */
  default?: string | number | boolean | string[] | ((projectDir: string) => string);
  type?: OptionType;
  /** validate_dir: `~` expanded and made absolute. */
  dir?: boolean;
}

const dir = (name: string, def?: string): OptionMeta => ({
  scope: 'platformio',
  name,
  sysenvvar: `PLATFORMIO_${name.toUpperCase()}`,
  dir: true,
  ...(def === undefined ? {} : { default: def }),
});
const env = (name: string, o: Partial<OptionMeta> = {}): OptionMeta => ({ scope: 'env', name, ...o });
const list = (name: string, o: Partial<OptionMeta> = {}): OptionMeta => env(name, { multiple: true, ...o });

const OPTIONS: OptionMeta[] = [
  { scope: 'platformio', name: 'name', default: (projectDir) => basename(projectDir) },
  { scope: 'platformio', name: 'description' },
  { scope: 'platformio', name: 'default_envs', multiple: true, oldnames: ['env_default'], sysenvvar: 'PLATFORMIO_DEFAULT_ENVS' },
  { scope: 'platformio', name: 'extra_configs', multiple: true },
  { ...dir('core_dir'), oldnames: ['home_dir'], default: () => join(homedir(), '.platformio') },
  dir('globallib_dir', '${platformio.core_dir}/lib'),
  dir('platforms_dir', '${platformio.core_dir}/platforms'),
  dir('packages_dir', '${platformio.core_dir}/packages'),
  dir('cache_dir', '${platformio.core_dir}/.cache'),
  dir('build_cache_dir'),
  dir('workspace_dir', '${PROJECT_DIR}/.pio'),
  dir('build_dir', '${platformio.workspace_dir}/build'),
  dir('libdeps_dir', '${platformio.workspace_dir}/libdeps'),
  ...['include', 'src', 'lib', 'data', 'test', 'boards', 'monitor', 'shared'].map((d) => dir(`${d}_dir`, `\${PROJECT_DIR}/${d}`)),
  env('platform'),
  list('platform_packages'),
  env('board'),
  list('framework'),
  env('board_build.mcu', { oldnames: ['board_mcu'] }),
  env('board_build.f_cpu', { oldnames: ['board_f_cpu'] }),
  env('board_build.f_flash', { oldnames: ['board_f_flash'] }),
  env('board_build.flash_mode', { oldnames: ['board_flash_mode'] }),
  env('build_type', { type: ['release', 'test', 'debug'], default: 'release' }),
  list('build_flags', { sysenvvar: 'PLATFORMIO_BUILD_FLAGS' }),
  list('build_src_flags', { oldnames: ['src_build_flags'], sysenvvar: 'PLATFORMIO_BUILD_SRC_FLAGS' }),
  list('build_unflags', { sysenvvar: 'PLATFORMIO_BUILD_UNFLAGS' }),
  list('build_src_filter', { oldnames: ['src_filter'], sysenvvar: 'PLATFORMIO_BUILD_SRC_FILTER', default: '+<*> -<.git/> -<.svn/>' }),
  list('targets'),
  env('upload_port', { sysenvvar: 'PLATFORMIO_UPLOAD_PORT' }),
  env('upload_protocol'),
  env('upload_speed', { type: 'int' }),
  list('upload_flags', { sysenvvar: 'PLATFORMIO_UPLOAD_FLAGS' }),
  env('upload_resetmethod'),
  env('upload_command'),
  env('monitor_port'),
  env('monitor_speed', { type: 'int', oldnames: ['monitor_baud'], default: 9600 }),
  env('monitor_parity', { type: ['N', 'E', 'O', 'S', 'M'], default: 'N' }),
  list('monitor_filters'),
  env('monitor_rts', { type: 'bit' }),
  env('monitor_dtr', { type: 'bit' }),
  env('monitor_eol', { type: ['CR', 'LF', 'CRLF'], default: 'CRLF' }),
  env('monitor_raw', { type: 'bool', default: false }),
  env('monitor_echo', { type: 'bool', default: false }),
  env('monitor_encoding', { default: 'UTF-8' }),
  list('lib_deps', { oldnames: ['lib_use', 'lib_force', 'lib_install'] }),
  list('lib_ignore'),
  list('lib_extra_dirs', { sysenvvar: 'PLATFORMIO_LIB_EXTRA_DIRS' }),
  env('lib_ldf_mode', { type: ['off', 'chain', 'deep', 'chain+', 'deep+'], default: 'chain' }),
  env('lib_compat_mode', { type: ['off', 'soft', 'strict'], default: 'soft' }),
  env('lib_archive', { type: 'bool', default: true }),
  list('check_tool', { type: ['cppcheck', 'clangtidy', 'pvs-studio'], default: ['cppcheck'] }),
  list('check_src_filters', { oldnames: ['check_patterns'] }),
  list('check_flags'),
  list('check_severity', { type: ['low', 'medium', 'high'], default: ['low', 'medium', 'high'] }),
  env('check_skip_packages', { type: 'bool', default: false }),
  env('test_framework', { type: ['doctest', 'googletest', 'unity', 'custom'], default: 'unity' }),
  list('test_filter'),
  list('test_ignore'),
  env('test_port'),
  env('test_speed', { type: 'int', default: 115200 }),
  env('test_build_src', { type: 'bool', oldnames: ['test_build_project_src'], default: false }),
  list('test_testing_command'),
  env('debug_tool'),
  list('debug_build_flags', { default: ['-Og', '-g2', '-ggdb2'] }),
  env('debug_init_break', { default: 'tbreak main' }),
  list('debug_init_cmds'),
  list('debug_extra_cmds'),
  list('debug_load_cmds', { oldnames: ['debug_load_cmd'], default: ['load'] }),
  env('debug_load_mode', { type: ['always', 'modified', 'manual'], default: 'always' }),
  list('debug_server'),
  env('debug_port'),
  env('debug_speed'),
  env('debug_svd_path', { type: 'path' }),
  env('debug_server_ready_pattern'),
  env('debug_test'),
  list('extends'),
  list('extra_scripts', { oldnames: ['extra_script'], sysenvvar: 'PLATFORMIO_EXTRA_SCRIPTS' }),
];

const BY_KEY = new Map(OPTIONS.map((o) => [`${o.scope}.${o.name}`, o]));

/** `env:uno` -> `env`, `common:esp32` -> `common` (get_section_scope). */
export function sectionScope(section: string): string {
  return section.split(':', 1)[0];
}

/** find_option_meta: by name, or by an old name, within the section's scope. */
export function findOptionMeta(section: string, option: string): OptionMeta | undefined {
  const scope = sectionScope(section);
  if (scope !== 'platformio' && scope !== 'env') return undefined;
  return BY_KEY.get(`${scope}.${option}`) ?? OPTIONS.find((o) => o.scope === scope && o.oldnames?.includes(option));
}
