package dev.slipway.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** This machine as a {@link Host}: commands run with {@code sh -c}, files are copied and renamed. */
public final class LocalHost implements Host {
    private final String name;

    /** @param name how reports name this host, e.g. {@code localhost} */
    public LocalHost(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CommandResult run(String command, Duration timeout) {
        return run(command, timeout, null, false);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here each line is handed on as the command prints it, and the command is started through
     * {@link dev.slipway.util.Children}: it and its descendants die with Slipway, even by
     * {@code kill -9} (a prepare's unpacker and class-data dump must not outlive the deploy).
     */
    @Override
    public CommandResult run(String command, Duration timeout, java.util.function.Consumer<String> lines) {
        return run(command, timeout, lines, true);
    }

    private CommandResult run(String command, Duration timeout, java.util.function.Consumer<String> lines, boolean tied) {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process p = tied ? dev.slipway.util.Children.start(pb) : pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread o = lines == null ? pump(p.getInputStream(), out) : pumpLines(p.getInputStream(), out, lines);
            Thread e = pump(p.getErrorStream(), err);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new HostException(name + ": command ran longer than " + timeout.toMillis() + " ms: " + command, null);
            }
            o.join(5_000);
            e.join(5_000);
            return new CommandResult(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException ex) {
            throw new HostException(name + ": cannot run sh: " + ex.getMessage(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new HostException(name + ": interrupted", ex);
        }
    }

    /** Copies {@code in} to {@code sink} line by line, telling {@code lines} of each, on a daemon thread. */
    private static Thread pumpLines(InputStream in, ByteArrayOutputStream sink, java.util.function.Consumer<String> lines) {
        Thread t = new Thread(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (sink) {
                        sink.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                    lines.accept(line);
                }
            } catch (IOException e) {
                // the process ended; its exit code tells
            }
        }, "slipway-local-lines");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void upload(Path local, String remotePath, int mode, Progress progress) {
        replace(remotePath, mode, tmp -> {
            long size = Files.size(local);
            // Into the file replace() made owner-only: Files.copy would make a new one with the umask's mode.
            try (java.io.InputStream in = Files.newInputStream(local);
                 java.io.OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
            }
            progress.update(size, size);
        });
    }

    @Override
    public void write(byte[] content, String remotePath, int mode) {
        replace(remotePath, mode, tmp -> Files.write(tmp, content));
    }

    /**
     * Fills a temporary file beside {@code remotePath}, sets its mode, and renames it into place.
     * The temporary file is created readable by its owner only, so a secret (an env file, mode
     * 0600) is never readable by others while it is written, whatever the umask.
     */
    private void replace(String remotePath, int mode, Fill fill) {
        Path target = Path.of(remotePath);
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    permissions((mode & 0700) | 0600)));
            fill.into(tmp);
            Files.setPosixFilePermissions(tmp, permissions(mode));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new HostException(name + ": cannot write " + remotePath + ": " + e.getMessage(), e);
        }
    }

    /** Writes the content of a file about to be renamed into place. */
    @FunctionalInterface
    private interface Fill {
        void into(Path tmp) throws IOException;
    }

    @Override
    public void close() {
    }

    /**
     * @param mode POSIX permission bits, e.g. {@code 0640}
     * @return the same bits as a permission set
     */
    static Set<PosixFilePermission> permissions(int mode) {
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the temp name never shadows the target
        }
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream out) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "localhost-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
