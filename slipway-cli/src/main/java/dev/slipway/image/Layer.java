package dev.slipway.image;

import dev.slipway.build.Archive;
import dev.slipway.util.Hashing;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * One image layer: a reproducible tar (entries sorted by path, every time set to one instant, owner
 * and group fixed, modes as given, parent directories present), gzip-compressed with header mtime 0,
 * as the OCI image spec's layer media type {@code application/vnd.oci.image.layer.v1.tar+gzip}
 * describes ({@code image-spec/layer.md}). Exec bits are kept: a file's mode is what the caller gives.
 *
 * @param digest the sha256 of the compressed blob, {@code sha256:<hex>}
 * @param diffId the sha256 of the uncompressed tar ({@code rootfs.diff_ids} in the image config)
 * @param size   the compressed size in bytes
 * @param uncompressedSize the tar's size in bytes
 * @param file   the blob file
 * @param comment what the layer holds (for the image history), e.g. {@code runtime}
 */
public record Layer(String digest, String diffId, long size, long uncompressedSize, Path file, String comment) {
    /** The media type of a gzip-compressed OCI layer. */
    public static final String MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

    /**
     * An entry of a layer.
     *
     * @param path   the path in the image, relative to {@code /}, no trailing slash
     * @param type   {@code f}ile, {@code d}irectory or {@code l}ink
     * @param source the file's content, for files taken from disk (or {@code null})
     * @param data   the file's content, for generated files (or {@code null})
     * @param link   the target of a symbolic link
     * @param mode   permission bits, e.g. {@code 0755}, {@code 01777}
     * @param uid    owner
     * @param gid    group
     */
    public record Entry(String path, char type, Path source, byte[] data, String link, int mode, int uid, int gid) {
        /** A root-owned file copied from disk, 0755 when its owner may execute it, else 0644. */
        public static Entry file(String path, Path source) {
            return new Entry(path, 'f', source, null, null, Files.isExecutable(source) ? 0755 : 0644, 0, 0);
        }

        /** A root-owned generated file with mode 0644. */
        public static Entry data(String path, byte[] data) {
            return new Entry(path, 'f', null, data, null, 0644, 0, 0);
        }

        /** A directory. */
        public static Entry dir(String path, int mode, int uid, int gid) {
            return new Entry(path, 'd', null, null, null, mode, uid, gid);
        }

        /** A symbolic link. */
        public static Entry link(String path, String target) {
            return new Entry(path, 'l', null, null, target, 0777, 0, 0);
        }
    }

    /**
     * Collects the entries of one layer and writes its blob.
     */
    public static final class Builder {
        private final Map<String, Entry> entries = new TreeMap<>();
        private final String comment;

        /** @param comment what the layer holds, e.g. {@code runtime} */
        public Builder(String comment) {
            this.comment = comment;
        }

        /** Adds (or replaces) an entry; its parent directories are added as 0755 root-owned. */
        public Builder add(Entry e) {
            String p = e.path();
            for (int slash = p.indexOf('/'); slash > 0; slash = p.indexOf('/', slash + 1)) {
                entries.putIfAbsent(p.substring(0, slash), Entry.dir(p.substring(0, slash), 0755, 0, 0));
            }
            entries.put(p, e);
            return this;
        }

        /**
         * Adds a directory tree from disk under a path in the image: files keep their owner-exec
         * bit (0755, else 0644), symbolic links stay links, directories are 0755.
         *
         * @param dir    the tree on disk
         * @param prefix its path in the image, e.g. {@code opt/myapp/runtime}
         * @throws IOException when the tree cannot be read
         */
        public Builder addTree(Path dir, String prefix) throws IOException {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted().toList()) {
                    String rel = dir.relativize(p).toString().replace('\\', '/');
                    String name = rel.isEmpty() ? prefix : prefix + "/" + rel;
                    if (Files.isSymbolicLink(p)) {
                        add(Entry.link(name, Files.readSymbolicLink(p).toString()));
                    } else if (Files.isDirectory(p)) {
                        add(Entry.dir(name, 0755, 0, 0));
                    } else if (!p.getFileName().toString().startsWith(".slipway")) {
                        add(Entry.file(name, p));
                    }
                }
            }
            return this;
        }

        /** @return whether nothing was added */
        public boolean isEmpty() {
            return entries.isEmpty();
        }

        /**
         * Writes the layer blob into {@code blobs} (named by its digest).
         *
         * @param blobs the {@code blobs/sha256} directory of an OCI layout
         * @param time  the modification time of every entry
         * @return the layer
         * @throws IOException on a read or write failure
         */
        public Layer write(Path blobs, Instant time) throws IOException {
            return write(blobs, time, null);
        }

        /**
         * Writes the layer blob, or copies it from a layer cache when an identical layer (same
         * entries, contents, modes, owners and time) was written before: the compressed blob and
         * its digests are then reused instead of compressing again.
         *
         * @param blobs the {@code blobs/sha256} directory of an OCI layout
         * @param time  the modification time of every entry
         * @param cache a directory for cached layers ({@code <key>.tar.gz} and {@code <key>.json}),
         *              or {@code null} for none
         * @return the layer
         * @throws IOException on a read or write failure
         */
        public Layer write(Path blobs, Instant time, Path cache) throws IOException {
            Files.createDirectories(blobs);
            String key = cache == null ? null : key(time);
            if (cache != null && Files.isRegularFile(cache.resolve(key + ".json"))
                    && Files.isRegularFile(cache.resolve(key + ".tar.gz"))) {
                dev.slipway.build.CacheEntries.used(cache.resolve(key + ".json"));
                dev.slipway.build.CacheEntries.used(cache.resolve(key + ".tar.gz"));
                var meta = new com.fasterxml.jackson.databind.ObjectMapper().readTree(cache.resolve(key + ".json").toFile());
                String digest = meta.path("digest").asText();
                Path blob = blobs.resolve(digest.substring(7));
                if (!Files.exists(blob)) {
                    Path tmp = Files.createTempFile(blobs, ".layer", ".tmp");
                    Files.copy(cache.resolve(key + ".tar.gz"), tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, blob, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
                if (Files.size(blob) == meta.path("size").asLong()) {
                    return new Layer(digest, meta.path("diffId").asText(), Files.size(blob),
                            meta.path("uncompressedSize").asLong(), blob, comment);
                }
            }
            Layer layer = writeFresh(blobs, time);
            if (cache != null) {
                Files.createDirectories(cache);
                Path tmp = Files.createTempFile(cache, key, ".tmp");
                Files.copy(layer.file(), tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, cache.resolve(key + ".tar.gz"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                Path meta = Files.createTempFile(cache, key, ".tmp");
                Files.writeString(meta, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(java.util.Map.of(
                        "digest", layer.digest(), "diffId", layer.diffId(), "size", layer.size(),
                        "uncompressedSize", layer.uncompressedSize())));
                Files.move(meta, cache.resolve(key + ".json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return layer;
        }

        /** sha256 over everything that goes into the tar: format, time, and each entry with its content's hash. */
        private String key(Instant time) throws IOException {
            MessageDigest sha = sha256();
            sha.update(("slipway-layer-1\n" + time.getEpochSecond() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (Entry e : entries.values()) {
                String content = "";
                if (e.type() == 'f') {
                    MessageDigest c = sha256();
                    if (e.data() != null) {
                        c.update(e.data());
                    } else {
                        try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(e.source()), c)) {
                            in.transferTo(OutputStream.nullOutputStream());
                        }
                    }
                    content = HexFormat.of().formatHex(c.digest());
                }
                sha.update((e.path() + '\0' + e.type() + '\0' + e.mode() + '\0' + e.uid() + '\0' + e.gid() + '\0'
                        + e.link() + '\0' + content + '\n').getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 40);
        }

        private Layer writeFresh(Path blobs, Instant time) throws IOException {
            Path tmp = Files.createTempFile(blobs, ".layer", ".tmp");
            MessageDigest compressed = sha256();
            MessageDigest uncompressed = sha256();
            long[] tarSize = {0};
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                 DigestOutputStream gzOut = new DigestOutputStream(file, compressed);
                 GzipCompressorOutputStream gz = new GzipCompressorOutputStream(gzOut, gzip());
                 OutputStream counted = new CountingDigest(gz, uncompressed, tarSize);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(counted)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                for (Entry e : entries.values()) {
                    writeEntry(tar, e, time);
                }
                tar.finish();
            }
            String digest = "sha256:" + HexFormat.of().formatHex(compressed.digest());
            Path blob = blobs.resolve(digest.substring(7));
            Files.move(tmp, blob, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new Layer(digest, "sha256:" + HexFormat.of().formatHex(uncompressed.digest()), Files.size(blob),
                    tarSize[0], blob, comment);
        }

        private static void writeEntry(TarArchiveOutputStream tar, Entry e, Instant time) throws IOException {
            TarArchiveEntry t;
            switch (e.type()) {
                case 'd' -> t = new TarArchiveEntry(e.path() + "/");
                case 'l' -> {
                    t = new TarArchiveEntry(e.path(), TarArchiveEntry.LF_SYMLINK);
                    t.setLinkName(e.link());
                }
                default -> {
                    t = new TarArchiveEntry(e.path());
                    t.setSize(e.data() != null ? e.data().length : Files.size(e.source()));
                }
            }
            Archive.normalize(t, e.mode(), time);
            t.setUserId(e.uid());
            t.setGroupId(e.gid());
            tar.putArchiveEntry(t);
            if (e.type() == 'f') {
                if (e.data() != null) {
                    tar.write(e.data());
                } else {
                    try (InputStream in = Files.newInputStream(e.source())) {
                        in.transferTo(tar);
                    }
                }
            }
            tar.closeArchiveEntry();
        }
    }

    static GzipParameters gzip() {
        GzipParameters gp = new GzipParameters();
        gp.setCompressionLevel(Deflater.DEFAULT_COMPRESSION);
        gp.setModificationTime(0);
        return gp;
    }

    static MessageDigest sha256() {
        return Hashing.sha256();
    }

    /** Passes bytes on while digesting and counting them. */
    private static final class CountingDigest extends java.io.FilterOutputStream {
        private final MessageDigest digest;
        private final long[] count;

        CountingDigest(OutputStream out, MessageDigest digest, long[] count) {
            super(out);
            this.digest = digest;
            this.count = count;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count[0]++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count[0] += len;
        }
    }
}
