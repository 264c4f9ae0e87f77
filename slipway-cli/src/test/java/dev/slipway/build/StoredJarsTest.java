package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21: jars re-written with stored entries stay valid, keep their entries, and signed ones still verify. */
class StoredJarsTest {
    private static Path tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name);
    }

    private record Result(int code, String out) {}

    private static Result runAny(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " ran over 120 s");
        return new Result(p.exitValue(), out);
    }

    private static String run(Path dir, String... cmd) throws Exception {
        Result r = runAny(dir, cmd);
        assertEquals(0, r.code(), String.join(" ", cmd) + ":\n" + r.out());
        return r.out();
    }

    /** A jar of deflated entries: a manifest, a directory, text that compresses, and a class-like binary. */
    private static void writeJar(Path jar) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().putValue("Manifest-Version", "1.0");
        m.getMainAttributes().putValue("Main-Class", "a.Main");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            out.putNextEntry(new ZipEntry("a/"));
            out.closeEntry();
            ZipEntry text = new ZipEntry("a/notes.txt");
            text.setTime(1_700_000_000_000L);
            out.putNextEntry(text);
            out.write("stored or deflated, the same words ".repeat(400).getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            out.putNextEntry(new ZipEntry("a/Main.class"));
            byte[] bin = new byte[5000];
            new java.util.Random(7).nextBytes(bin);
            out.write(bin);
            out.closeEntry();
        }
    }

    /** @return every entry's name and content, in the jar's order */
    private static Map<String, byte[]> entries(Path jar) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (JarEntry e : Collections.list(jf.entries())) {
                try (InputStream in = jf.getInputStream(e)) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return out;
    }

    private static List<Integer> methods(Path jar) throws Exception {
        List<Integer> out = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            Collections.list(jf.entries()).forEach(e -> out.add(e.getMethod()));
        }
        return out;
    }

    /** The first index of {@code needle} in {@code hay}, or -1 (ISO-8859-1 maps each byte to one char). */
    private static int indexOf(byte[] hay, byte[] needle) {
        return new String(hay, StandardCharsets.ISO_8859_1).indexOf(new String(needle, StandardCharsets.ISO_8859_1));
    }

    @Test
    void aStoredJarHasTheSameEntriesUncompressedAndEqualJarsGiveEqualBytes(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("app/lib/a.jar");
        Files.createDirectories(jar.getParent());
        writeJar(jar);
        Map<String, byte[]> before = entries(jar);
        assertTrue(methods(jar).contains(ZipEntry.DEFLATED), "the test jar starts deflated");
        Path twin = dir.resolve("app/b.jar");
        Files.copy(jar, twin);
        Files.writeString(dir.resolve("app/not-a.jar"), "not a zip");

        assertEquals(2, StoredJars.storeAll(dir.resolve("app")), "two jars re-written, the non-zip left alone");
        assertEquals("not a zip", Files.readString(dir.resolve("app/not-a.jar")));
        assertTrue(methods(jar).stream().allMatch(m -> m == ZipEntry.STORED), methods(jar).toString());
        Map<String, byte[]> after = entries(jar);
        assertEquals(List.copyOf(before.keySet()), List.copyOf(after.keySet()), "same entries in the same order");
        for (String name : before.keySet()) {
            assertArrayEquals(before.get(name), after.get(name), name);
        }
        try (JarFile jf = new JarFile(jar.toFile())) {
            assertEquals("a.Main", jf.getManifest().getMainAttributes().getValue("Main-Class"));
            assertEquals(1_700_000_000_000L, jf.getEntry("a/notes.txt").getTime(), "entry times kept");
        }
        assertArrayEquals(Files.readAllBytes(jar), Files.readAllBytes(twin), "equal jars give equal bytes");
        assertTrue(StoredJars.compressed(dir.resolve("app")).isEmpty());
        assertFalse(StoredJars.store(jar), "a jar already stored is left as it is");
    }

    @Test
    void aSignedJarStillVerifiesAfterItsEntriesAreStored(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("signed.jar");
        writeJar(jar);
        run(dir, tool("keytool").toString(), "-genkeypair", "-keystore", "ks.p12", "-storetype", "PKCS12",
                "-storepass", "secret", "-keypass", "secret", "-alias", "me", "-keyalg", "EC", "-dname", "CN=me",
                "-validity", "3650");
        run(dir, tool("jarsigner").toString(), "-keystore", "ks.p12", "-storepass", "secret", jar.toString(), "me");
        assertTrue(run(dir, tool("jarsigner").toString(), "-verify", jar.toString()).contains("jar verified."));

        assertTrue(StoredJars.store(jar));
        assertTrue(methods(jar).stream().allMatch(m -> m == ZipEntry.STORED), methods(jar).toString());
        // -strict would also fail on the test's self-signed certificate; the digests are what is checked.
        String verify = run(dir, tool("jarsigner").toString(), "-verify", jar.toString());
        assertTrue(verify.contains("jar verified."), verify);
        assertFalse(verify.contains("unsigned"), verify);
        // The check can fail: one byte of a stored entry changed in place breaks its digest.
        byte[] bytes = Files.readAllBytes(jar);
        byte[] words = "the same words".getBytes(StandardCharsets.UTF_8);
        int at = indexOf(bytes, words);
        assertTrue(at > 0, "the stored entry's text is in the file as it is");
        bytes[at] ^= 0x20;
        Path tampered = dir.resolve("tampered.jar");
        Files.write(tampered, bytes);
        Result bad = runAny(dir, tool("jarsigner").toString(), "-verify", tampered.toString());
        assertTrue(bad.code() != 0 && bad.out().contains("digest error"), bad.toString());
        // The JVM's own check: reading every entry of a verifying JarFile throws on a wrong digest
        // and gives the signer's certificates.
        try (JarFile jf = new JarFile(jar.toFile(), true)) {
            JarEntry main = jf.getJarEntry("a/Main.class");
            try (InputStream in = jf.getInputStream(main)) {
                in.readAllBytes();
            }
            assertNotNull(main.getCodeSigners(), "a/Main.class is signed");
        }
    }

    @Test
    void dependencyJarsComeFromTheCacheWithTheBytesAStoreWouldWrite(@TempDir Path dir) throws Exception {
        Path plain = dir.resolve("plain/app/lib");
        Path cached = dir.resolve("cached/app/lib");
        Files.createDirectories(plain);
        Files.createDirectories(cached);
        writeJar(plain.resolve("dep.jar"));
        Files.copy(plain.resolve("dep.jar"), cached.resolve("dep.jar"));
        writeJar(dir.resolve("cached/app/app.jar"));
        byte[] input = Files.readAllBytes(cached.resolve("dep.jar"));
        Path cache = dir.resolve("cache");

        assertEquals(1, StoredJars.storeAll(dir.resolve("plain/app")));
        assertEquals(2, StoredJars.storeAll(dir.resolve("cached/app"), cache));
        byte[] stored = Files.readAllBytes(plain.resolve("dep.jar"));
        assertArrayEquals(stored, Files.readAllBytes(cached.resolve("dep.jar")), "the same bytes with and without the cache");
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(input);
        java.util.zip.CRC32 d = new java.util.zip.CRC32();
        d.update(input);
        Path entry = cache.resolve(input.length + "-" + Long.toHexString(c.getValue()) + "-" + Long.toHexString(d.getValue()) + ".jar");
        assertArrayEquals(stored, Files.readAllBytes(entry), "the cache keeps the re-written jar under its input's size and check");
        try (var s = Files.list(cache)) {
            assertEquals(1, s.count(), "the app's own jar is not kept");
        }

        // A second build: the jar comes from the cache, copied, not linked.
        Files.write(cached.resolve("dep.jar"), input);
        Files.write(entry, stored);
        java.nio.file.attribute.FileTime marked = java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(entry, marked);
        assertEquals(1, StoredJars.storeAll(dir.resolve("cached/app"), cache), "the dependency (the app jar is stored already)");
        assertArrayEquals(stored, Files.readAllBytes(cached.resolve("dep.jar")));
        java.nio.file.attribute.FileTime used = Files.getLastModifiedTime(entry);
        assertTrue(used.compareTo(marked) > 0, "the hit marks the entry used (cache prune keeps it): " + used);
        Files.setLastModifiedTime(cached.resolve("dep.jar"), java.nio.file.attribute.FileTime.fromMillis(0));
        assertEquals(used, Files.getLastModifiedTime(entry), "the layout's jar is a copy: its time is its own");
        assertTrue(StoredJars.compressed(dir.resolve("cached/app")).isEmpty());
    }
}
