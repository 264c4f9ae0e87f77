package dev.slipway.release;

import dev.slipway.util.Tar;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.TimeZone;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Release archives: the build's layout ({@code bin/ runtime/ app/}) under a top directory named
 * by {@code release.archives.nameTemplate}, plus the extra files, as {@code .tar.gz} or
 * {@code .zip}.
 *
 * <p>Reproducible like the build's archive: entries in the build's (sorted) order, then the extra
 * files sorted by path (an extra file that is a symbolic link stays a link, relative, inside the
 * archive); owner and group 0 with empty names; every time set to the build time
 * (the commit time, or {@code SOURCE_DATE_EPOCH}); gzip header mtime 0. Zip has no time zone, so
 * zip entries hold the build time's UTC wall clock.
 */
public final class Archives {
    private Archives() {}

    /**
     * An extra file for the archive.
     *
     * @param source the file on disk
     * @param name   its path inside the archive, below the top directory, with {@code /} separators
     */
    public record Extra(Path source, String name) {}

    /**
     * Writes a release archive from the build's {@code .tar.gz}.
     *
     * @param buildArchive the build's {@code .tar.gz} (one top directory holding the layout)
     * @param top          the top directory name in the new archive (the archive name without extension)
     * @param format       {@code tar.gz} or {@code zip}
     * @param extras       extra files
     * @param time         the time of every entry
     * @param out          the archive to write; replaced atomically, and may be {@code buildArchive}
     * @throws IOException on read or write failure
     */
    public static void write(Path buildArchive, String top, String format, List<Extra> extras, Instant time,
                             Path out) throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (TarArchiveInputStream in = Tar.gzipped(buildArchive);
             OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            Sink sink = format.equals("zip") ? new ZipSink(os, time) : new TarSink(os, time);
            sink.directory(top + "/");
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                String name = e.getName();
                int slash = name.indexOf('/');
                String rest = slash < 0 ? "" : name.substring(slash + 1);
                if (rest.isEmpty()) {
                    continue; // the old top directory
                }
                String newName = top + "/" + rest;
                if (e.isDirectory()) {
                    sink.directory(newName.endsWith("/") ? newName : newName + "/");
                } else if (e.isSymbolicLink()) {
                    sink.symlink(newName, e.getLinkName());
                } else {
                    sink.file(newName, e.getMode() & 0777, e.getSize(), in);
                }
            }
            for (Extra x : extras.stream().sorted(java.util.Comparator.comparing(Extra::name)).toList()) {
                if (Files.isSymbolicLink(x.source())) {
                    sink.symlink(top + "/" + x.name(), linkTarget(x));
                    continue;
                }
                int mode = Files.isExecutable(x.source()) ? 0755 : 0644;
                try (InputStream xin = Files.newInputStream(x.source())) {
                    sink.file(top + "/" + x.name(), mode, Files.size(x.source()), xin);
                }
            }
            sink.finish();
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * @return the target of an extra file that is a symbolic link, relative to the link's directory
     *         in the archive (an absolute link is made relative to the link's directory on disk)
     * @throws IOException when the target would lie outside the archive's top directory
     */
    private static String linkTarget(Extra x) throws IOException {
        Path raw = Files.readSymbolicLink(x.source());
        Path dir = x.source().getParent();
        Path rel = dir.relativize(dir.resolve(raw).normalize());
        Path inArchive = Path.of(x.name()).getParent();
        Path resolved = (inArchive == null ? rel : inArchive.resolve(rel)).normalize();
        if (rel.toString().isEmpty() || resolved.startsWith("..") || resolved.isAbsolute()) {
            throw new IOException("extra file " + x.name() + " is a symbolic link to " + raw
                    + ", which is outside the archive");
        }
        return rel.toString().replace('\\', '/');
    }

    private interface Sink {
        void directory(String name) throws IOException;

        void symlink(String name, String target) throws IOException;

        void file(String name, int mode, long size, InputStream data) throws IOException;

        void finish() throws IOException;
    }

    private static final class TarSink implements Sink {
        private final TarArchiveOutputStream tar;
        private final Instant time;

        TarSink(OutputStream os, Instant time) throws IOException {
            this.tar = dev.slipway.build.Archive.openTarGz(os);
            this.time = time;
        }

        private void put(TarArchiveEntry e, int mode) throws IOException {
            dev.slipway.build.Archive.normalize(e, mode, time);
            tar.putArchiveEntry(e);
        }

        @Override
        public void directory(String name) throws IOException {
            put(new TarArchiveEntry(name), 0755);
            tar.closeArchiveEntry();
        }

        @Override
        public void symlink(String name, String target) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(target);
            put(e, 0777);
            tar.closeArchiveEntry();
        }

        @Override
        public void file(String name, int mode, long size, InputStream data) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(size);
            put(e, mode);
            copy(data, tar, size);
            tar.closeArchiveEntry();
        }

        @Override
        public void finish() throws IOException {
            tar.finish();
            tar.close();
        }
    }

    private static final class ZipSink implements Sink {
        private final ZipArchiveOutputStream zip;
        private final long dosTime;

        ZipSink(OutputStream os, Instant time) {
            this.zip = new ZipArchiveOutputStream(os);
            zip.setLevel(Deflater.DEFAULT_COMPRESSION);
            // DOS times are local wall-clock times; shift so that any time zone writes the UTC wall clock.
            long t = time.toEpochMilli();
            this.dosTime = t - TimeZone.getDefault().getOffset(t);
        }

        private ZipArchiveEntry entry(String name, int unixMode) {
            ZipArchiveEntry e = new ZipArchiveEntry(name);
            e.setTime(dosTime);
            e.setUnixMode(unixMode);
            return e;
        }

        @Override
        public void directory(String name) throws IOException {
            zip.putArchiveEntry(entry(name, 0040755));
            zip.closeArchiveEntry();
        }

        @Override
        public void symlink(String name, String target) throws IOException {
            zip.putArchiveEntry(entry(name, 0120777));
            zip.write(target.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
        }

        @Override
        public void file(String name, int mode, long size, InputStream data) throws IOException {
            zip.putArchiveEntry(entry(name, 0100000 | mode));
            copy(data, zip, size);
            zip.closeArchiveEntry();
        }

        @Override
        public void finish() throws IOException {
            zip.finish();
            zip.close();
        }
    }

    private static void copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("archive entry ended early");
            }
            out.write(buf, 0, n);
            left -= n;
        }
    }
}
