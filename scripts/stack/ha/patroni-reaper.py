"""Runs Patroni as a child and reaps every orphan below it.

Patroni starts the postmaster the way pg_ctl does, through a helper that exits at once, so the
postmaster's parent becomes the machine's init. Where that init never reaps (a container, a VM
agent), a postmaster that exits stays a zombie; Patroni, which waits for it with psutil, takes a
zombie for a live server and hangs on a stop or a demotion. Marked as a child subreaper, this
process becomes the postmaster's parent instead, and reaps it. (Patroni does this itself only
when it is PID 1.) Signals that stop or reconfigure Patroni are passed on to it.

Usage: python3 patroni-reaper.py <patroni binary> <patroni.yml>
"""

import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.stderr.write('patroni-reaper: prctl(PR_SET_CHILD_SUBREAPER) failed\n')

    child = os.fork()
    if child == 0:
        os.execvp(sys.argv[1], sys.argv[1:])

    def forward(signo, _frame):
        try:
            os.kill(child, signo)
        except ProcessLookupError:
            pass

    for signo in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signo, forward)

    status = 0
    while True:
        try:
            pid, raw = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == child:
            # This process lives exactly as long as Patroni, so its pid stands for Patroni's. A
            # postmaster Patroni left running (Patroni was killed) goes to init; a Patroni started
            # again adopts it from postmaster.pid.
            status = os.waitstatus_to_exitcode(raw)
            break
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == '__main__':
    main()
