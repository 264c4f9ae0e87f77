package dev.slipway.build;

import dev.slipway.SlipwayException;
import dev.slipway.util.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The trees that single files unpack into on their first run: {@code <cache>/run/<name>-<16 hex>/}
 * (see {@code unpack.c}), one per distinct payload, so every build that ever ran on a machine
 * leaves about a hundred megabytes behind. {@link #prune} removes the old ones.
 *
 * <p>A tree is in use when a running process maps one of its files (the JVM maps
 * {@code lib/modules} and {@code libjvm.so} for as long as it runs); that is read from
 * {@code /proc/<pid>/maps} (proc(5)), so only processes this user may inspect are seen, which are
 * the ones that can use this user's cache. Trees in use are never removed.
 *
 * @param root the {@code run} directory, e.g. {@code ~/.cache/slipway/run}
 */
public record RunCache(Path root) {
    private static final Pattern TREE = Pattern.compile("(.+)-[0-9a-f]{16}");

    /**
     * What a prune did.
     *
     * @param removed the trees removed, by directory name
     * @param bytes   the bytes their files took
     * @param inUse   the trees kept because a running process maps them
     */
    public record Pruned(List<String> removed, long bytes, List<String> inUse) {}

    /**
     * Removes unpacked trees, keeping per service name the {@code keep} most recently unpacked
     * ones and every tree in use.
     *
     * @param keep how many trees to keep per service name (0: all that are not in use)
     * @return what was removed and what was kept because it is in use
     * @throws SlipwayException (exit 1) when a tree cannot be removed
     */
    public Pruned prune(int keep) {
        List<String> removed = new ArrayList<>();
        List<String> inUse = new ArrayList<>();
        long bytes = 0;
        if (!Files.isDirectory(root)) {
            return new Pruned(removed, 0, inUse);
        }
        Set<String> used = mappedTrees();
        Map<String, List<Path>> byService = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.filter(Files::isDirectory).toList()) {
                Matcher m = TREE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    byService.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(p);
                }
            }
            for (List<Path> trees : byService.values()) {
                trees.sort(Comparator.comparing(RunCache::unpacked).reversed());
                for (int i = keep; i < trees.size(); i++) {
                    Path t = trees.get(i);
                    String name = t.getFileName().toString();
                    if (used.contains(name)) {
                        inUse.add(name);
                        continue;
                    }
                    bytes += size(t);
                    Trees.deleteTree(t);
                    Files.deleteIfExists(root.resolve(name + ".lock"));
                    removed.add(name);
                }
            }
        } catch (IOException e) {
            throw SlipwayException.failed("cannot prune " + root + ": " + e.getMessage(), e);
        }
        return new Pruned(removed, bytes, inUse);
    }

    /** @return the names of the trees under {@link #root} that some process maps now */
    Set<String> mappedTrees() {
        Set<String> out = new HashSet<>();
        String prefix = root.toAbsolutePath().normalize() + "/";
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                try (Stream<String> lines = Files.lines(p.resolve("maps"))) {
                    lines.forEach(l -> {
                        int at = l.indexOf(prefix);
                        if (at >= 0) {
                            String rest = l.substring(at + prefix.length());
                            int slash = rest.indexOf('/');
                            out.add(slash < 0 ? rest : rest.substring(0, slash));
                        }
                    });
                } catch (IOException | java.io.UncheckedIOException e) {
                    // the process ended, or it is another user's
                }
            }
        } catch (IOException e) {
            throw SlipwayException.failed("cannot list /proc to see which unpacked single files are in use: "
                    + e.getMessage(), e);
        }
        return out;
    }

    private static Instant unpacked(Path tree) {
        try {
            return Files.getLastModifiedTime(tree).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    private static long size(Path tree) throws IOException {
        try (Stream<Path> s = Files.walk(tree)) {
            return s.mapToLong(p -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
                            java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    return a.isRegularFile() ? a.size() : 0;
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }
}
