package dev.slipway.util;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The TCP ports a process and its descendants listen on, read from Linux's {@code /proc}: the
 * socket inodes among each process's open files ({@code /proc/PID/fd/N -> socket:[INODE]}) matched
 * against the listening rows (state {@code 0A}, TCP_LISTEN) of {@code /proc/PID/net/tcp} and
 * {@code tcp6} (proc(5)). Used to tell a user whose service never answered on its {@code PORT}
 * where it listens instead. Best effort: on another OS, or for a process whose files cannot be
 * read, the answer is empty.
 */
public final class Listeners {
    private Listeners() {}

    /**
     * @param pid a process id
     * @return the ports (1-65535, ascending) that the process or a descendant listens on; empty
     *         when none or when {@code /proc} cannot tell
     */
    public static Set<Integer> ports(long pid) {
        List<Long> pids = new ArrayList<>(List.of(pid));
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        Set<String> inodes = new HashSet<>();
        for (long p : pids) {
            inodes.addAll(sockets(Path.of("/proc", Long.toString(p))));
        }
        Set<Integer> ports = new TreeSet<>();
        if (!inodes.isEmpty()) {
            listening(Path.of("/proc", Long.toString(pid), "net")).forEach((inode, port) -> {
                if (inodes.contains(inode)) {
                    ports.add(port);
                }
            });
        }
        return ports;
    }

    /**
     * Whether a running process (and its descendants) listens on no TCP port at all: a worker, a
     * scheduler or a queue consumer that serves nothing, or a server that has not bound its port yet.
     * Unlike an empty {@link #ports}, this is {@code false} when {@code /proc} cannot tell (the process
     * is gone or not ours to read).
     *
     * @param pid a process id
     * @return {@code true} when the process's open files can be read and none of its and its
     *         descendants' sockets listens
     */
    public static boolean listensOnNoPort(long pid) {
        Path fd = Path.of("/proc", Long.toString(pid), "fd");
        return Files.isDirectory(fd) && Files.isReadable(fd) && ports(pid).isEmpty();
    }

    /**
     * @param proc a process's {@code /proc/PID} directory
     * @return the inodes of the sockets among its open files ({@code fd/N -> socket:[INODE]});
     *         empty when it is gone or not ours to read
     */
    private static Set<String> sockets(Path proc) {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[") && link.endsWith("]")) {
                        inodes.add(link.substring(8, link.length() - 1));
                    }
                } catch (IOException | UnsupportedOperationException gone) {
                    // closed meanwhile
                }
            }
        } catch (IOException | SecurityException e) {
            // not Linux, gone, or not ours to read
        }
        return inodes;
    }

    /**
     * @param net a {@code /proc/net} directory (of the machine, or {@code /proc/PID/net})
     * @return socket inode to local port of every listening TCP socket (state {@code 0A}) in its
     *         {@code tcp} and {@code tcp6} tables; empty where a table is missing (no IPv6) or unreadable
     */
    private static java.util.Map<String, Integer> listening(Path net) {
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        for (String table : List.of("tcp", "tcp6")) {
            try (Stream<String> lines = Files.lines(net.resolve(table))) {
                lines.skip(1).forEach(line -> {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                    if (f.length > 9 && f[3].equals("0A") && !f[9].equals("0")) {
                        out.put(f[9], Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
                    }
                });
            } catch (IOException | RuntimeException e) {
                // no such table (no IPv6) or not readable
            }
        }
        return out;
    }

    /**
     * The hint for a readiness probe refused on the port Slipway gave the app while the app listens
     * on others: the usual cause is an app that ignores {@code PORT} (a framework's own port setting).
     *
     * @param pid  the app's process id
     * @param port the port Slipway gave it ({@code PORT})
     * @return {@code ", though it listens on port 8181, not on PORT 40123; ..."} when the process
     *         listens on ports that do not include {@code port}; else empty
     */
    public static String elsewhere(long pid, int port) {
        Set<Integer> ports = ports(pid);
        if (ports.isEmpty() || ports.contains(port)) {
            return "";
        }
        return ", though it listens on port" + (ports.size() == 1 ? " " : "s ")
                + ports.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                + ", not on PORT " + port + ": the app does not take the port Slipway gives it; map it in service.env"
                + " (the framework's port variable: \"${PORT}\") or make the app read PORT";
    }

    /**
     * The process that listens on a TCP port of this machine: the listening rows of
     * {@code /proc/net/tcp} and {@code tcp6} with that local port, then the process whose open
     * files hold one of their socket inodes (proc(5)). Best effort, as {@link #ports}: a process of
     * another user is found only when this one may read its {@code /proc/PID/fd} (root).
     *
     * @param port a TCP port, 1-65535
     * @return {@code "pid 1234 (java -jar other.jar)"}, the command line cut to 80 characters; empty
     *         when no readable process listens there
     */
    public static java.util.Optional<String> holder(int port) {
        return holderPid(port).stream().boxed().findFirst().map(Listeners::describe);
    }

    /**
     * Another process on a service's port: a readiness probe that connects to the port while the
     * service's own process (or a descendant) does not listen there reached someone else, such as a
     * process that took the port after Slipway checked it was free, while the service then failed
     * to bind it. Best effort, as {@link #holder}: empty when {@code /proc} cannot tell.
     *
     * @param pid  the service's process id (its descendants count as the service too)
     * @param port the port its probe connected to, 1-65535
     * @return {@code "pid 1234 (python3 -m http.server 8080)"} when a process that is neither
     *         {@code pid} nor a descendant of it listens on {@code port} and {@code pid}'s tree
     *         does not; else empty
     */
    public static java.util.Optional<String> other(long pid, int port) {
        if (ports(pid).contains(port)) {
            return java.util.Optional.empty();
        }
        java.util.OptionalLong holder = holderPid(port);
        if (holder.isEmpty() || holder.getAsLong() == pid || ProcessHandle.of(holder.getAsLong())
                .flatMap(ProcessHandle::parent).map(h -> descends(h, pid)).orElse(false)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(describe(holder.getAsLong()));
    }

    private static boolean descends(ProcessHandle h, long ancestor) {
        for (int depth = 0; h != null && depth < 64; depth++) {
            if (h.pid() == ancestor) {
                return true;
            }
            h = h.parent().orElse(null);
        }
        return false;
    }

    private static String describe(long pid) {
        String cmd = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?");
        return "pid " + pid + " (" + (cmd.length() > 80 ? cmd.substring(0, 79) + "…" : cmd) + ")";
    }

    /**
     * @param port a TCP port, 1-65535
     * @return the process whose open files hold a socket listening on {@code port} ({@link #holder});
     *         empty when none that this process may read
     */
    private static java.util.OptionalLong holderPid(int port) {
        Set<String> inodes = new HashSet<>();
        listening(Path.of("/proc/net")).forEach((inode, p) -> {
            if (p == port) {
                inodes.add(inode);
            }
        });
        if (inodes.isEmpty()) {
            return java.util.OptionalLong.empty();
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            int scanned = 0;
            for (Path proc : procs) {
                if (++scanned > 100_000) {
                    break;
                }
                if (sockets(proc).stream().anyMatch(inodes::contains)) {
                    return java.util.OptionalLong.of(Long.parseLong(proc.getFileName().toString()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
        return java.util.OptionalLong.empty();
    }
}
