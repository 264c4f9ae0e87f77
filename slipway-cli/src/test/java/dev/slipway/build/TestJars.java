package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/**
 * Builds real jars for tests: sources compiled with the JDK's javac (ToolProvider), entries
 * written with {@link JarOutputStream}, so that a test can also make jars the {@code jar} tool
 * refuses (a module descriptor naming a package the jar lacks, as native-only jars have).
 */
final class TestJars {
    private final Path dir;
    private int n;

    TestJars(Path dir) {
        this.dir = dir;
    }

    /**
     * Compiles sources.
     *
     * @param release    the {@code --release}
     * @param sources    file name (e.g. {@code a/B.java}, {@code module-info.java}) to source text
     * @param options    more javac options, e.g. {@code --module-path}
     * @return the class files by entry name ({@code a/B.class})
     */
    Map<String, byte[]> compile(int release, Map<String, String> sources, String... options) throws IOException {
        Path src = dir.resolve("src" + (++n));
        Path out = dir.resolve("classes" + n);
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--release", String.valueOf(release)));
        args.addAll(List.of(options));
        for (var e : sources.entrySet()) {
            Path f = src.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            args.add(f.toString());
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, log, log, args.toArray(String[]::new));
        assertEquals(0, rc, "javac failed: " + log);
        Map<String, byte[]> classes = new TreeMap<>();
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                classes.put(out.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return classes;
    }

    /** @return the directory of the last {@link #compile}, for {@code --module-path} */
    Path lastClasses() {
        return dir.resolve("classes" + n);
    }

    /**
     * Writes a jar.
     *
     * @param name     the file name
     * @param entries  entry name to bytes
     * @param manifest main attributes (e.g. {@code Multi-Release: true}), may be empty
     */
    Path jar(String name, Map<String, byte[]> entries, Map<String, String> manifest) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
        Path jar = dir.resolve(name);
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, mf)) {
            for (var e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return jar;
    }

    /** @return {@code classes} with every entry name prefixed, e.g. {@code META-INF/versions/11/} */
    static Map<String, byte[]> under(String prefix, Map<String, byte[]> classes) {
        Map<String, byte[]> out = new TreeMap<>();
        classes.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }

    /** @return the union of entry maps */
    @SafeVarargs
    static Map<String, byte[]> all(Map<String, byte[]>... parts) {
        Map<String, byte[]> out = new TreeMap<>();
        for (Map<String, byte[]> p : parts) {
            out.putAll(p);
        }
        return out;
    }

    static Map<String, byte[]> text(String entry, String content) {
        return Map.of(entry, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
