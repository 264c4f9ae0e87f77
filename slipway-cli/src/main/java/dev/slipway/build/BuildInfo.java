package dev.slipway.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The version facts injected into a build, the Java form of Go's {@code -ldflags -X}.
 *
 * <p>They are written as {@code META-INF/build-info.properties} (and {@code git.properties}) in a
 * small jar of their own, first on the class path, so the app's jars stay byte-identical. Key names
 * follow Spring Boot's {@code BuildProperties} ({@code build.*}) and {@code GitProperties}
 * ({@code git.*}), so Spring Boot's actuator {@code /info} shows them unchanged.
 *
 * @param name        the service name ({@code build.name}, {@code build.artifact})
 * @param version     the release version ({@code build.version})
 * @param commit      the full commit id ({@code git.commit.id})
 * @param shortCommit the short commit id ({@code git.commit.id.abbrev})
 * @param time        the build time ({@code build.time}): the commit time, or
 *                    {@code SOURCE_DATE_EPOCH}, so that rebuilds are identical
 */
public record BuildInfo(String name, String version, String commit, String shortCommit, Instant time) {

    /** The resource path of the properties file inside the jar. */
    public static final String RESOURCE = "META-INF/build-info.properties";

    /** @return the build time as UTC ISO-8601, e.g. {@code 2026-11-30T08:00:00Z} */
    public String isoTime() {
        return DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    /** @return the properties in key order */
    public Map<String, String> properties() {
        Map<String, String> p = new TreeMap<>();
        p.put("build.artifact", name);
        p.put("build.name", name);
        p.put("build.version", version);
        p.put("build.time", isoTime());
        p.put("git.commit.id", commit);
        p.put("git.commit.id.abbrev", shortCommit);
        return p;
    }

    /**
     * Writes the build-info jar: sorted entries, every entry time set to {@link #time} in UTC, no
     * extra fields, so equal inputs give equal bytes.
     *
     * @param out where the jar bytes go; not closed
     * @throws IOException on a write failure
     */
    public void writeJar(OutputStream out) throws IOException {
        byte[] props = propertiesText(properties()).getBytes(StandardCharsets.ISO_8859_1);
        Map<String, String> gitOnly = new TreeMap<>();
        properties().forEach((k, v) -> {
            if (k.startsWith("git.")) {
                gitOnly.put(k, v);
            }
        });
        gitOnly.put("git.commit.time", isoTime());
        byte[] git = propertiesText(gitOnly).getBytes(StandardCharsets.ISO_8859_1);
        byte[] manifest = ("Manifest-Version: 1.0\r\nCreated-By: Slipway\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        LocalDateTime t = LocalDateTime.ofInstant(time, ZoneOffset.UTC);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(buf)) {
            put(zip, "META-INF/", null, t);
            put(zip, "META-INF/MANIFEST.MF", manifest, t);
            put(zip, RESOURCE, props, t);
            put(zip, "git.properties", git, t);
        }
        buf.writeTo(out);
    }

    private static void put(ZipOutputStream zip, String name, byte[] data, LocalDateTime t) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTimeLocal(t);
        zip.putNextEntry(e);
        if (data != null) {
            zip.write(data);
        }
        zip.closeEntry();
    }

    /** Formats properties without {@link java.util.Properties#store}'s date comment. */
    static String propertiesText(Map<String, String> props) {
        StringBuilder sb = new StringBuilder("# Written by Slipway at build time.\n");
        props.forEach((k, v) -> sb.append(escape(k)).append('=').append(escape(v)).append('\n'));
        return sb.toString();
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
