package dev.slipway.build;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

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

    /**
     * The modification time of every file a build ships: the layout's files (so the files a JDK
     * 17-19 AppCDS archive or a JDK 20+ CDS archive or AOT cache records), every file the single
     * file's payload unpacks, every entry of the {@code .tar.gz} and of the release archives, and
     * every file of the image's layers: 1970-01-01T00:00:01Z. Not the build time: those caches
     * record each class path jar's mtime and the JVM rejects them when it differs (the java man
     * page, Class Data Sharing), so a build time there would make every new commit of the same
     * jars dump or train again. One fixed time gives identical inputs identical files, as Jib's
     * layers do with this very instant (not 0, which some tools take for "no time"; a zip entry,
     * whose DOS time starts in 1980, carries it in its extended timestamp, see
     * {@code dev.slipway.release.Archives}). The build time stays where it is data: {@link #time},
     * {@code build.time}, the image's {@code created}, the SBOM, the zip entry times inside jars.
     */
    public static final Instant FILE_TIME = Instant.ofEpochSecond(1);

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
     * Writes the build-info jar with {@link ReproducibleJar}: {@link #RESOURCE} and
     * {@code git.properties}, every entry time set to {@link #time}, so equal inputs give equal bytes.
     *
     * @param out where the jar bytes go; not closed
     * @throws IOException on a write failure
     */
    public void writeJar(OutputStream out) throws IOException {
        Map<String, String> gitOnly = new TreeMap<>();
        properties().forEach((k, v) -> {
            if (k.startsWith("git.")) {
                gitOnly.put(k, v);
            }
        });
        gitOnly.put("git.commit.time", isoTime());
        ReproducibleJar.write(Map.of(
                RESOURCE, ReproducibleJar.properties("Written by Slipway at build time.", properties()),
                "git.properties", ReproducibleJar.properties("Written by Slipway at build time.", gitOnly)), time, out);
    }
}
