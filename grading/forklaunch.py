"""The "kernel process" jupyter_client starts for a forked kernel: ``python -m grading.forklaunch``.

Uses the standard library only, so it starts in a few milliseconds
(:class:`grading.forkkernel.ForkKernelManager` starts it; :mod:`grading.forkserver` forks the
kernel). It asks the fork server for a kernel (handing over this process's stdin/stdout/stderr, working
folder, environment and arguments), forwards the signals jupyter_client sends (an interrupt is
SIGINT) to that kernel, and exits when the kernel exits, with its exit status.
"""
import json
import os
import signal
import socket
import struct
import sys

SERVER_ENV = "DL2_FORK_SERVER"  # the fork server's socket, set in the kernel spec's environment


def forward_signals(pid):
    """From now on, the signals jupyter_client sends (an interrupt is SIGINT) go on to ``pid``."""
    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT,
                   signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signum, forward)


def main():
    path = os.environ.get(SERVER_ENV)
    if not path:
        sys.exit(f"forklaunch: {SERVER_ENV} is not set; start kernels through "
                 "grading.forkkernel.ForkKernelManager")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as err:
        sys.exit(f"forklaunch: cannot reach the fork server at {path} ({err})")
    request = json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd(),
                          "env": dict(os.environ)}).encode()
    # the request's length (forkserver.HEADER, "!Q"), sent with our three standard streams
    socket.send_fds(sock, [struct.pack("!Q", len(request))], [0, 1, 2])
    sock.sendall(request)
    replies = sock.makefile("rb")
    line = replies.readline()
    if not line.strip().isdigit():
        sys.exit("forklaunch: the fork server did not start a kernel")
    forward_signals(int(line))
    line = replies.readline()  # "exit <code>" when the kernel ends; EOF if the server died
    code = int(line.split()[1]) if line.startswith(b"exit ") else 1
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
