package dev.slipway.build;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
     * Writes {@code layout} under the top directory {@code prefix/} into {@code out}.
     *
     * @param layout the directory to archive
     * @param prefix the top-level directory name inside the archive
     * @param time   the modification time of every entry
     * @param out    the {@code .tar.gz} file to write (replaced)
     * @throws IOException on a read or write failure
     */
    public static void writeTarGz(Path layout, String prefix, Instant time, Path out) throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp);
             TarArchiveOutputStream tar = openTarGz(new java.io.BufferedOutputStream(os, 1 << 16))) {
            put(tar, new TarArchiveEntry(prefix + "/"), 0755, time);
            tar.closeArchiveEntry();
            for (Path p : Launcher.sortedEntries(layout)) {
                String name = prefix + "/" + Launcher.relativeName(layout, p);
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
                    tar.closeArchiveEntry();
                    continue;
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
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
