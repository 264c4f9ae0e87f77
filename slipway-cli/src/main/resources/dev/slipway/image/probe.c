/*
 * slipway-probe: the readiness probe of a Slipway image, for images with no shell and no curl.
 * The image's HEALTHCHECK runs it (Docker, Podman, Docker Swarm's rolling updates); it needs
 * nothing but glibc, which every Slipway image carries for its Java runtime.
 *
 * Usage: slipway-probe http PATH [SECONDS]
 *        slipway-probe tcp [SECONDS]
 *   http  GET PATH (HTTP/1.0, "Connection: close") and pass on a 2xx status (Kubernetes' httpGet)
 *   tcp   pass when the port accepts a connection (Kubernetes' tcpSocket)
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
    fputs("usage: slipway-probe http PATH [SECONDS] | slipway-probe tcp [SECONDS]\n", stderr);
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        return usage();
    }
    int http = strcmp(argv[1], "http") == 0;
    if (!http && strcmp(argv[1], "tcp") != 0) {
        return usage();
    }
    if (http && (argc < 3 || argv[2][0] != '/')) {
        return usage();
    }
    int next = http ? 3 : 2;
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
