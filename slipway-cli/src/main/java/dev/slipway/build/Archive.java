package dev.slipway.build;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Writes a layout as a reproducible {@code .tar.gz}: entries sorted, owner and group 0 with empty
 * names, modes 0755/0644, every time set to one instant, gzip header mtime 0 (RFC 1952).
 */
public final class Archive {
    private Archive() {}

    /**
     * Writes {@code layout} under the top directory {@code prefix/} into {@code out}, compressing its
     * {@code runtime/} (if any) here rather than taking it from the runtime cache.
     *
     * @param layout the directory to archive
     * @param prefix the top-level directory name inside the archive
     * @param time   the modification time of every entry
     * @param out    the {@code .tar.gz} file to write (replaced)
     * @throws IOException on a read or write failure
     */
    public static void writeTarGz(Path layout, String prefix, Instant time, Path out) throws IOException {
        Path member = Files.createTempFile(out.toAbsolutePath().getParent(), ".runtime", ".gz");
        try {
            try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(member), 1 << 16)) {
                writeRuntimeMember(layout.resolve("runtime"), prefix, time, java.util.Set.of(), os);
            }
            writeTarGz(layout, prefix, time, member, out);
        } finally {
            Files.deleteIfExists(member);
        }
    }

    /**
     * Writes {@code layout} under the top directory {@code prefix/} into {@code out} as gzip
     * members (RFC 1952 allows several; gzip, tar and Java's GZIPInputStream read them as one
     * stream): the tar entries of what sorts before the first kept part, then those of each kept
     * part ({@link KeptParts}: {@code app/lib}, the dependency jars, and each startup archive) and
     * of each run of other entries between them but {@code runtime/}, each in a member of its own
     * without the end-of-archive blocks ({@link Launcher#segments}), then {@code runtimeMember}.
     * Tar entries sort by name, and {@code runtime} sorts after {@code app} and {@code bin}, so the
     * entry order is that of one sorted stream.
     *
     * @param layout        the directory to archive ({@code app/}, {@code bin/}, {@code runtime/})
     * @param prefix        the top-level directory name inside the archive
     * @param time          the modification time of every entry
     * @param runtimeMember the last member, from {@link #writeRuntimeMember} with the same prefix and time
     * @param out           the {@code .tar.gz} file to write (replaced)
     * @throws IOException on a read or write failure
     */
    public static void writeTarGz(Path layout, String prefix, Instant time, Path runtimeMember, Path out)
            throws IOException {
        writeTarGz(layout, prefix, time, runtimeMember, KeptParts.NONE, out);
    }

    /**
     * {@link #writeTarGz(Path, String, Instant, Path, Path)} with the kept parts of {@code parts}.
     *
     * @return the sha256 of the file written, hashed as it was written (so it is not read again)
     */
    static String writeTarGz(Path layout, String prefix, Instant time, Path runtimeMember, KeptParts parts, Path out)
            throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        List<Launcher.Segment> segments = Launcher.segments(layout);
        java.security.MessageDigest sha = dev.slipway.util.Hashing.sha256();
        try (OutputStream os = new java.io.BufferedOutputStream(
                new java.security.DigestOutputStream(Files.newOutputStream(tmp), sha), 1 << 16)) {
            GzipCompressorOutputStream gz = member(new KeepOpen(os));
            TarArchiveOutputStream tar = tar(gz);
            put(tar, new TarArchiveEntry(prefix + "/"), 0755, time);
            tar.closeArchiveEntry();
            int next = !segments.isEmpty() && segments.get(0).part() == null ? 1 : 0;
            putMember(tar, gz, layout, next == 1 ? segments.get(0).paths() : List.of(), prefix, time);
            for (Launcher.Segment s : segments.subList(next, segments.size())) {
                if (s.part() == null) {
                    GzipCompressorOutputStream g = member(new KeepOpen(os));
                    putMember(tar(g), g, layout, s.paths(), prefix, time);
                    continue;
                }
                String key = KeptParts.key(layout, s.part(), s.paths(), "tar member " + prefix + " "
                        + time.getEpochSecond() + " " + time.getNano());
                parts.put(key, ".gz", o -> {
                    GzipCompressorOutputStream g = member(new KeepOpen(o));
                    putMember(tar(g), g, layout, s.paths(), prefix, time);
                }, os);
            }
            Files.copy(runtimeMember, os);
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Writes the archive's second gzip member: the tar entries of a runtime directory as
     * {@code prefix/runtime/...}, then the end-of-archive blocks. It depends only on the runtime,
     * the prefix and the time, so the runtime cache keeps it and a rebuild compresses only the app.
     * Files whose names start with {@code .slipway} (the cache's own) are left out. Without a
     * {@code runtime} directory the member holds only the end-of-archive blocks.
     *
     * @param runtime the linked runtime directory
     * @param prefix  the archive's top-level directory name
     * @param time    the modification time of every entry
     * @param out     where the member goes; not closed
     * @throws IOException on a read or write failure
     */
    public static void writeRuntimeMember(Path runtime, String prefix, Instant time, OutputStream out) throws IOException {
        writeRuntimeMember(runtime, prefix, time, java.util.Set.of(), out);
    }

    /**
     * {@link #writeRuntimeMember(Path, String, Instant, OutputStream)} without some runtime files.
     *
     * @param runtime  the linked runtime directory
     * @param prefix   the archive's top-level directory name
     * @param time     the modification time of every entry
     * @param leaveOut paths relative to the runtime left out (e.g. {@code lib/server/classes.jsa})
     * @param out      where the member goes; not closed
     * @throws IOException on a read or write failure
     */
    public static void writeRuntimeMember(Path runtime, String prefix, Instant time, java.util.Set<String> leaveOut,
                                          OutputStream out) throws IOException {
        GzipCompressorOutputStream gz = member(new KeepOpen(out));
        TarArchiveOutputStream tar = tar(gz);
        if (!Files.isDirectory(runtime)) {
            tar.close();
            return;
        }
        putPath(tar, runtime, prefix + "/runtime", time);
        for (Path p : Launcher.sortedEntries(runtime)) {
            String rel = Launcher.relativeName(runtime, p);
            if (!rel.startsWith(".slipway") && !leaveOut.contains(rel)) {
                putPath(tar, p, prefix + "/runtime/" + rel, time);
            }
        }
        tar.close();
    }

    /**
     * Ends a gzip member with the tar entries of {@code paths}, without the end-of-archive blocks
     * (they close the runtime member).
     */
    private static void putMember(TarArchiveOutputStream tar, GzipCompressorOutputStream gz, Path layout, List<Path> paths,
                                  String prefix, Instant time) throws IOException {
        for (Path p : paths) {
            putPath(tar, p, prefix + "/" + Launcher.relativeName(layout, p), time);
        }
        tar.flush();
        gz.close();
    }

    private static void putPath(TarArchiveOutputStream tar, Path p, String name, Instant time) throws IOException {
        if (Files.isSymbolicLink(p)) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
            put(tar, e, 0777, time);
        } else if (Files.isDirectory(p)) {
            put(tar, new TarArchiveEntry(name + "/"), 0755, time);
        } else {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(Files.size(p));
            put(tar, e, Launcher.modeOf(p), time);
            Files.copy(p, tar);
        }
        tar.closeArchiveEntry();
    }

    /** A gzip member (level 6, header mtime 0). */
    private static GzipCompressorOutputStream member(OutputStream out) throws IOException {
        GzipParameters gp = new GzipParameters();
        gp.setCompressionLevel(Deflater.DEFAULT_COMPRESSION);
        gp.setModificationTime(0);
        return new GzipCompressorOutputStream(out, gp);
    }

    /**
     * A tar stream with 512-byte records, so that every entry reaches {@code out} when it is closed
     * and a stream split between entries needs no padding (the end is two zero blocks).
     */
    private static TarArchiveOutputStream tar(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, 512);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        return tar;
    }

    /**
     * Passes writes through whole (FilterOutputStream alone would split arrays into single bytes)
     * and keeps the underlying stream open on close, so that one gzip member can end while the
     * file goes on.
     */
    static final class KeepOpen extends java.io.FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    private static void put(TarArchiveOutputStream tar, TarArchiveEntry e, int mode, Instant time) throws IOException {
        normalize(e, mode, time);
        tar.putArchiveEntry(e);
    }

    /**
     * Opens a reproducible tar.gz stream: gzip level 6 with header mtime 0 (RFC 1952), POSIX (PAX)
     * headers for long names and big numbers.
     *
     * @param out where the compressed bytes go; closed with the returned stream
     * @return the tar stream
     * @throws IOException when the gzip header cannot be written
     */
    public static TarArchiveOutputStream openTarGz(OutputStream out) throws IOException {
        GzipParameters gp = new GzipParameters();
        gp.setCompressionLevel(Deflater.DEFAULT_COMPRESSION);
        gp.setModificationTime(0);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out, gp));
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        return tar;
    }

    /**
     * Makes an entry reproducible: the given permission bits with the entry's type bits, owner and
     * group 0 with empty names, and one modification time.
     *
     * @param e    the entry
     * @param mode permission bits, e.g. 0755
     * @param time the modification time
     */
    public static void normalize(TarArchiveEntry e, int mode, Instant time) {
        e.setMode((e.isDirectory() ? 0040000 : e.isSymbolicLink() ? 0120000 : 0100000) | mode);
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(java.nio.file.attribute.FileTime.from(time));
    }
}
