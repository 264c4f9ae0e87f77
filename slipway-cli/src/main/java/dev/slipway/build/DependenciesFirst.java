package dev.slipway.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The JDK 17-19 class path with the dependency jars ({@code app/lib/}) first and the app's own
 * jars (the profile jar, the application jar) after them, so that the AppCDS archive made at
 * build time ({@link TrainStartup}) covers the dependency jars alone and is kept, by their
 * contents, while only the app's own classes change: the dump (some 3 s of a 2-core machine,
 * whatever changed) is then no longer part of a one-class-changed rebuild. The java man page (CDS)
 * lets the run-time class path extend the one the archive was dumped with ("the classpath used at
 * archive creation time must be the same as (or a prefix of) the classpath used at run time"); the
 * app's classes then load from its jar, as on a JVM without an archive.
 *
 * <p>Another order can make a class or resource resolve to another jar: the class loader takes
 * the first jar that has it. So the dependencies go first only when no file (classes, resources,
 * {@code META-INF/services} files) is in both an own jar and a dependency jar, except
 * {@code META-INF/MANIFEST.MF}, which every jar has (so {@code getResource} of it, rarely used on
 * a class path, names a dependency's manifest first). Otherwise, and when there is no dependency
 * jar or an entry is not a jar (a shipped tree's launch jar still is one), the order stays and the
 * archive covers the whole class path.
 */
final class DependenciesFirst {
    private DependenciesFirst() {}

    /** Where the dependency jars are in the layout, as class path entries. */
    static final String LIB = "app/lib/";

    /**
     * A class path order and the part of it that the AppCDS archive is dumped with.
     *
     * @param classpath the class path in launch order, relative to the layout
     * @param archived  its prefix the archive covers: the dependency jars, or all of it
     * @param why       when the order stayed: why (a file in two jars), else empty
     */
    record Order(List<String> classpath, List<String> archived, Optional<String> why) {
        /** @return whether the archive covers the dependency jars only */
        boolean dependenciesOnly() {
            return archived.size() < classpath.size();
        }
    }

    /**
     * Orders a class path with the dependency jars first when that resolves every class and
     * resource as before (see the class comment).
     *
     * @param layout    the layout root
     * @param classpath the class path, relative to it (own jars first, then {@code app/lib/} jars), without
     *                  the build-info jar
     * @return the order, and what the archive covers
     * @throws IOException when a jar cannot be read
     */
    static Order order(Path layout, List<String> classpath) throws IOException {
        List<String> deps = classpath.stream().filter(e -> e.startsWith(LIB)).toList();
        List<String> own = classpath.stream().filter(e -> !e.startsWith(LIB)).toList();
        Order unchanged = new Order(List.copyOf(classpath), List.copyOf(classpath), Optional.empty());
        if (deps.isEmpty() || own.isEmpty()) {
            return unchanged;
        }
        Map<String, String> ownEntries = new HashMap<>();
        for (String e : own) {
            Optional<List<String>> names = files(layout.resolve(e));
            if (names.isEmpty()) {
                return unchanged;
            }
            names.get().forEach(name -> ownEntries.putIfAbsent(name, e));
        }
        for (String d : deps) {
            Optional<List<String>> names = files(layout.resolve(d));
            if (names.isEmpty()) {
                return unchanged;
            }
            for (String name : names.get()) {
                String in = ownEntries.get(name);
                if (in != null) {
                    return new Order(unchanged.classpath(), unchanged.archived(), Optional.of(name + " is in both "
                            + Path.of(in).getFileName() + " and " + Path.of(d).getFileName()));
                }
            }
        }
        List<String> ordered = new ArrayList<>(deps);
        ordered.addAll(own);
        return new Order(List.copyOf(ordered), deps, Optional.empty());
    }

    /** @return the jar's file entries but its manifest, or empty when it is not a readable zip */
    private static Optional<List<String>> files(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (!name.endsWith("/") && !name.equals("META-INF/MANIFEST.MF")) {
                    out.add(name);
                }
            }
        } catch (ZipException notAZip) {
            return Optional.empty();
        }
        return Optional.of(out);
    }
}
