#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run QMP commands on a QEMU monitor socket and print each result as JSON.

    qmp.py SOCKET COMMAND [COMMAND...]

A COMMAND is a name ("query-pv-sim-violations") or a name and JSON
arguments ("name {...}"). Exit 1 with the error's description on stderr if
QEMU answers a command with an error, 2 on usage or connection errors.
Waits up to 30 s for the socket to appear (QEMU is starting)."""
import json
import socket
import sys
import time


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path = sys.argv[1]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + 30
    while True:
        try:
            sock.connect(path)
            break
        except OSError as err:
            if time.monotonic() > deadline:
                print(f"qmp.py: {path}: {err}", file=sys.stderr)
                return 2
            time.sleep(0.2)
    stream = sock.makefile("rw")

    def reply():
        while True:
            line = stream.readline()
            if not line:
                raise EOFError("QEMU closed the monitor")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    reply()  # greeting
    stream.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
    stream.flush()
    reply()
    for cmd in sys.argv[2:]:
        name, _, args = cmd.partition(" ")
        req = {"execute": name}
        if args.strip():
            req["arguments"] = json.loads(args)
        stream.write(json.dumps(req) + "\n")
        stream.flush()
        msg = reply()
        if "error" in msg:
            print(f"qmp.py: {name}: {msg['error'].get('desc')}", file=sys.stderr)
            return 1
        print(json.dumps(msg.get("return"), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
