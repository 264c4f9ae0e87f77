package dev.slipway.release;

import dev.slipway.util.Hashing;
import dev.slipway.util.Tar;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;

/**
 * A CycloneDX 1.6 JSON SBOM of what one platform's release ships, written with the CycloneDX Java
 * library: the application (metadata component), every jar under {@code app/} (libraries, with
 * Maven coordinates and a purl when the jar holds {@code META-INF/maven/.../pom.properties}, and
 * a SHA-256 hash), and the bundled runtime (a {@code platform} component {@code java-runtime} whose
 * version is the JDK version from the runtime's {@code release} file, with the linked modules as a
 * property). The generated {@code app/build-info.jar} is described by the metadata, not listed.
 *
 * <p>Reproducible: the serial number is a name-based UUID of name, version, commit and platform,
 * and the timestamp is the build time (commit time), so the same commit gives the same bytes.
 */
public final class Sbom {
    private Sbom() {}

    /**
     * Writes the SBOM for one platform.
     *
     * @param buildArchive the build's {@code .tar.gz} (the layout under one top directory)
     * @param name         the service name
     * @param version      the release version
     * @param commit       the full commit id
     * @param platform     {@code os-arch}
     * @param time         the build time, used as the SBOM timestamp
     * @param out          the JSON file to write
     * @throws IOException when the archive cannot be read or the SBOM written
     */
    public static void write(Path buildArchive, String name, String version, String commit, String platform,
                             Instant time, Path out) throws IOException {
        List<Component> jars = new ArrayList<>();
        Properties runtime = new Properties();
        try (TarArchiveInputStream in = Tar.gzipped(buildArchive)) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                String n = e.getName();
                String rest = n.indexOf('/') < 0 ? n : n.substring(n.indexOf('/') + 1);
                if (e.isFile() && rest.startsWith("app/") && rest.endsWith(".jar") && !rest.equals("app/build-info.jar")) {
                    jars.add(jar(rest, in.readAllBytes()));
                } else if (e.isFile() && rest.equals("runtime/release")) {
                    runtime.load(new java.io.StringReader(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                }
            }
        }
        jars.sort(Comparator.comparing(Component::getBomRef));

        Bom bom = new Bom();
        bom.setSerialNumber("urn:uuid:" + UUID.nameUUIDFromBytes(
                (name + "\n" + version + "\n" + commit + "\n" + platform).getBytes(StandardCharsets.UTF_8)));
        Metadata md = new Metadata();
        md.setTimestamp(Date.from(time));
        Component app = new Component();
        app.setType(Component.Type.APPLICATION);
        app.setName(name);
        app.setVersion(version);
        app.setBomRef(name + "@" + version);
        app.setProperties(List.of(property("slipway:commit", commit), property("slipway:platform", platform)));
        md.setComponent(app);
        bom.setMetadata(md);

        List<Component> components = new ArrayList<>(jars);
        Component rt = new Component();
        rt.setType(Component.Type.PLATFORM);
        rt.setName("java-runtime");
        rt.setVersion(unquote(runtime.getProperty("JAVA_VERSION", "unknown")));
        rt.setBomRef("runtime@" + rt.getVersion());
        rt.setDescription("Java runtime linked with jlink from JDK " + rt.getVersion());
        List<Property> props = new ArrayList<>();
        props.add(property("slipway:modules", unquote(runtime.getProperty("MODULES", ""))));
        // jlink copies IMPLEMENTOR and JAVA_RUNTIME_VERSION into the runtime's release file only for some builds.
        for (String key : List.of("IMPLEMENTOR", "JAVA_RUNTIME_VERSION")) {
            if (runtime.getProperty(key) != null) {
                props.add(property("slipway:" + key.toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                        unquote(runtime.getProperty(key))));
            }
        }
        rt.setProperties(props);
        components.add(rt);
        bom.setComponents(components);
        try {
            String json = BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonString();
            Files.writeString(out, json.endsWith("\n") ? json : json + "\n", StandardCharsets.UTF_8);
        } catch (GeneratorException ex) {
            throw new IOException("cannot write the SBOM: " + ex.getMessage(), ex);
        }
    }

    private static Component jar(String path, byte[] bytes) throws IOException {
        Component c = new Component();
        c.setType(Component.Type.LIBRARY);
        String file = path.substring(path.lastIndexOf('/') + 1);
        Properties pom = pomProperties(bytes);
        if (pom != null) {
            String g = pom.getProperty("groupId");
            String a = pom.getProperty("artifactId");
            String v = pom.getProperty("version");
            c.setGroup(g);
            c.setName(a);
            c.setVersion(v);
            c.setPurl("pkg:maven/" + g + "/" + a + "@" + v + "?type=jar");
        } else {
            c.setName(file.substring(0, file.length() - ".jar".length()));
        }
        c.setBomRef(path);
        c.setHashes(List.of(new Hash(Hash.Algorithm.SHA_256, Hashing.sha256Hex(bytes))));
        c.setProperties(List.of(property("slipway:path", path)));
        return c;
    }

    /** @return the single {@code pom.properties} in a jar, or {@code null} (none, or a shaded jar with several) */
    private static Properties pomProperties(byte[] jar) throws IOException {
        Properties found = null;
        try (ZipInputStream zin = new ZipInputStream(new ByteArrayInputStream(jar))) {
            ZipEntry z;
            while ((z = zin.getNextEntry()) != null) {
                if (z.getName().startsWith("META-INF/maven/") && z.getName().endsWith("/pom.properties")) {
                    if (found != null) {
                        return null;
                    }
                    found = new Properties();
                    found.load(new java.io.StringReader(new String(zin.readAllBytes(), StandardCharsets.UTF_8)));
                }
            }
        }
        if (found == null || found.getProperty("groupId") == null || found.getProperty("artifactId") == null
                || found.getProperty("version") == null) {
            return null;
        }
        return found;
    }

    private static Property property(String name, String value) {
        Property p = new Property();
        p.setName(name);
        p.setValue(value);
        return p;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
