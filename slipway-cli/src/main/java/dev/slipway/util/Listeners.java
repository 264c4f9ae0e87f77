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
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(p), "fd"))) {
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
        }
        Set<Integer> ports = new TreeSet<>();
        if (inodes.isEmpty()) {
            return ports;
        }
        for (String table : List.of("tcp", "tcp6")) {
            try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "net", table))) {
                lines.skip(1).forEach(line -> {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                    if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
                        String local = f[1];
                        ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
                    }
                });
            } catch (IOException | RuntimeException e) {
                // no such table (no IPv6) or not readable
            }
        }
        return ports;
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
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            try (Stream<String> lines = Files.lines(Path.of("/proc/net", table))) {
                lines.skip(1).forEach(line -> {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[3].equals("0A") && !f[9].equals("0")) {
                        String local = f[1];
                        if (Integer.parseInt(local.substring(local.indexOf(':') + 1), 16) == port) {
                            inodes.add(f[9]);
                        }
                    }
                });
            } catch (IOException | RuntimeException e) {
                // no such table (no IPv6) or not readable
            }
        }
        if (inodes.isEmpty()) {
            return java.util.Optional.empty();
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            int scanned = 0;
            for (Path proc : procs) {
                if (++scanned > 100_000) {
                    break;
                }
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        String link;
                        try {
                            link = Files.readSymbolicLink(fd).toString();
                        } catch (IOException | UnsupportedOperationException gone) {
                            continue;
                        }
                        if (link.startsWith("socket:[") && inodes.contains(link.substring(8, link.length() - 1))) {
                            long pid = Long.parseLong(proc.getFileName().toString());
                            String cmd = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?");
                            return java.util.Optional.of("pid " + pid + " (" + (cmd.length() > 80 ? cmd.substring(0, 79)
                                    + "…" : cmd) + ")");
                        }
                    }
                } catch (IOException | SecurityException | NumberFormatException e) {
                    // gone, or not ours to read
                }
            }
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }
}
