/*
 * slipway-start: the entrypoint of a Slipway image, which has no shell. It expands the per-instance
 * references of slipway.yaml, ${PORT} and ${ADDR}, from the container's own PORT and ADDR variables
 * when the container starts, then executes the program in its place (java stays PID 1 and receives
 * the stop signal itself). So a container started with another PORT (a Swarm task with its own
 * port, "docker run -e PORT=9000", a pod) gets that port in its environment values, JVM options
 * and program arguments alike, as the single file's launcher does for its own options.
 *
 * Usage: slipway-start [-e NAME]... [-a FILE] -- PROGRAM [ARG]...
 *   -e NAME  the variable NAME (one that service.env or image.env gives a reference) gets its
 *            references expanded, whatever set its value (the image, or the container's runtime)
 *   -a FILE  arguments read from FILE, each ended by a NUL byte, inserted after PROGRAM (the
 *            Dockerfile of "slipway render dockerfile" keeps the java command line there)
 *   PROGRAM  an absolute path, executed with every ARG (the entrypoint's, then any the container
 *            is started with), each expanded
 *
 * Expansion: "${PORT}" becomes $PORT and "${ADDR}" becomes $ADDR, wherever they appear, each
 * argument or value staying one word (nothing is split or expanded again). Any other "$" text is
 * left as written. ${APP_HOME} is the image's fixed /opt/NAME and was expanded when the image was
 * built. A reference to PORT or ADDR while that variable is unset is an error.
 *
 * Exits 2 for bad usage, 1 when a variable a reference needs is unset, FILE cannot be read or
 * PROGRAM cannot be executed (one line on stderr); else it is PROGRAM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char PORT_REF[] = "${PORT}";
static const char ADDR_REF[] = "${ADDR}";

static int usage(void) {
    fputs("usage: slipway-start [-e NAME]... [-a FILE] -- PROGRAM [ARG]...\n", stderr);
    return 2;
}

static void fail(const char *what, const char *detail) {
    fprintf(stderr, "slipway-start: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

/* The value of PORT or ADDR for a reference in `where`; exits when the variable is unset. */
static const char *value_of(const char *name, const char *where) {
    const char *v = getenv(name);
    if (!v) {
        fprintf(stderr, "slipway-start: ${%s} in '%s' but %s is not set\n", name, where, name);
        exit(1);
    }
    return v;
}

/* `text` with every ${PORT} and ${ADDR} replaced; `text` itself when it holds none. */
static char *expand(char *text) {
    if (!strstr(text, PORT_REF) && !strstr(text, ADDR_REF)) {
        return text;
    }
    size_t size = 1;
    for (const char *p = text; *p;) {
        if (strncmp(p, PORT_REF, sizeof PORT_REF - 1) == 0) {
            size += strlen(value_of("PORT", text));
            p += sizeof PORT_REF - 1;
        } else if (strncmp(p, ADDR_REF, sizeof ADDR_REF - 1) == 0) {
            size += strlen(value_of("ADDR", text));
            p += sizeof ADDR_REF - 1;
        } else {
            size++;
            p++;
        }
    }
    char *out = malloc(size);
    if (!out) {
        fail("out of memory", NULL);
    }
    char *o = out;
    for (const char *p = text; *p;) {
        const char *v = NULL;
        if (strncmp(p, PORT_REF, sizeof PORT_REF - 1) == 0) {
            v = getenv("PORT");
            p += sizeof PORT_REF - 1;
        } else if (strncmp(p, ADDR_REF, sizeof ADDR_REF - 1) == 0) {
            v = getenv("ADDR");
            p += sizeof ADDR_REF - 1;
        }
        if (v) {
            size_t n = strlen(v);
            memcpy(o, v, n);
            o += n;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

/* The NUL-ended strings of a file, in order; their count in *count. */
static char **read_args(const char *path, size_t *count) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(path, strerror(errno));
    }
    size_t cap = 1 << 16, len = 0;
    char *data = malloc(cap);
    for (size_t r; data && (r = fread(data + len, 1, cap - len, f)) > 0;) {
        len += r;
        if (len == cap) {
            cap *= 2;
            data = realloc(data, cap);
        }
    }
    if (!data || ferror(f)) {
        fail(path, data ? "read error" : "out of memory");
    }
    fclose(f);
    if (len > 0 && data[len - 1] != '\0') {
        fail(path, "the last argument does not end with a NUL byte");
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        n += data[i] == '\0';
    }
    char **out = malloc((n + 1) * sizeof *out);
    if (!out) {
        fail("out of memory", NULL);
    }
    for (size_t i = 0, k = 0; i < len; i += strlen(data + i) + 1) {
        out[k++] = data + i;
    }
    *count = n;
    return out;
}

int main(int argc, char **argv) {
    const char *file = NULL;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (i + 1 >= argc) {
            return usage();
        }
        if (strcmp(argv[i], "-e") == 0) {
            const char *value = getenv(argv[++i]);
            if (value) {
                char *expanded = expand((char *) value);
                if (expanded != value && setenv(argv[i], expanded, 1) != 0) {
                    fail("cannot set", argv[i]);
                }
            }
        } else if (strcmp(argv[i], "-a") == 0 && !file) {
            file = argv[++i];
        } else {
            return usage();
        }
    }
    if (i + 1 >= argc || argv[i + 1][0] != '/') {
        return usage();
    }
    char *program = argv[i + 1];
    int rest = argc - (i + 2);
    size_t inserted = 0;
    char **from_file = file ? read_args(file, &inserted) : NULL;
    char **args = malloc((inserted + (size_t) rest + 2) * sizeof *args);
    if (!args) {
        fail("out of memory", NULL);
    }
    size_t n = 0;
    args[n++] = program;
    for (size_t k = 0; k < inserted; k++) {
        args[n++] = expand(from_file[k]);
    }
    for (int k = 0; k < rest; k++) {
        args[n++] = expand(argv[i + 2 + k]);
    }
    args[n] = NULL;
    execv(program, args);
    fail(program, strerror(errno));
    return 1;
}
