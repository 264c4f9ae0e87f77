/*
 * slipway-probe: the readiness probe of a Slipway image, for images with no shell and no curl.
 * The image's HEALTHCHECK runs it (Docker, Podman, Docker Swarm's rolling updates); it needs
 * nothing but glibc, which every Slipway image carries for its Java runtime.
 *
 * Usage: slipway-probe http PATH [SECONDS]
 *        slipway-probe tcp [SECONDS]
 *        slipway-probe grpc SERVICE [SECONDS]
 *   http  GET PATH (HTTP/1.0, "Connection: close") and pass on a 2xx status (Kubernetes' httpGet)
 *   tcp   pass when the port accepts a connection (Kubernetes' tcpSocket)
 *   grpc  call grpc.health.v1.Health/Check for SERVICE ("" for the whole server) over cleartext
 *         HTTP/2 (RFC 9113 section 3.3, prior knowledge) and pass when it answers SERVING
 *         (Kubernetes' grpc probe; the same request as Slipway's own gate, remote/Gate.java)
 *   SECONDS  the whole attempt's deadline (default 5), whole seconds 1..3600
 *
 * Where: the container's own PORT and ADDR variables (the image sets them; "docker run -e PORT=..."
 * changes both the service and its probe). ADDR 0.0.0.0, :: or unset means 127.0.0.1; ADDR must be
 * a numeric IPv4 or IPv6 address (no name lookup, so no NSS files are needed).
 *
 * Exits 0 when the check passes, 1 when it fails (one line on stderr: Docker keeps it in the
 * container's health log), 2 for bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what, const char *detail) {
    fprintf(stderr, "slipway-probe: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    return 1;
}

static int usage(void) {
    fputs("usage: slipway-probe http PATH [SECONDS] | slipway-probe tcp [SECONDS]"
          " | slipway-probe grpc SERVICE [SECONDS]\n", stderr);
    return 2;
}

/* Sends (sending != 0) or reads exactly n bytes; 0 when all went, -1 at the end of the stream or on an error. */
static int transfer(int fd, unsigned char *buf, size_t n, int sending) {
    for (size_t done = 0; done < n;) {
        ssize_t r = sending ? write(fd, buf + done, n - done) : read(fd, buf + done, n - done);
        if (r <= 0) {
            return -1;
        }
        done += (size_t) r;
    }
    return 0;
}

/* An HTTP/2 frame header (RFC 9113 section 4.1): 24-bit length, type, flags, 31-bit stream id. */
static size_t frame_header(unsigned char *p, size_t length, int type, int flags, unsigned stream) {
    p[0] = (unsigned char) (length >> 16); p[1] = (unsigned char) (length >> 8); p[2] = (unsigned char) length;
    p[3] = (unsigned char) type; p[4] = (unsigned char) flags;
    p[5] = (unsigned char) (stream >> 24); p[6] = (unsigned char) (stream >> 16);
    p[7] = (unsigned char) (stream >> 8); p[8] = (unsigned char) stream;
    return 9;
}

/* An HPACK string literal without Huffman coding (RFC 7541 section 5.2), under 127 bytes. */
static size_t hpack_string(unsigned char *p, const char *s) {
    size_t n = strlen(s);
    p[0] = (unsigned char) n;
    memcpy(p + 1, s, n);
    return n + 1;
}

/*
 * The gRPC health check on a connected socket: the client preface, an empty SETTINGS frame,
 * POST /grpc.health.v1.Health/Check on stream 1 (HPACK literals; content-type application/grpc,
 * te trailers, per gRPC's PROTOCOL-HTTP2.md) and a DATA frame with the HealthCheckRequest (a
 * 5-byte length prefix, then field 1, the service name). Passes when the HealthCheckResponse's
 * field 1 is 1 (SERVING); an empty response is UNKNOWN (proto3's default).
 */
static int grpc_check(int fd, const char *addr, long port, const char *service) {
    static const char *statuses[] = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
    unsigned char req[1024];
    size_t n = 0;
    memcpy(req, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
    n = 24;
    n += frame_header(req + n, 0, 0x4, 0, 0);
    char authority[80];
    snprintf(authority, sizeof authority, strchr(addr, ':') ? "[%s]:%ld" : "%s:%ld", addr, port);
    size_t at = n;
    n += 9;
    req[n++] = 0x83; /* :method POST, static table index 3 */
    req[n++] = 0x86; /* :scheme http, index 6 */
    req[n++] = 0x04; /* :path, name from index 4 */
    n += hpack_string(req + n, "/grpc.health.v1.Health/Check");
    req[n++] = 0x01; /* :authority, index 1 */
    n += hpack_string(req + n, authority);
    req[n++] = 0x00;
    n += hpack_string(req + n, "content-type");
    n += hpack_string(req + n, "application/grpc");
    req[n++] = 0x00;
    n += hpack_string(req + n, "te");
    n += hpack_string(req + n, "trailers");
    frame_header(req + at, n - at - 9, 0x1, 0x4, 1); /* HEADERS, END_HEADERS */
    size_t sl = strlen(service);
    size_t ml = sl ? sl + 2 : 0;
    n += frame_header(req + n, 5 + ml, 0x0, 0x1, 1); /* DATA, END_STREAM */
    req[n++] = 0; req[n++] = 0; req[n++] = 0; req[n++] = 0; req[n++] = (unsigned char) ml;
    if (sl) {
        req[n++] = 0x0a; /* field 1, length-delimited */
        req[n++] = (unsigned char) sl;
        memcpy(req + n, service, sl);
        n += sl;
    }
    if (transfer(fd, req, n, 1) != 0) {
        return fail("cannot send the gRPC health check", strerror(errno));
    }
    /* No SETTINGS of ours raise SETTINGS_MAX_FRAME_SIZE: the server's frames are at most 16384 bytes. */
    static unsigned char payload[16384];
    int health = -1;
    for (int frames = 0; frames < 64; frames++) {
        unsigned char h[9];
        if (transfer(fd, h, 9, 0) != 0) {
            break;
        }
        size_t length = ((size_t) h[0] << 16) | ((size_t) h[1] << 8) | h[2];
        int type = h[3], flags = h[4];
        unsigned stream = (((unsigned) h[5] & 0x7f) << 24) | ((unsigned) h[6] << 16) | ((unsigned) h[7] << 8) | h[8];
        if (length > sizeof payload || transfer(fd, payload, length, 0) != 0) {
            break;
        }
        if (type == 0x7) {
            return fail("no gRPC answer", "GOAWAY");
        }
        if (type == 0x4 && !(flags & 0x1)) {
            unsigned char ack[9];
            frame_header(ack, 0, 0x4, 0x1, 0);
            transfer(fd, ack, 9, 1);
        }
        if (stream != 1) {
            continue;
        }
        if (type == 0x3) {
            return fail("no gRPC answer", "RST_STREAM");
        }
        if (type == 0x0 && health < 0) {
            size_t from = (flags & 0x8) && length > 0 ? 1 : 0;
            health = 0;
            for (size_t i = from + 5; i + 1 < length; i++) {
                if (payload[i] == 0x08) {
                    health = payload[i + 1] & 0x7f;
                    break;
                }
            }
        }
        if (type == 0x1 && (flags & 0x1)) {
            break; /* trailers: the call is over */
        }
    }
    if (health == 1) {
        return 0;
    }
    if (health < 0) {
        return fail("not ready", "the gRPC call ended without a health status (no grpc.health.v1 service, or it does not know this service)");
    }
    return fail("not ready: gRPC health status", health < 4 ? statuses[health] : "out of range");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        return usage();
    }
    int http = strcmp(argv[1], "http") == 0;
    int grpc = strcmp(argv[1], "grpc") == 0;
    if (!http && !grpc && strcmp(argv[1], "tcp") != 0) {
        return usage();
    }
    if (http && (argc < 3 || argv[2][0] != '/')) {
        return usage();
    }
    if (grpc && (argc < 3 || strlen(argv[2]) > 120)) {
        return usage();
    }
    int next = http || grpc ? 3 : 2;
    long seconds = 5;
    if (argc > next) {
        char *end;
        seconds = strtol(argv[next], &end, 10);
        if (*end != '\0' || seconds < 1 || seconds > 3600 || argc > next + 1) {
            return usage();
        }
    }
    /* The deadline of the whole attempt: SIGALRM's default action ends the process (exit by signal,
     * which Docker counts as a failed check). */
    alarm((unsigned) seconds);

    const char *port_text = getenv("PORT");
    char *end;
    long port = port_text ? strtol(port_text, &end, 10) : -1;
    if (!port_text || *end != '\0' || port < 1 || port > 65535) {
        return fail("PORT is not a port number", port_text ? port_text : "(unset)");
    }
    const char *addr = getenv("ADDR");
    if (!addr || !*addr || strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0) {
        addr = "127.0.0.1";
    }
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *) &ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *) &ss;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((unsigned short) port);
        len = sizeof *v4;
    } else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((unsigned short) port);
        len = sizeof *v6;
    } else {
        return fail("ADDR is not a numeric address", addr);
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &ss, len) != 0) {
        return fail("cannot connect", strerror(errno));
    }
    if (grpc) {
        int rc = grpc_check(fd, addr, port, argv[2]);
        close(fd);
        return rc;
    }
    if (!http) {
        close(fd);
        return 0;
    }
    char request[2048];
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: slipway-probe\r\n"
                     "Connection: close\r\n\r\n", argv[2], addr);
    if (n < 0 || (size_t) n >= sizeof request) {
        return fail("the path is too long", NULL);
    }
    for (int sent = 0; sent < n;) {
        ssize_t w = write(fd, request + sent, (size_t) (n - sent));
        if (w <= 0) {
            return fail("cannot send the request", strerror(errno));
        }
        sent += (int) w;
    }
    /* The status line: "HTTP/1.x NNN ..." within the first bytes. */
    char status[64];
    size_t got = 0;
    while (got < sizeof status - 1) {
        ssize_t r = read(fd, status + got, sizeof status - 1 - got);
        if (r <= 0) {
            break;
        }
        got += (size_t) r;
        if (memchr(status, '\n', got)) {
            break;
        }
    }
    close(fd);
    status[got] = '\0';
    char *nl = strpbrk(status, "\r\n");
    if (nl) {
        *nl = '\0';
    }
    if (got < 12 || strncmp(status, "HTTP/1.", 7) != 0) {
        return fail("no HTTP answer", got ? status : "(empty)");
    }
    if (status[9] != '2') {
        return fail("not ready", status);
    }
    return 0;
}
