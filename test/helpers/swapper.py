#!/usr/bin/env python3
# A hostile repository owner, for test/write-race.test.ts: while create-pio-docker runs (as root)
# in a repository this uid owns, keep swapping one of its folders for a symlink to a folder outside.
#   swapper.py exchange REPO NAME TARGET UID GID SECONDS [LINK_SPIN DIR_SPIN]
#     renameat2(RENAME_EXCHANGE) of REPO/NAME with a symlink to TARGET, back and forth, as fast as
#     it can: NAME is a link for a short, random while, then the real folder again.
#   swapper.py aside REPO NAME TARGET UID GID SECONDS
#     every time REPO/NAME is a real folder, move it aside (REPO/.aside-N) and put a symlink to
#     TARGET in its place.
# It drops to UID:GID first (the owner, not root), prints "ready", and stops by itself after
# SECONDS (or on SIGTERM); it then prints how many swaps it made.
import ctypes
import os
import random
import signal
import stat
import sys
import time

mode, repo, name, target = sys.argv[1:5]
uid, gid, seconds = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
# exchange: at most this many idle loops with the link in place, and with the folder back
link_spin, dir_spin = (int(sys.argv[8]), int(sys.argv[9])) if len(sys.argv) > 9 else (300, 3000)

os.setgroups([])
os.setgid(gid)
os.setuid(uid)

libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_EXCHANGE = 2
renameat2 = libc.renameat2
renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]

stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
path = os.path.join(repo, name).encode()
link = os.path.join(repo, '.swap-link').encode()
swaps = 0
deadline = time.monotonic() + seconds
print('ready', flush=True)

if mode == 'exchange':
    if not os.path.lexists(link):
        os.symlink(target, link)
    while not stop and time.monotonic() < deadline:
        if renameat2(AT_FDCWD, path, AT_FDCWD, link, RENAME_EXCHANGE) != 0:
            continue  # the folder is not there yet
        swaps += 1
        for _ in range(random.randint(0, link_spin)):
            pass
        renameat2(AT_FDCWD, path, AT_FDCWD, link, RENAME_EXCHANGE)
        for _ in range(random.randint(0, dir_spin)):
            pass
elif mode == 'aside':
    n = 0
    while not stop and time.monotonic() < deadline:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            continue
        n += 1
        try:
            os.rename(path, os.path.join(repo, f'.aside-{n}').encode())
            os.symlink(target, path)
            swaps += 1
        except OSError:
            pass
else:
    sys.exit(f'unknown mode {mode}')
print(f'swaps {swaps}', flush=True)
