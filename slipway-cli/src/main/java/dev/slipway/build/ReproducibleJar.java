package dev.slipway.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes generated jars (build info, profile defaults, the application jar of an exploded Spring
 * Boot jar) so that equal inputs give equal bytes: {@code META-INF/MANIFEST.MF} first (as the jar
 * tool writes it), then the entries sorted, parent directories listed, every entry time set to one
 * instant in UTC, no extra fields.
 */
public final class ReproducibleJar {
    private static final String MANIFEST = "META-INF/MANIFEST.MF";

    private ReproducibleJar() {}

    /**
     * Writes a jar with a minimal manifest and the given entries.
     *
     * @param entries entry name ({@code a/b.txt}) to content
     * @param time    the time of every entry
     * @param out     where the jar goes; not closed
     * @throws IOException on a write failure
     */
    public static void write(Map<String, byte[]> entries, Instant time, OutputStream out) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Created-By"), "Slipway");
        write(entries, manifest, time, out);
    }

    /**
     * Writes a jar with the given manifest and entries.
     *
     * @param entries  entry name ({@code a/b.txt}) to content; a {@code META-INF/MANIFEST.MF} among
     *                 them is replaced by {@code manifest}
     * @param manifest the manifest, written as {@link Manifest#write} does (main attributes in their
     *                 insertion order, so the same manifest gives the same bytes)
     * @param time     the time of every entry
     * @param out      where the jar goes; not closed
     * @throws IOException on a write failure
     */
    public static void write(Map<String, byte[]> entries, Manifest manifest, Instant time, OutputStream out)
            throws IOException {
        Map<String, byte[]> sorted = new TreeMap<>(entries);
        sorted.remove(MANIFEST);
        TreeSet<String> dirs = new TreeSet<>();
        for (String name : sorted.keySet()) {
            for (int i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
                dirs.add(name.substring(0, i + 1));
            }
        }
        dirs.forEach(d -> sorted.put(d, null));
        sorted.remove("META-INF/");
        // The manifest first, as the jar tool writes it: JarInputStream finds it only there.
        ByteArrayOutputStream mf = new ByteArrayOutputStream();
        manifest.write(mf);
        Map<String, byte[]> all = new java.util.LinkedHashMap<>();
        all.put("META-INF/", null);
        all.put(MANIFEST, mf.toByteArray());
        all.putAll(sorted);
        LocalDateTime t = LocalDateTime.ofInstant(time, ZoneOffset.UTC);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(buf)) {
            for (var e : all.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setTimeLocal(t);
                zip.putNextEntry(entry);
                if (e.getValue() != null) {
                    zip.write(e.getValue());
                }
                zip.closeEntry();
            }
        }
        buf.writeTo(out);
    }

    /**
     * Formats properties (ISO 8859-1 with escapes, as {@link java.util.Properties#load} reads them)
     * without the date comment that {@link java.util.Properties#store} writes.
     *
     * @param header a comment line, without {@code #}
     * @param props  the properties, written in key order
     * @return the file's bytes
     */
    public static byte[] properties(String header, Map<String, String> props) {
        StringBuilder sb = new StringBuilder("# ").append(header).append('\n');
        new TreeMap<>(props).forEach((k, v) -> sb.append(escape(k)).append('=').append(escape(v)).append('\n'));
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case ':', '=', '#', '!' -> sb.append('\\').append(c);
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
