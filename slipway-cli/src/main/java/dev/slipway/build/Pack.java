package dev.slipway.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Platform step: writes {@code dist/<id>/<name>} (the single file) and {@code dist/<id>.tar.gz}
 * side by side. Both reuse the runtime's compressed part from the runtime cache (a zstd frame and
 * a gzip member) and the dependency jars' from {@link KeptParts} when they can, and compress the
 * rest in parallel. When the layout has an AOT
 * cache ({@link Training#AOT_FILE}), the runtime's default CDS archive is left out of both: the
 * launcher always passes {@code -XX:AOTCache}, which replaces it (JEP 483), so it would only
 * take room. So it is too when the layout has a JDK 17-19 static AppCDS archive made at build time
 * ({@link Training#BUILT_CDS_FILE}): dumped from the trained class list, it holds the JDK's classes
 * as well as the app's and replaces the default archive; should the JVM refuse it on some machine,
 * the first run dumps one from the class list, which needs no default archive either (only if that
 * dump fails too does the app run without class data sharing).
 */
final class Pack extends PlatformStep {
    /** The runtime's default CDS archive (JDK-8264735 makes it with {@code --generate-cds-archive}). */
    static final Set<String> DEFAULT_CDS = Set.of("lib/server/classes.jsa");

    Pack() {
        super("single file and archive");
    }

    @Override
    public void run(PlatformContext c) throws IOException {
        BuildContext b = c.build;
        byte[] unpacker = Unpacker.forPlatform(c.platform, Builder.cacheDir());
        Path outDir = b.dist().resolve(c.id);
        Files.createDirectories(outDir);
        Path executable = outDir.resolve(c.config().name());
        Path archive = b.dist().resolve(c.id + ".tar.gz");
        Set<String> leaveOut = Files.isRegularFile(c.layout.resolve(Training.AOT_FILE))
                || Files.isRegularFile(c.layout.resolve(Training.BUILT_CDS_FILE)) ? DEFAULT_CDS : Set.of();
        for (String f : leaveOut) {
            Files.deleteIfExists(c.layout.resolve("runtime").resolve(f));
        }
        Path record = KeptOutputs.record(b.config(), c.id);
        Compression compression = b.options().compression();
        String inputs = KeptOutputs.key(c.spec, c.layout, c.id, c.runtime.key(), leaveOut, unpacker, compression);
        // --no-cache links and trains afresh: the runtime's key then no longer names its bytes.
        boolean useCache = b.options().useCache();
        var kept = useCache ? KeptOutputs.find(record, inputs, executable, archive) : Optional.<KeptOutputs.Kept>empty();
        if (kept.isPresent()) {
            c.console().progress("  " + c.platform + " single file and archive kept: what they are made of did not change"
                    + " since they were written");
        } else {
            KeptOutputs.forget(record);
            KeptOutputs.Kept written = write(c, unpacker, executable, archive, leaveOut, compression);
            kept = Optional.of(KeptOutputs.save(useCache ? record : null, inputs, written, executable, archive));
        }
        b.sha256s.put(executable, kept.get().executable());
        b.sha256s.put(archive, kept.get().archive());
        String key = kept.get().cacheKey();
        c.result = new Builder.Result(b.info, c.platform, executable, archive, c.runtimeBytes, b.modules, key,
                c.runtime.cacheHit(), c.spec);
    }

    /**
     * Writes the single file and the {@code .tar.gz} side by side, each hashed by its own thread as
     * it is written; returns the single file's cache key and both files' sha256.
     */
    private static KeptOutputs.Kept write(PlatformContext c, byte[] unpacker, Path executable, Path archive, Set<String> leaveOut,
                                          Compression compression) {
        BuildContext b = c.build;
        // --no-cache writes everything afresh, the dependencies' parts too.
        KeptParts parts = b.options().useCache() ? new KeptParts(Builder.cacheDir().resolve("parts")) : KeptParts.NONE;
        return c.console().timed("writing " + c.platform + " single file and archive", () -> {
            var archiving = CompletableFuture.supplyAsync(() -> {
                try {
                    String sha = Archive.writeTarGz(c.layout, c.id, BuildInfo.FILE_TIME,
                            c.runtimeParts.tarMember(leaveOut),
                            parts, archive);
                    dev.slipway.Trace.mark(c.platform + ": .tar.gz written");
                    return sha;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Launcher.Written k;
            try {
                k = Launcher.writeSingleFile(c.spec, c.layout, unpacker,
                        c.runtimeParts.member(leaveOut), parts, compression, executable);
            } catch (IOException | RuntimeException e) {
                // Never leave the archive writer running (and holding its cache lock) past a failure.
                try {
                    archiving.join();
                } catch (RuntimeException other) {
                    e.addSuppressed(other);
                }
                throw e;
            }
            String archiveSha = archiving.join();
            return new KeptOutputs.Kept(k.cacheKey(), k.sha256(), archiveSha);
        });
    }
}
