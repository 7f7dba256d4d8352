# A TLS byte pipe under MicroPython (OpenWrt's micropython-mbedtls: the `ussl` or `tls` module
# on mbedtls), for build/trial-tls-clients.ts and docs/budgets.md. Not shipped, not tested: a trial
# of what a MicroPython transport would cost. Tried under MicroPython 1.20 (OpenWrt 23.05, there
# on mbedtls 2.28) and 1.23 (24.10 and 25.12; here with its own mbedtls 3.5.1).
#   micropython trial-tls-pipe.py HOST PORT NAME CAFILE [CERTFILE KEYFILE]
# Connects to HOST:PORT, verifies the broker's certificate against CAFILE (the only trust anchor)
# and NAME (mbedtls checks it against the certificate's names; SNI carries it), then copies stdin
# to the connection and the connection to stdout until either ends.
import usys as sys
import usocket as socket
import uselect as select
import ffi

try:
    import tls  # 1.21 and later: SSLContext
except ImportError:
    tls = None
    import ussl  # 1.20 and earlier: wrap_socket


def fail(what, error):
    sys.stderr.write("tls-pipe: %s: %s\n" % (what, error))
    sys.exit(1)


def slurp(path):
    with open(path, "rb") as f:
        return f.read()


if len(sys.argv) not in (5, 7):
    fail("usage", "HOST PORT NAME CAFILE [CERTFILE KEYFILE]")
host, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cadata = slurp(sys.argv[4])
cert_key = (slurp(sys.argv[5]), slurp(sys.argv[6])) if len(sys.argv) == 7 else None


def wrap(sock):
    if tls is None:
        options = {"server_hostname": name, "cert_reqs": ussl.CERT_REQUIRED, "cadata": cadata}
        if cert_key:
            options["cert"], options["key"] = cert_key
        return ussl.wrap_socket(sock, **options)
    context = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    context.verify_mode = tls.CERT_REQUIRED
    context.load_verify_locations(cadata)
    if cert_key:
        context.load_cert_chain(*cert_key)
    return context.wrap_socket(sock, server_hostname=name)

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
    conn = wrap(sock)
except (OSError, ValueError) as e:
    # 1.20 reports mbedtls -9984 (MBEDTLS_ERR_X509_CERT_VERIFY_FAILED); 1.23 mbedtls's reasons
    why = " ".join(str(e).split())
    verify = "-9984" in why or "certificate" in why.lower()
    fail("certificate verify failed" if verify else "handshake", why)
conn.setblocking(False)

poller = select.poll()
poller.register(0, select.POLLIN)
poller.register(conn, select.POLLIN)
buf = bytearray(4096)


def send(data):
    view = memoryview(data)
    while len(view):
        n = conn.write(view)
        if n is None:  # would block: wait until the socket takes more
            writable = select.poll()
            writable.register(conn, select.POLLOUT)
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
                conn.close()
                sys.exit(0)
            send(buf[:n])
        else:
            data = conn.read(4096)  # non-blocking: whatever mbedtls has decrypted
            if data is None:
                continue
            if not data:  # the broker closed the connection
                sys.exit(0)
            emit(data)
