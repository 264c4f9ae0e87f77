package dev.slipway.build;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dependency jars of a directory, in Maven's class path order and without what is never
 * shipped: Maven {@code <optional>} dependencies and development-only artifacts.
 *
 * <p>Order and optional flags come from {@value #LIST_FILE} beside the directory, the output of
 * {@code maven-dependency-plugin:list -DoutputFile=...}, whose lines are
 * {@code groupId:artifactId:type[:classifier]:version:scope[ (optional)][ -- module name]} in
 * class path order (its {@code sort} parameter is off by default). The dependency plugin cannot
 * leave optional dependencies out of {@code copy-dependencies} itself (MDEP-588, MDEP-661 are
 * open), so the list is how Slipway knows them. Without the list, jars are in file name order.
 */
public final class Dependencies {
    /** The file beside a dependency directory that gives Maven's order and optional flags. */
    public static final String LIST_FILE = "dependencies.txt";

    /**
     * Development-only artifacts, left out of any dependency directory as a safety net: Spring
     * Boot's devtools, Docker Compose and Testcontainers support (its repackager leaves the first
     * two out by default), test jars ({@code -tests}, Maven's {@code test-jar} type) and Gradle's
     * test fixtures.
     */
    private static final Pattern DEVELOPMENT_ONLY = Pattern.compile(
            "(spring-boot-devtools|spring-boot-docker-compose|spring-boot-testcontainers)-\\d.*\\.jar"
                    + "|.*-tests\\.jar|.*-test-fixtures\\.jar");

    /** {@code g:a:type[:classifier]:version:scope}, then flags. */
    private static final Pattern LIST_LINE = Pattern.compile(
            "\\s*([^:\\s]+):([^:\\s]+):([^:\\s]+)(?::([^:\\s]+))?:([^:\\s]+):([a-z]+)(?::\\S+)?(\\s+\\(optional\\))?.*");
    private static final Pattern TIMESTAMPED_SNAPSHOT = Pattern.compile("(.*)-\\d{8}\\.\\d{6}-\\d+");

    private Dependencies() {}

    /**
     * The jars of a dependency directory that are shipped, in order.
     *
     * @param dir   a directory of jars (e.g. {@code target/slipway/lib})
     * @param notes receives one line per kind of jar left out, naming them
     * @return the jars: those the list names, in its order, then any others by file name
     * @throws SlipwayException (exit 1) when the directory or list cannot be read
     */
    public static List<Path> of(Path dir, List<String> notes) {
        List<Path> jars = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted().forEach(jars::add);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot list " + dir + ": " + e.getMessage(), e);
        }
        Path list = dir.resolveSibling(LIST_FILE);
        if (Files.isRegularFile(list)) {
            jars = ordered(jars, list, notes);
        }
        return withoutDevelopmentOnly(jars, notes);
    }

    /**
     * Orders jars by a {@code dependency:list} file and drops those it marks optional.
     *
     * @param jars  the jars found, by file name
     * @param list  the list file
     * @param notes receives a line naming the optional jars left out
     * @return the listed jars in list order, then the unlisted ones in their given order
     */
    static List<Path> ordered(List<Path> jars, Path list, List<String> notes) {
        Map<String, Path> byName = new LinkedHashMap<>();
        jars.forEach(j -> byName.put(j.getFileName().toString(), j));
        List<Path> out = new ArrayList<>();
        List<String> optional = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(list, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot read " + list + ": " + e.getMessage(), e);
        }
        for (String line : lines) {
            Matcher m = LIST_LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Path jar = byName.remove(fileName(m.group(2), m.group(5), m.group(4)));
            if (jar == null) {
                continue;
            }
            if (m.group(7) != null) {
                optional.add(jar.getFileName().toString());
            } else {
                out.add(jar);
            }
        }
        out.addAll(byName.values());
        if (!optional.isEmpty()) {
            notes.add("left out optional dependencies (<optional>true</optional> in the POM): " + String.join(", ", optional));
        }
        return out;
    }

    /**
     * The file name {@code copy-dependencies} gives an artifact:
     * {@code artifactId-baseVersion[-classifier].jar} ({@code useBaseVersion} is on by default, so
     * a timestamped snapshot version becomes {@code -SNAPSHOT}).
     */
    static String fileName(String artifactId, String version, String classifier) {
        Matcher snapshot = TIMESTAMPED_SNAPSHOT.matcher(version);
        String base = snapshot.matches() ? snapshot.group(1) + "-SNAPSHOT" : version;
        return artifactId + "-" + base + (classifier == null ? "" : "-" + classifier) + ".jar";
    }

    /**
     * Drops development-only jars ({@link #DEVELOPMENT_ONLY}).
     *
     * @param jars  dependency jars
     * @param notes receives a line naming those left out
     * @return the others, in their order
     */
    public static List<Path> withoutDevelopmentOnly(List<Path> jars, List<String> notes) {
        List<Path> out = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (Path jar : jars) {
            if (isDevelopmentOnly(jar.getFileName().toString())) {
                dropped.add(jar.getFileName().toString());
            } else {
                out.add(jar);
            }
        }
        if (!dropped.isEmpty()) {
            notes.add("left out development-only jars: " + String.join(", ", dropped));
        }
        return out;
    }

    /** @return whether a jar's file name is that of a development-only artifact */
    public static boolean isDevelopmentOnly(String fileName) {
        return DEVELOPMENT_ONLY.matcher(fileName).matches();
    }
}
