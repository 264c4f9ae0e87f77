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
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveOutputStream;
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
 * archive); owner and group 0 with empty names; every time set to one instant (a release gives
 * {@link dev.slipway.build.BuildInfo#FILE_TIME}, the time of the build's files, which a trained
 * cache recorded of the class path jars); gzip header mtime 0. Zip has no time zone, so zip
 * entries hold that instant's UTC wall clock; an instant before 1980, where DOS times start (APPNOTE.TXT
 * 4.4.6), goes in the Info-ZIP extended timestamp (0x5455, seconds since 1970, which unzip(1)
 * restores) and the NTFS time field (0x000a), the DOS field then holding its minimum, 1980-01-01
 * 00:00: the same bytes in every time zone either way.
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
            Sink<?> sink = format.equals("zip") ? new ZipSink(os, time) : new TarSink(os, time);
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

    /**
     * Writes entries to a tar.gz or a zip: an entry per directory, link or file, each put, given
     * its data, and closed the same way; the formats differ only in how an entry is made and in
     * where a link's target goes.
     *
     * @param <E> the format's entry type
     */
    private abstract static class Sink<E extends ArchiveEntry> {
        private final ArchiveOutputStream<E> out;

        Sink(ArchiveOutputStream<E> out) {
            this.out = out;
        }

        /**
         * @param name the entry's path, with {@code /} separators ({@code /} at the end for a directory)
         * @param kind {@code 'd'} directory, {@code 'l'} symbolic link, {@code 'f'} regular file
         * @param mode the permission bits (0755, 0644, ...)
         * @param size a file's size in bytes; 0 otherwise
         * @param link a link's target, or {@code null}
         * @return the reproducible entry (owner, group and time fixed)
         */
        abstract E entry(String name, char kind, int mode, long size, String link);

        /** @return the bytes stored as a link's data: none in a tar (the entry names the target), the target in a zip */
        abstract byte[] linkData(String target);

        void directory(String name) throws IOException {
            out.putArchiveEntry(entry(name, 'd', 0755, 0, null));
            out.closeArchiveEntry();
        }

        void symlink(String name, String target) throws IOException {
            out.putArchiveEntry(entry(name, 'l', 0777, 0, target));
            byte[] data = linkData(target);
            if (data.length > 0) {
                out.write(data);
            }
            out.closeArchiveEntry();
        }

        void file(String name, int mode, long size, InputStream data) throws IOException {
            out.putArchiveEntry(entry(name, 'f', mode, size, null));
            copy(data, out, size);
            out.closeArchiveEntry();
        }

        void finish() throws IOException {
            out.finish();
            out.close();
        }
    }

    private static final class TarSink extends Sink<TarArchiveEntry> {
        private final Instant time;

        TarSink(OutputStream os, Instant time) throws IOException {
            super(dev.slipway.build.Archive.openTarGz(os));
            this.time = time;
        }

        @Override
        TarArchiveEntry entry(String name, char kind, int mode, long size, String link) {
            TarArchiveEntry e = kind == 'l' ? new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK) : new TarArchiveEntry(name);
            if (link != null) {
                e.setLinkName(link);
            }
            e.setSize(size);
            dev.slipway.build.Archive.normalize(e, mode, time);
            return e;
        }

        @Override
        byte[] linkData(String target) {
            return new byte[0];
        }
    }

    private static final class ZipSink extends Sink<ZipArchiveEntry> {
        /** Before this, the local wall clock is before 1980 in every time zone (offsets up to +14 h). */
        private static final Instant BEFORE_DOS_TIME = Instant.parse("1979-12-31T00:00:00Z");
        private final long dosTime;
        /** The time for the extended timestamp fields, or null for a DOS time alone. */
        private final java.nio.file.attribute.FileTime extended;

        ZipSink(OutputStream os, Instant time) {
            super(zip(os));
            // DOS times are local wall-clock times; shift so that any time zone writes the UTC wall clock.
            long t = time.toEpochMilli();
            this.dosTime = t - TimeZone.getDefault().getOffset(t);
            this.extended = time.isBefore(BEFORE_DOS_TIME) ? java.nio.file.attribute.FileTime.from(time) : null;
        }

        private static ZipArchiveOutputStream zip(OutputStream os) {
            ZipArchiveOutputStream zip = new ZipArchiveOutputStream(os);
            zip.setLevel(Deflater.DEFAULT_COMPRESSION);
            return zip;
        }

        @Override
        ZipArchiveEntry entry(String name, char kind, int mode, long size, String link) {
            ZipArchiveEntry e = new ZipArchiveEntry(name);
            if (extended != null) {
                e.setLastModifiedTime(extended); // DOS field 1980-01-01 00:00, the time in 0x5455 and 0x000a
            } else {
                e.setTime(dosTime);
            }
            e.setUnixMode((kind == 'd' ? 0040000 : kind == 'l' ? 0120000 : 0100000) | mode);
            return e;
        }

        @Override
        byte[] linkData(String target) {
            return target.getBytes(java.nio.charset.StandardCharsets.UTF_8);
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
