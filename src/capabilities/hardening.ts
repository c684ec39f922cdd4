// How every preset's build containers run: all capabilities dropped but those the root-start
// entrypoint and the init need, and no new privileges. One list for the compose files, the
// generated `docker run` lines and verify, so verify checks what users run.

/**
 * CHOWN, DAC_OVERRIDE: the entrypoint re-owns the cache volume; SETUID, SETGID: it drops to the
 * checkout's owner; KILL: the init (tini, docker's init), root, forwards `docker stop`'s SIGTERM to
 * a build of another uid (without it: "Operation not permitted", and the build is SIGKILLed).
 */
export const CAPS_KEPT = ['CHOWN', 'DAC_OVERRIDE', 'SETUID', 'SETGID', 'KILL'] as const;

/** For a compose service. */
export const COMPOSE_HARDENING = {
  security_opt: ['no-new-privileges:true'],
  cap_drop: ['ALL'],
  cap_add: [...CAPS_KEPT],
};

/** For the Engine API (HostConfig): what compose makes of COMPOSE_HARDENING. */
export const ENGINE_HARDENING = {
  CapDrop: ['ALL'],
  CapAdd: [...CAPS_KEPT],
  SecurityOpt: ['no-new-privileges:true'],
};

/** For a `docker run` line in a generated script. */
export const RUN_HARDENING = `--security-opt no-new-privileges:true --cap-drop ALL ${CAPS_KEPT.map((c) => `--cap-add ${c}`).join(' ')}`;
