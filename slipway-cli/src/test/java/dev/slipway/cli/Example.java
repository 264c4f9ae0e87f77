package dev.slipway.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;

/** Test fixtures: a copy of examples/myapp in a fresh git repository, and process helpers. */
final class Example {
    private Example() {}

    /** Copies examples/myapp (without build output and state) to {@code dest}. */
    static void copy(Path dest) throws IOException {
        Path example = Path.of(System.getProperty("slipway.repo", "..")).resolve("examples/myapp").toAbsolutePath().normalize();
        copyTree(example, dest, Set.of("target", "dist", ".slipway", "data"));
    }

    /** Makes {@code dir} a git repository with one commit (fixed time 2026-01-01T00:00:00Z); returns its id. */
    static String commit(Path dir) throws Exception {
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("Test", "test@slipway.invalid", java.time.Instant.parse("2026-01-01T00:00:00Z"),
                    java.time.ZoneOffset.UTC);
            return git.commit().setMessage("myapp for tests").setAuthor(who).setCommitter(who).setSign(false).call().getName();
        }
    }

    record Proc(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    static Process start(List<String> cmd, List<String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        for (String e : env) {
            int eq = e.indexOf('=');
            pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    /**
     * Starts myapp's single file as a service (PORT 0) with {@code -Xlog:class+load=info} and
     * returns the line of the first Logback class it loads (a dependency jar's, loaded as the app
     * configures its logging, before it listens), then stops it.
     *
     * @param exe the single file
     * @param env environment entries (NAME=value) besides PORT and JAVA_OPTS
     * @return the class load line, e.g. {@code [..][info][class,load] ch.qos.logback... source: shared objects file}
     * @throws AssertionError when no such line comes within 120 s
     */
    static String dependencyClassLoad(Path exe, List<String> env) throws Exception {
        List<String> all = new java.util.ArrayList<>(env);
        all.add("PORT=0");
        all.add("JAVA_OPTS=-Xlog:class+load=info");
        Process p = start(List.of(exe.toString()), all);
        try {
            var lines = new java.util.concurrent.LinkedBlockingQueue<String>();
            Thread reader = new Thread(() -> new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8)).lines().forEach(lines::add));
            reader.setDaemon(true);
            reader.start();
            long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
            StringBuilder seen = new StringBuilder();
            while (System.nanoTime() < end) {
                String l = lines.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                if (l != null && l.contains("[class,load] ch.qos.logback.")) {
                    return l;
                }
                if (l != null && seen.length() < 20_000) {
                    seen.append(l).append('\n');
                }
                if (l == null && !p.isAlive() && lines.isEmpty()) {
                    break;
                }
            }
            throw new AssertionError("no Logback class loaded by " + exe + ":\n" + seen);
        } finally {
            p.destroy();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    static Proc exec(List<String> cmd, List<String> env) throws Exception {
        return finish(start(cmd, env));
    }

    /** Runs a command with only PATH in its environment. */
    static Proc execClean(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return finish(pb.start());
    }

    /**
     * Makes an arm64 root from the arm64 testbed's sysroot (dash and the runtime's libraries, no
     * JDK): a copy at {@code root} with {@code /proc} and a world-writable {@code /tmp}.
     */
    static Path arm64Root(Path sysroot, Path root) throws IOException {
        copyTree(sysroot, root, Set.of());
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("tmp"));
        Files.setPosixFilePermissions(root.resolve("tmp"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        return root;
    }

    /**
     * Makes a root with nothing but {@code /bin/sh}, the shared libraries that it, the single
     * file's unpacker and every ELF file ({@code .so} and {@code bin/java}) under {@code trees} load (their {@code ldd} closure,
     * libraries inside the trees left out), an empty {@code /proc} and a world-writable {@code /tmp}:
     * no JDK, no coreutils, no tar or gzip.
     *
     * @param root  the directory to fill (created)
     * @param trees directories of ELF files, e.g. an unpacked single file or an installed layout
     * @return the libraries copied (absolute host paths)
     */
    static Set<String> bareRoot(Path root, Path... trees) throws Exception {
        List<Path> elves = new java.util.ArrayList<>();
        for (Path tree : trees) {
            try (var s = Files.walk(tree)) {
                s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".so") || p.endsWith("bin/java")).forEach(elves::add);
            }
        }
        Path sh = Path.of("/bin/sh").toRealPath();
        elves.add(sh);
        // The single file's unpacker, which the stub writes out on a first run: libc.so.6 and
        // libpthread.so.0 (a part of every glibc, empty since 2.34, where glibc before 2.34 has
        // pthread_create).
        Path unpacker = Files.createTempFile("slipway-unpack", "");
        Files.write(unpacker, dev.slipway.build.NativeHelpers.prebuilt(dev.slipway.build.NativeHelpers.UNPACK,
                dev.slipway.build.Platform.host()).orElseThrow());
        unpacker.toFile().deleteOnExit();
        elves.add(unpacker);
        Set<String> libs = new java.util.TreeSet<>();
        java.util.regex.Pattern lib = java.util.regex.Pattern.compile("(/\\S+\\.so[.\\d]*)");
        for (Path elf : elves) {
            Proc l = exec(List.of("ldd", elf.toString()), List.of());
            for (String line : l.out().lines().toList()) {
                if (line.contains("=> not found") || java.util.Arrays.stream(trees).anyMatch(t -> line.contains(t.toString()))) {
                    continue;
                }
                java.util.regex.Matcher m = lib.matcher(line);
                if (m.find()) {
                    libs.add(m.group(1));
                }
            }
        }
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("tmp"));
        Files.setPosixFilePermissions(root.resolve("tmp"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.copy(sh, root.resolve("bin/sh"));
        for (String l : libs) {
            Path dest = root.resolve(l.substring(1));
            Files.createDirectories(dest.getParent());
            Files.copy(Path.of(l).toRealPath(), dest, StandardCopyOption.REPLACE_EXISTING);
        }
        return libs;
    }

    /** Runs a shell command line chrooted into {@code root} with /proc mounted, in a mount namespace, with only PATH set (needs root). */
    static Proc inRoot(Path root, String command) throws Exception {
        return execClean(List.of("unshare", "--mount", "--fork", "/bin/sh", "-c",
                "mount -t proc proc \"$0/proc\" && exec chroot \"$0\" " + command, root.toString()));
    }

    static Proc finish(Process p) throws Exception {
        var out = new java.util.concurrent.CompletableFuture<String>();
        var err = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> out.complete(read(p.getInputStream()))).start();
        new Thread(() -> err.complete(read(p.getErrorStream()))).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("process ran over 60 s");
        }
        return new Proc(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    static void copyTree(Path from, Path to, Set<String> skipTopLevel) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (from.relativize(dir).getNameCount() == 1 && skipTopLevel.contains(dir.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path dest = to.resolve(from.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(dest, Files.readSymbolicLink(file));
                } else {
                    Files.copy(file, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
