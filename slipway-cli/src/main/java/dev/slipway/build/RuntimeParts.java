package dev.slipway.build;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The runtime's two compressed parts, started on a thread of their own as soon as the runtime is
 * there ({@link LinkRuntime}), so that they are compressed beside the layout, the training run and
 * the AppCDS dump instead of after them: the single file's zstd frame ({@link RuntimeCache#member})
 * first, then the {@code .tar.gz}'s gzip member ({@link RuntimeCache#tarMember}). Both depend only
 * on the runtime's files, the files left out of it, the compression and (the member) the archive's
 * prefix and time, so the bytes are the same whichever thread writes them and whenever.
 *
 * <p>What is left out is known only after training (the default CDS archive goes when an AOT cache
 * or a build-time AppCDS archive replaces it, {@link Pack}), so it is expected here
 * ({@link #expectedLeaveOut}); when {@link Pack} leaves out something else (the JDK 17 dump failed)
 * it asks for parts that were not started, and they are written then, on its own threads, as
 * before. {@link #close} stops and waits for the thread, so that a failed or interrupted build
 * leaves nothing writing into {@code dist/.work} or the runtime cache.
 */
final class RuntimeParts implements AutoCloseable {
    private final RuntimeCache cache;
    private final RuntimeCache.Runtime runtime;
    private final Set<String> leaveOut;
    private final Compression compression;
    private final String prefix;
    private final Path scratch;
    private final ExecutorService thread;
    private final Future<Path> member;
    private final Future<Path> tarMember;

    /**
     * Starts compressing {@code runtime}'s two parts on a new thread.
     *
     * @param cache       the runtime cache that keeps the parts (or writes them into {@code scratch})
     * @param runtime     the runtime
     * @param leaveOut    the runtime-relative paths expected to be left out ({@link #expectedLeaveOut})
     * @param compression the build's purpose, which sets the frame's zstd level
     * @param prefix      the archive's top directory, e.g. {@code myapp_1.0.0_linux_amd64}
     * @param scratch     where parts of an uncached runtime go ({@code dist/.work})
     * @param threadName  the thread's name, e.g. {@code slipway linux-amd64 runtime parts}
     */
    RuntimeParts(RuntimeCache cache, RuntimeCache.Runtime runtime, Set<String> leaveOut, Compression compression,
                 String prefix, Path scratch, String threadName) {
        this.cache = cache;
        this.runtime = runtime;
        this.leaveOut = Set.copyOf(leaveOut);
        this.compression = compression;
        this.prefix = prefix;
        this.scratch = scratch;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true); // never what keeps the JVM alive: close() has stopped it before the build returns
            return t;
        });
        this.member = thread.submit(() -> {
            Path frame = cache.member(runtime, this.leaveOut, compression, scratch);
            dev.slipway.Trace.mark(threadName + ": the runtime's zstd frame written");
            return frame;
        });
        this.tarMember = thread.submit(() -> {
            Path gz = cache.tarMember(runtime, prefix, BuildInfo.FILE_TIME, this.leaveOut, scratch);
            dev.slipway.Trace.mark(threadName + ": the runtime's gzip member written");
            return gz;
        });
        thread.shutdown(); // no more tasks; the two above run to the end unless close() interrupts them
    }

    /**
     * Starts compressing the platform's runtime ({@code c.runtime}) with the files {@link Pack} is
     * expected to leave out of it.
     *
     * @param c the platform's build, its runtime linked or taken from the runtime cache
     * @return the parts being written
     */
    static RuntimeParts start(PlatformContext c) {
        return new RuntimeParts(c.build.runtimes, c.runtime, expectedLeaveOut(c), c.build.options().compression(), c.id,
                c.build.work(), "slipway " + c.platform + " runtime parts");
    }

    /**
     * What {@link Pack} is expected to leave out of the runtime: its default CDS archive
     * ({@link Pack#DEFAULT_CDS}) when the platform is trained into a JDK 24+ AOT cache or a JDK
     * 17-19 AppCDS archive made at build time (which replace it), else nothing (JDK 20-23 dynamic
     * archives sit on top of the default one).
     *
     * @param c the platform's build
     * @return the runtime-relative paths expected to be left out
     */
    static Set<String> expectedLeaveOut(PlatformContext c) {
        int feature = c.target.feature();
        boolean trained = Training.skipReason(c.config(), feature, c.forHost).isEmpty();
        return trained && (feature >= 24 || Training.dumpsOnFirstRun(feature)) ? Pack.DEFAULT_CDS : Set.of();
    }

    /**
     * The single file's runtime frame: the one started here when {@code leaveOut} is what was
     * expected (waiting for it), else written now.
     *
     * @param leaveOut the runtime files {@link Pack} leaves out
     * @return the frame file
     * @throws dev.slipway.SlipwayException (exit 1) when it cannot be written, with the cause's line
     */
    Path member(Set<String> leaveOut) {
        return this.leaveOut.equals(leaveOut) ? PlatformBuilds.join(member)
                : cache.member(runtime, leaveOut, compression, scratch);
    }

    /**
     * The {@code .tar.gz}'s runtime member: the one started here when {@code leaveOut} is what was
     * expected (waiting for it), else written now.
     *
     * @param leaveOut the runtime files {@link Pack} leaves out
     * @return the member file
     * @throws dev.slipway.SlipwayException (exit 1) when it cannot be written, with the cause's line
     */
    Path tarMember(Set<String> leaveOut) {
        return this.leaveOut.equals(leaveOut) ? PlatformBuilds.join(tarMember)
                : cache.tarMember(runtime, prefix, BuildInfo.FILE_TIME, leaveOut, scratch);
    }

    /**
     * Stops the thread if it still writes (an interrupt: the file channels it writes and reads
     * close, so it ends at once) and waits until it has ended; the parts it wrote stay.
     */
    @Override
    public void close() {
        member.cancel(true);
        tarMember.cancel(true);
        thread.shutdownNow();
        try {
            // An interrupted write ends within milliseconds; a minute is only a bound.
            if (!thread.awaitTermination(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the runtime's compression did not stop within a minute of an interrupt");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
