# Runs a command in a pseudo-terminal and relays it: the terminal's output to our stdout, our stdin to
# the terminal, as a person at a keyboard would type. Exits with the command's exit code. Used by
# test/helpers/pty.ts (node-pty is not installed; python3's pty module is on every machine we use).
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import fcntl
import termios

def main() -> int:
    argv = sys.argv[1:]
    master, slave = pty.openpty()
    # A roomy terminal by default, so that prompts and tables do not wrap; PTY_COLUMNS sets another width.
    columns = int(os.environ.pop('PTY_COLUMNS', '160'))
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 50, columns, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True, close_fds=True)
    os.close(slave)
    stdin_open = True
    while True:
        watch = [master] + ([0] if stdin_open else [])
        try:
            ready, _, _ = select.select(watch, [], [], 0.2)
        except InterruptedError:
            continue
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b''
            if not data:
                break
            os.write(1, data)
        if 0 in ready:
            data = os.read(0, 65536)
            if not data:
                stdin_open = False
            else:
                os.write(master, data)
        if not ready and proc.poll() is not None:
            # Drain what is left, then stop.
            try:
                while True:
                    r, _, _ = select.select([master], [], [], 0.05)
                    if not r:
                        break
                    data = os.read(master, 65536)
                    if not data:
                        break
                    os.write(1, data)
            except OSError:
                pass
            break
    code = proc.wait()
    return code if code >= 0 else 128 - code

if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
