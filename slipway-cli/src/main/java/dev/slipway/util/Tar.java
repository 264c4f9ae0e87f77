package dev.slipway.util;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Writes plain tar files and unpacks tar streams (POSIX.1-2001 pax / ustar, read by commons-compress): build archives, image
 * layers, image archives. Every entry must stay inside the target directory; one that leaves it
 * ({@code ../}, an absolute name) is an {@link IOException}. Symbolic links are made as links.
 */
public final class Tar {
    private Tar() {}

    /** What the unpacked files' modes become. */
    public enum Modes {
        /** The process's defaults (umask). */
        DEFAULT,
        /** {@code rwxr-xr-x} for entries with the owner-execute bit, the defaults for the rest. */
        EXECUTABLE,
        /**
         * The entries' permission bits (not setuid/setgid/sticky), their owners where allowed (as
         * root), and the regular files' modification times: a class-data archive or AOT cache checks
         * the jars' mtimes against those it was made with.
         */
        EXACT
    }

    /**
     * How to unpack.
     *
     * @param stripTop leave out the first component of every name (a build archive's top directory)
     * @param modes    what the modes become
     */
    public record Options(boolean stripTop, Modes modes) {}

    /**
     * Opens a gzip-compressed tar, reading every gzip member (RFC 1952 2.2: a build archive is
     * several members, the app's and the cached runtime's).
     *
     * @param file a {@code .tar.gz}
     * @return the tar stream, to close
     * @throws IOException when it cannot be opened
     */
    public static TarArchiveInputStream gzipped(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        try {
            return new TarArchiveInputStream(new GzipCompressorInputStream(new BufferedInputStream(in, 1 << 16), true));
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    /**
     * @param file an uncompressed tar
     * @return the tar stream, to close
     * @throws IOException when it cannot be opened
     */
    public static TarArchiveInputStream plain(Path file) throws IOException {
        return new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    }

    /**
     * Opens an uncompressed tar for writing, long names as pax headers (POSIX.1-2001), so that a
     * blob path of 64 hex digits and more fits.
     *
     * @param file the tar file (replaced)
     * @return the tar stream, to {@code finish} and close
     * @throws IOException when it cannot be created
     */
    public static TarArchiveOutputStream create(Path file) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        return tar;
    }

    /**
     * Adds a regular file's bytes as one entry.
     *
     * @param tar   the stream
     * @param entry the entry, its name and (besides the size, set here) its header
     * @param file  the file to copy
     * @throws IOException on a read or write failure
     */
    public static void putFile(TarArchiveOutputStream tar, TarArchiveEntry entry, Path file) throws IOException {
        entry.setSize(Files.size(file));
        tar.putArchiveEntry(entry);
        Files.copy(file, tar);
        tar.closeArchiveEntry();
    }

    /**
     * Unpacks a tar stream into a directory (created), replacing files already there.
     *
     * @param tar     the stream; read to its end, not closed
     * @param into    the directory
     * @param options top directory, modes
     * @throws IOException on a read or write failure, or an entry that leaves {@code into}
     */
    public static void extract(TarArchiveInputStream tar, Path into, Options options) throws IOException {
        Files.createDirectories(into);
        Path root = into.toAbsolutePath().normalize();
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String name = e.getName();
            String rel = name;
            if (options.stripTop()) {
                int slash = name.indexOf('/');
                rel = slash < 0 ? "" : name.substring(slash + 1);
            }
            if (rel.isEmpty() || rel.equals("/") || rel.equals("./")) {
                continue;
            }
            Path target = root.resolve(rel).normalize();
            if (!target.startsWith(root) || target.equals(root)) {
                throw new IOException("entry " + name + " leaves the archive");
            }
            if (e.isDirectory()) {
                Files.createDirectories(target);
            } else if (e.isSymbolicLink()) {
                Files.createDirectories(target.getParent());
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                continue;
            } else {
                Files.createDirectories(target.getParent());
                Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
            }
            switch (options.modes()) {
                case DEFAULT -> { }
                case EXECUTABLE -> {
                    if (!e.isDirectory() && (e.getMode() & 0100) != 0) {
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                    }
                }
                case EXACT -> {
                    Files.setPosixFilePermissions(target, permissions(e.getMode()));
                    if (e.isFile()) {
                        Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.from(e.getModTime().toInstant()));
                    }
                    if (e.getLongUserId() != 0 || e.getLongGroupId() != 0) {
                        try { // possible as root only, as in a Dockerfile's build stage
                            Files.setAttribute(target, "unix:uid", (int) e.getLongUserId());
                            Files.setAttribute(target, "unix:gid", (int) e.getLongGroupId());
                        } catch (IOException | UnsupportedOperationException | SecurityException ignored) {
                            // Not root: the owner stays the caller (a Dockerfile's COPY --chown sets it anyway).
                        }
                    }
                }
            }
        }
    }

    /**
     * @param mode a tar entry's mode
     * @return its nine permission bits as a set
     */
    public static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values();
        for (int i = 0; i < 9; i++) {
            if ((mode & (0400 >> i)) != 0) {
                out.add(all[i]);
            }
        }
        return out;
    }
}
