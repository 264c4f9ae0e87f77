package dev.slipway.image;

import dev.slipway.SlipwayException;
import dev.slipway.build.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The system libraries a linked runtime needs, computed from its ELF files rather than listed by
 * hand: the program interpreter of {@code bin/java} ({@code PT_INTERP}), then every
 * {@code DT_NEEDED} name that the runtime does not hold itself, transitively, each looked up in a
 * root directory (the host's {@code /}, or a sysroot of the target platform) along the glibc
 * loader's default path for that platform (ld.so(8): the Debian multiarch directories, then
 * {@code /lib} and {@code /usr/lib}). A candidate of another architecture is skipped, as ld.so
 * skips it.
 *
 * <p>One library is added although no file names it: {@code libgcc_s.so.1}, which glibc loads with
 * dlopen(3) to unwind a thread on {@code pthread_exit}/{@code pthread_cancel} (pthread_exit(3)),
 * when the root has it.
 */
public final class SharedLibraries {
    /** Loaded by glibc itself at run time (not in any DT_NEEDED), see pthread_exit(3). */
    private static final List<String> DLOPENED_BY_GLIBC = List.of("libgcc_s.so.1");

    private SharedLibraries() {}

    /**
     * One library to put into the image.
     *
     * @param path   where it goes in the image, relative to {@code /} (e.g.
     *               {@code lib/x86_64-linux-gnu/libc.so.6}, {@code lib64/ld-linux-x86-64.so.2})
     * @param source the regular file to copy (symbolic links already followed inside the root)
     * @param neededBy the runtime file or library that needs it (for messages), or {@code glibc}
     */
    public record Library(String path, Path source, String neededBy) {}

    /**
     * Computes the libraries of a runtime.
     *
     * @param runtime  the linked runtime directory ({@code bin/java}, {@code lib/...})
     * @param root     the root to take libraries from: {@code /} for the host platform, a sysroot
     *                 of the target platform otherwise
     * @param platform the target platform (selects the search path and the ELF machine)
     * @return the libraries, sorted by image path
     * @throws SlipwayException exit 2 when a needed library is not in the root (the message names
     *                          it, who needs it, and the root)
     * @throws IOException when a file cannot be read
     */
    public static List<Library> of(Path runtime, Path root, Platform platform) throws IOException {
        int machine = machine(platform);
        List<String> searchPath = searchPath(platform);
        Set<String> provided = new TreeSet<>();
        List<Path> elves = new ArrayList<>();
        try (Stream<Path> s = Files.walk(runtime)) {
            for (Path p : s.sorted().toList()) {
                if (Elf.isElf(p)) {
                    elves.add(p);
                    provided.add(p.getFileName().toString());
                }
            }
        }
        Map<String, Library> out = new LinkedHashMap<>();
        Path javaBin = runtime.resolve("bin/java");
        Elf javaElf = Elf.read(javaBin);
        if (javaElf.machine() != machine) {
            throw SlipwayException.usage("the " + platform + " runtime's bin/java is built for ELF machine "
                    + javaElf.machine() + ", not " + machine);
        }
        if (javaElf.interpreter() != null) {
            String interp = javaElf.interpreter();
            Path source = resolveInRoot(root, interp);
            if (source == null || !Files.isRegularFile(source)) {
                throw SlipwayException.usage(platform + ": the program interpreter " + interp + " of bin/java is not in "
                        + root + hint(platform));
            }
            out.put(interp.substring(1), new Library(interp.substring(1), source, "runtime/bin/java"));
            provided.add(Path.of(interp).getFileName().toString());
        }
        Deque<String[]> queue = new ArrayDeque<>(); // {name, neededBy}
        for (Path elf : elves) {
            for (String n : Elf.read(elf).needed()) {
                queue.add(new String[] {n, "runtime/" + runtime.relativize(elf)});
            }
        }
        for (String n : DLOPENED_BY_GLIBC) {
            if (find(root, searchPath, n, machine) != null) {
                queue.add(new String[] {n, "glibc"});
            }
        }
        Set<String> seen = new TreeSet<>();
        while (!queue.isEmpty()) {
            String[] next = queue.poll();
            String name = next[0];
            if (provided.contains(name) || !seen.add(name)) {
                continue;
            }
            String[] hit = find(root, searchPath, name, machine);
            if (hit == null) {
                throw SlipwayException.usage(platform + ": " + name + " (needed by " + next[1] + ") is not in "
                        + root + " (searched " + String.join(", ", searchPath) + ")" + hint(platform));
            }
            Path source = Path.of(hit[1]);
            out.put(hit[0], new Library(hit[0], source, next[1]));
            for (String n : Elf.read(source).needed()) {
                queue.add(new String[] {n, hit[0]});
            }
        }
        return out.values().stream().sorted(java.util.Comparator.comparing(Library::path)).toList();
    }

    private static String hint(Platform platform) {
        return platform.equals(Platform.host()) ? ""
                : "; set image.sysroots." + platform + " to a root holding " + platform + " glibc libraries"
                  + " (Debian: apt-get download libc6:" + platform.arch() + " ..., then dpkg-deb -x)";
    }

    /** @return {image path, resolved source} of the first match of the right machine, or {@code null} */
    private static String[] find(Path root, List<String> searchPath, String name, int machine) throws IOException {
        for (String dir : searchPath) {
            Path source = resolveInRoot(root, "/" + dir + "/" + name);
            if (source != null && Files.isRegularFile(source) && Elf.isElf(source)
                    && Elf.read(source).machine() == machine) {
                return new String[] {dir + "/" + name, source.toString()};
            }
        }
        return null;
    }

    /**
     * Resolves an absolute path inside {@code root}, following symbolic links as if {@code root}
     * were {@code /} (an absolute link target restarts at {@code root}; {@code ..} never leaves it).
     *
     * @return the resolved path, or {@code null} when a component does not exist or links loop
     */
    static Path resolveInRoot(Path root, String absolute) throws IOException {
        Deque<String> todo = new ArrayDeque<>(List.of(absolute.split("/")));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.poll();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            Path here = root.resolve(String.join("/", done)).resolve(c);
            if (Files.isSymbolicLink(here)) {
                if (++links > 40) {
                    return null;
                }
                String target = Files.readSymbolicLink(here).toString();
                List<String> parts = new ArrayList<>(List.of(target.split("/")));
                java.util.Collections.reverse(parts);
                parts.forEach(todo::push);
                if (target.startsWith("/")) {
                    done.clear();
                }
                continue;
            }
            if (!Files.exists(here, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            done.add(c);
        }
        return root.resolve(String.join("/", done));
    }

    private static int machine(Platform platform) {
        return switch (platform.arch()) {
            case "amd64" -> 62;
            case "arm64" -> 183;
            default -> throw SlipwayException.usage("images are not built for " + platform + " yet");
        };
    }

    /** The glibc loader's default directories on Debian for a platform, relative to {@code /}. */
    static List<String> searchPath(Platform platform) {
        String triplet = switch (platform.arch()) {
            case "amd64" -> "x86_64-linux-gnu";
            case "arm64" -> "aarch64-linux-gnu";
            default -> throw SlipwayException.usage("images are not built for " + platform + " yet");
        };
        List<String> dirs = new ArrayList<>(List.of("lib/" + triplet, "usr/lib/" + triplet));
        if (platform.arch().equals("amd64")) {
            dirs.addAll(List.of("lib64", "usr/lib64"));
        }
        dirs.addAll(List.of("lib", "usr/lib"));
        return List.copyOf(dirs);
    }
}
