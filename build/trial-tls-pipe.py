# A TLS byte pipe under MicroPython (OpenWrt's micropython-mbedtls: the `ussl` module on
# mbedtls), for build/trial-tls-clients.ts and docs/budgets.md. Not shipped, not tested: a trial
# of what a MicroPython transport would cost. Written against MicroPython 1.20 (OpenWrt 23.05).
#   micropython trial-tls-pipe.py HOST PORT NAME CAFILE [CERTFILE KEYFILE]
# Connects to HOST:PORT, verifies the broker's certificate against CAFILE (the only trust anchor)
# and NAME (mbedtls checks it against the certificate's names; SNI carries it), then copies stdin
# to the connection and the connection to stdout until either ends.
import usys as sys
import usocket as socket
import uselect as select
import ffi

try:
    import ssl
except ImportError:
    import ussl as ssl


def fail(what, error):
    sys.stderr.write("tls-pipe: %s: %s\n" % (what, error))
    sys.exit(1)


def slurp(path):
    with open(path, "rb") as f:
        return f.read()


if len(sys.argv) not in (5, 7):
    fail("usage", "HOST PORT NAME CAFILE [CERTFILE KEYFILE]")
host, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
options = {"server_hostname": name, "cert_reqs": ssl.CERT_REQUIRED, "cadata": slurp(sys.argv[4])}
if len(sys.argv) == 7:
    options["cert"] = slurp(sys.argv[5])
    options["key"] = slurp(sys.argv[6])

# The unix port's stdin/stdout objects buffer and read until full: use read(2)/write(2).
try:
    libc = ffi.open("libc.so.6")  # glibc
except OSError:
    libc = ffi.open("libc.so")  # musl (OpenWrt)
c_read = libc.func("i", "read", "ipi")
c_write = libc.func("i", "write", "ipi")

sock = None
for family, kind, proto, _, address in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
    try:
        sock = socket.socket(family, kind, proto)
        sock.connect(address)
        break
    except OSError as e:
        sock, error = None, e
if sock is None:
    fail("connect", error)
try:
    tls = ssl.wrap_socket(sock, **options)
except (OSError, ValueError) as e:
    # mbedtls -9984 is MBEDTLS_ERR_X509_CERT_VERIFY_FAILED
    fail("certificate verify failed" if "-9984" in str(e) else "handshake", e)
tls.setblocking(False)

poller = select.poll()
poller.register(0, select.POLLIN)
poller.register(tls, select.POLLIN)
buf = bytearray(4096)


def send(data):
    view = memoryview(data)
    while len(view):
        n = tls.write(view)
        if n is None:  # would block: wait until the socket takes more
            writable = select.poll()
            writable.register(tls, select.POLLOUT)
            writable.poll(1000)
            continue
        view = view[n:]


def emit(data):
    view = memoryview(data)
    while len(view):
        n = c_write(1, view, len(view))
        if n <= 0:
            sys.exit(1)
        view = view[n:]


while True:
    for obj, _ in poller.poll():
        if obj == 0:
            n = c_read(0, buf, len(buf))
            if n <= 0:  # the agent closed our stdin (or exited): end the connection
                tls.close()
                sys.exit(0)
            send(buf[:n])
        else:
            data = tls.read(4096)  # non-blocking: whatever mbedtls has decrypted
            if data is None:
                continue
            if not data:  # the broker closed the connection
                sys.exit(0)
            emit(data)
