"""PID 1's end of the sd_notify protocol, for tests: binds an AF_UNIX datagram
socket (Node cannot), prints every message as a JSON line and closes the file
descriptors a BARRIER=1 message carries, which is what releases a blocking
systemd-notify (systemd-notify(1)). Stops by itself after `lifetime` seconds
or when its standard input closes.

usage: notify_socket.py <socket path> <lifetime seconds>
"""
import array
import json
import os
import select
import socket
import sys
import time

path, lifetime = sys.argv[1], float(sys.argv[2])
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print(json.dumps({"listening": path}), flush=True)
deadline = time.monotonic() + lifetime
while time.monotonic() < deadline:
    readable, _, _ = select.select([sock, sys.stdin], [], [], 0.5)
    if sys.stdin in readable and not sys.stdin.readline():
        break
    if sock not in readable:
        continue
    data, ancillary, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(16 * 4) + socket.CMSG_SPACE(12))
    fds, pid = [], None
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            numbers = array.array("i")
            numbers.frombytes(payload[: len(payload) - len(payload) % numbers.itemsize])
            fds.extend(numbers)
        elif level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = array.array("i", payload[:12])[0]
    for fd in fds:
        os.close(fd)
    print(json.dumps({"message": data.decode("utf-8", "replace"), "pid": pid, "atMs": int(time.time() * 1000)}), flush=True)
os.unlink(path)
