package dev.slipway.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.build.Archive;
import dev.slipway.build.Platform;
import dev.slipway.util.Tar;
import dev.slipway.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The JSON documents of an OCI image and its layout on disk, after the OCI image spec 1.1:
 * image configuration ({@code config.md}), image manifest ({@code manifest.md}), image index
 * ({@code image-index.md}), image layout ({@code image-layout.md}), and pre-defined annotation keys
 * ({@code annotations.md}). Documents are written compactly with keys in a fixed order, so the same
 * inputs give the same bytes and the same digests.
 */
public final class OciImage {
    /** Media type of an image manifest. */
    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** Media type of an image index. */
    public static final String INDEX = "application/vnd.oci.image.index.v1+json";
    /** Media type of an image configuration. */
    public static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    /** The annotation that names a tag in a layout's {@code index.json}. */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    private static final ObjectMapper JSON = Json.MAPPER;

    private OciImage() {}

    /**
     * A blob: a JSON document or a layer, addressed by its digest.
     *
     * @param mediaType its media type
     * @param digest    {@code sha256:<hex>}
     * @param size      bytes
     */
    public record Descriptor(String mediaType, String digest, long size) {}

    /**
     * What a platform's image config says.
     *
     * @param platform    the platform ({@code architecture}, {@code os}, {@code variant} v8 for arm64)
     * @param created     the image's creation time (the commit time, for reproducibility)
     * @param user        {@code uid:gid}
     * @param port        the exposed TCP port, or 0 for none
     * @param env         environment, {@code NAME=value}, in order
     * @param entrypoint  argv; the first element is executed directly (no shell)
     * @param workingDir  the working directory
     * @param volumes     directories declared as volumes
     * @param labels      labels (Slipway repeats the annotations here)
     * @param healthcheck the container health check, or {@code null} for none
     */
    public record Config(Platform platform, Instant created, String user, int port, List<String> env,
                         List<String> entrypoint, String workingDir, List<String> volumes, Map<String, String> labels,
                         Healthcheck healthcheck) {}

    /**
     * A container health check, as Docker's image config holds it ({@code config.Healthcheck}: the
     * image spec's Docker extension, read by Docker, Podman and Swarm; OCI runtimes ignore it).
     *
     * @param test        the command, exec form without a shell ({@code ["CMD", argv...]})
     * @param interval    time between two checks
     * @param timeout     one check's deadline
     * @param startPeriod time after start during which failures do not count
     * @param retries     consecutive failures that make the container unhealthy
     */
    public record Healthcheck(List<String> test, java.time.Duration interval, java.time.Duration timeout,
                              java.time.Duration startPeriod, int retries) {}

    /**
     * Writes the image config of one platform.
     *
     * @param blobs  {@code blobs/sha256} of the layout
     * @param c      the config
     * @param layers the layers in order
     * @return its descriptor
     * @throws IOException when it cannot be written
     */
    public static Descriptor writeConfig(Path blobs, Config c, List<Layer> layers) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("created", c.created().toString());
        doc.put("architecture", c.platform().arch());
        if (variant(c.platform()) != null) {
            doc.put("variant", variant(c.platform()));
        }
        doc.put("os", c.platform().os());
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("User", c.user());
        if (c.port() > 0) {
            cfg.put("ExposedPorts", Map.of(c.port() + "/tcp", Map.of()));
        }
        cfg.put("Env", c.env());
        cfg.put("Entrypoint", c.entrypoint());
        cfg.put("WorkingDir", c.workingDir());
        if (!c.volumes().isEmpty()) {
            Map<String, Object> volumes = new LinkedHashMap<>();
            c.volumes().forEach(v -> volumes.put(v, Map.of()));
            cfg.put("Volumes", volumes);
        }
        cfg.put("Labels", c.labels());
        cfg.put("StopSignal", "SIGTERM");
        if (c.healthcheck() != null) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("Test", c.healthcheck().test());
            h.put("Interval", c.healthcheck().interval().toNanos());
            h.put("Timeout", c.healthcheck().timeout().toNanos());
            h.put("StartPeriod", c.healthcheck().startPeriod().toNanos());
            h.put("Retries", c.healthcheck().retries());
            cfg.put("Healthcheck", h);
        }
        doc.put("config", cfg);
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", layers.stream().map(Layer::diffId).toList());
        doc.put("rootfs", rootfs);
        List<Object> history = new ArrayList<>();
        for (Layer l : layers) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("created", c.created().toString());
            h.put("created_by", "slipway image: " + l.comment());
            history.add(h);
        }
        doc.put("history", history);
        return writeJson(blobs, CONFIG, doc);
    }

    /**
     * Writes an image manifest.
     *
     * @param blobs       {@code blobs/sha256}
     * @param config      the config's descriptor
     * @param layers      the layers in order
     * @param annotations the manifest's annotations
     * @return its descriptor
     * @throws IOException when it cannot be written
     */
    public static Descriptor writeManifest(Path blobs, Descriptor config, List<Layer> layers,
                                           Map<String, String> annotations) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schemaVersion", 2);
        doc.put("mediaType", MANIFEST);
        doc.put("config", descriptor(config));
        doc.put("layers", layers.stream().map(l -> descriptor(new Descriptor(Layer.MEDIA_TYPE, l.digest(), l.size())))
                .toList());
        doc.put("annotations", annotations);
        return writeJson(blobs, MANIFEST, doc);
    }

    /**
     * Writes an image index over per-platform manifests.
     *
     * @param blobs       {@code blobs/sha256}
     * @param manifests   each platform's manifest
     * @param annotations the index's annotations
     * @return its descriptor
     * @throws IOException when it cannot be written
     */
    public static Descriptor writeIndex(Path blobs, Map<Platform, Descriptor> manifests, Map<String, String> annotations)
            throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schemaVersion", 2);
        doc.put("mediaType", INDEX);
        List<Object> list = new ArrayList<>();
        for (var e : manifests.entrySet()) {
            Map<String, Object> d = descriptor(e.getValue());
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("architecture", e.getKey().arch());
            p.put("os", e.getKey().os());
            if (variant(e.getKey()) != null) {
                p.put("variant", variant(e.getKey()));
            }
            d.put("platform", p);
            list.add(d);
        }
        doc.put("manifests", list);
        doc.put("annotations", annotations);
        return writeJson(blobs, INDEX, doc);
    }

    /**
     * Completes an OCI image layout: {@code oci-layout} and {@code index.json}, which names the
     * image index with one {@value #REF_NAME} annotation per tag.
     *
     * @param layout the layout directory (holding {@code blobs/})
     * @param index  the image index
     * @param tags   the tags, e.g. {@code 1.2.3}
     * @throws IOException when it cannot be written
     */
    public static void writeLayout(Path layout, Descriptor index, List<String> tags) throws IOException {
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schemaVersion", 2);
        doc.put("mediaType", INDEX);
        List<Object> list = new ArrayList<>();
        for (String tag : tags) {
            Map<String, Object> d = descriptor(index);
            d.put("annotations", Map.of(REF_NAME, tag));
            list.add(d);
        }
        doc.put("manifests", list);
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(doc));
    }

    /**
     * Writes an OCI layout directory as an {@code oci-archive} (a plain tar of the layout, as
     * containers-transports(5) describes it): entries sorted, one time, owner 0, modes 0644/0755.
     *
     * @param layout the layout directory
     * @param time   the time of every entry
     * @param out    the tar file (replaced)
     * @throws IOException on a read or write failure
     */
    public static void writeArchive(Path layout, Instant time, Path out) throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (TarArchiveOutputStream tar = Tar.create(tmp)) {
            List<Path> entries;
            try (var s = Files.walk(layout)) {
                entries = s.filter(p -> !p.equals(layout)).sorted().toList();
            }
            for (Path p : entries) {
                String name = layout.relativize(p).toString().replace('\\', '/');
                if (Files.isDirectory(p)) {
                    TarArchiveEntry e = new TarArchiveEntry(name + "/");
                    Archive.normalize(e, 0755, time);
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                } else {
                    TarArchiveEntry e = new TarArchiveEntry(name);
                    Archive.normalize(e, 0644, time);
                    Tar.putFile(tar, e, p);
                }
            }
            tar.finish();
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** @return the OCI platform variant: {@code v8} for arm64, else {@code null} */
    static String variant(Platform p) {
        return p.arch().equals("arm64") ? "v8" : null;
    }

    private static Map<String, Object> descriptor(Descriptor d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", d.mediaType());
        m.put("digest", d.digest());
        m.put("size", d.size());
        return m;
    }

    private static Descriptor writeJson(Path blobs, String mediaType, Object doc) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(doc);
        String hex = HexFormat.of().formatHex(Layer.sha256().digest(bytes));
        Files.createDirectories(blobs);
        Files.write(blobs.resolve(hex), bytes);
        return new Descriptor(mediaType, "sha256:" + hex, bytes.length);
    }

    /** @return the UTF-8 text of a blob, for tests and messages */
    static String text(Path blobs, String digest) throws IOException {
        return Files.readString(blobs.resolve(digest.substring("sha256:".length())), StandardCharsets.UTF_8);
    }
}
