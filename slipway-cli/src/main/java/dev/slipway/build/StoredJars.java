package dev.slipway.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Re-writes the jars of a layout with every entry STORED (zip method 0, APPNOTE.TXT 4.4.5), so
 * that the single file's payload, compressed as one stream with a long window, finds the
 * repetition across classes and jars that per-entry deflate hides: deflating a deflated jar again
 * wins nothing.
 *
 * <p>A re-written jar has the same entries in the same order with the same names, contents,
 * CRC-32s, times, extra fields and comments; only the compression method and sizes of the
 * compressed data change. The JVM reads it as before (and a little faster: nothing to inflate),
 * and a signed jar still verifies, since its signature files digest entry contents, not
 * compressed bytes (JAR File Specification, "Signed JAR File"). Equal input jars give equal
 * output bytes. A file that is not a readable zip is left as it is.
 */
public final class StoredJars {
    private StoredJars() {}

    /** The directory of re-written dependency jars under Slipway's cache; the number is the format's. */
    public static final String CACHE = "stored-1";

    /**
     * Re-writes every {@code *.jar} under {@code dir} (recursively) with its entries STORED, in
     * place; jars already all STORED are left untouched.
     *
     * @param dir a layout's {@code app/} directory
     * @return how many jars were re-written
     * @throws IOException when a jar cannot be written
     */
    public static int storeAll(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> jars;
        try (Stream<Path> s = Files.walk(dir)) {
            jars = s.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted().toList();
        }
        int n = 0;
        for (Path jar : jars) {
            if (store(jar)) {
                n++;
            }
        }
        return n;
    }

    /**
     * {@link #storeAll(Path)}, taking the dependencies' re-written jars ({@code lib/*.jar}) from a
     * cache keyed by the input jar's size and 64-bit check of its bytes ({@link KeptOutputs#check},
     * as the kept parts are: sha256 of the 13-30 MB of a service's jars was a tenth of a second or
     * more of every build in the CLI's C1-only JVM), and keeping there those it re-writes:
     * a rebuild finds the same dependency jars, and re-writing them (inflating every entry) was a
     * second of each build. The output depends on the input bytes only, so a cached jar is the one
     * {@link #store} would write. Cached jars are copied, never linked: the layout gives its
     * jars the fixed {@link BuildInfo#FILE_TIME} as mtime. The app's own jars change with every build and are not kept.
     *
     * @param dir   a layout's {@code app/} directory
     * @param cache the cache directory ({@code <cache>/stored-1}), or null for none
     * @return how many jars were re-written or taken from the cache
     * @throws IOException when a jar or the cache cannot be written
     */
    public static int storeAll(Path dir, Path cache) throws IOException {
        if (cache == null || !Files.isDirectory(dir)) {
            return storeAll(dir);
        }
        List<Path> jars;
        try (Stream<Path> s = Files.walk(dir)) {
            jars = s.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted().toList();
        }
        int n = 0;
        byte[] buffer = new byte[1 << 16];
        for (Path jar : jars) {
            boolean dependency = dir.relativize(jar).getNameCount() == 2 && dir.relativize(jar).getName(0).toString().equals("lib");
            if (!dependency) {
                n += store(jar) ? 1 : 0;
                continue;
            }
            Path cached = cache.resolve(KeptOutputs.check(jar, buffer).replace(' ', '-') + ".jar");
            if (Files.isRegularFile(cached)) {
                CacheEntries.used(cached);
                Path tmp = jar.resolveSibling(jar.getFileName() + ".stored.tmp");
                Files.copy(cached, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                n++;
            } else if (store(jar)) {
                n++;
                Files.createDirectories(cache);
                Path tmp = Files.createTempFile(cache, ".stored", ".tmp");
                try {
                    Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
        return n;
    }

    /**
     * Re-writes one jar with its entries STORED, in place (through a temporary file beside it and
     * an atomic rename).
     *
     * @param jar the jar
     * @return whether it was re-written (false: not a readable zip, or nothing was compressed)
     * @throws IOException when the new jar cannot be written
     */
    public static boolean store(Path jar) throws IOException {
        ZipFile zip;
        try {
            zip = ZipFile.builder().setPath(jar).get();
        } catch (IOException notAZip) {
            return false;
        }
        Path tmp = jar.resolveSibling(jar.getFileName() + ".stored.tmp");
        try (ZipFile in = zip) {
            List<ZipArchiveEntry> entries = Collections.list(in.getEntriesInPhysicalOrder());
            if (entries.stream().allMatch(e -> e.getMethod() == ZipArchiveEntry.STORED)) {
                return false;
            }
            try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(tmp)) {
                out.setEncoding("UTF-8");
                for (ZipArchiveEntry e : entries) {
                    ZipArchiveEntry copy = new ZipArchiveEntry(e);
                    copy.setMethod(ZipArchiveEntry.STORED);
                    copy.setCompressedSize(e.getSize());
                    out.putArchiveEntry(copy);
                    if (!e.isDirectory()) {
                        try (InputStream data = in.getInputStream(e)) {
                            data.transferTo(out);
                        }
                    }
                    out.closeArchiveEntry();
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            if (e instanceof java.util.zip.ZipException || e instanceof IllegalArgumentException) {
                return false; // an entry it cannot read (an unsupported method): keep the jar as it is
            }
            throw e;
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /** @return the zip files named {@code *.jar} under {@code dir} whose entries are not all STORED, for tests and checks */
    static List<Path> compressed(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                try (ZipFile z = ZipFile.builder().setPath(p).get()) {
                    if (Collections.list(z.getEntries()).stream().anyMatch(e -> e.getMethod() != ZipArchiveEntry.STORED)) {
                        out.add(p);
                    }
                } catch (java.util.zip.ZipException notAZip) {
                    // left as it is by storeAll
                }
            }
        }
        return out;
    }
}
