"""A kernel launcher that hangs the first time: ``silent_first_start.py MARKER -f CONNECTION``.

The first launch (``MARKER`` absent) creates ``MARKER`` and then stays alive without ever
answering, like a kernel that hangs while it starts; later launches are a normal ipykernel.
"""
import os
import sys
import time

marker, *kernel_args = sys.argv[1:]
if not os.path.exists(marker):
    open(marker, "w").close()
    while True:
        time.sleep(60)
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *kernel_args])
