package dev.slipway.build;

import dev.slipway.SlipwayException;
import dev.slipway.pipeline.Step;
import dev.slipway.util.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Build step: empties {@code dist/.work} and what a killed build left in {@code dist/}, then builds
 * every platform with {@link BuildPipeline#PLATFORM_STEPS}, two at a time; the results keep the
 * configuration's order. {@link Builder} removes {@code dist/.work} after the build, failed or not.
 */
final class PlatformBuilds implements Step<BuildContext> {
    @Override
    public String describe(BuildContext c) {
        return "platforms " + String.join(", ", c.platforms.stream().map(Platform::toString).toList());
    }

    @Override
    public void run(BuildContext c) throws IOException {
        c.runtimes = new RuntimeCache(Builder.cacheDir());
        Trees.deleteTree(c.work());
        DistLeftovers.remove(c.dist()); // what a killed build left: .payloadNNN.gz, .runtimeNNN.gz, *.tmp
        Files.createDirectories(c.work());
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(2, c.platforms.size()));
        try {
            List<Future<Builder.Result>> futures = new ArrayList<>();
            for (Platform p : c.platforms) {
                futures.add(pool.submit(() -> {
                    PlatformContext pc = new PlatformContext(c, p);
                    try {
                        BuildPipeline.platform().run(pc);
                    } finally {
                        // A failed step leaves nothing compressing into dist/.work or the runtime cache.
                        if (pc.runtimeParts != null) {
                            pc.runtimeParts.close();
                        }
                    }
                    return pc.result;
                }));
            }
            for (Future<Builder.Result> f : futures) {
                c.results.add(join(f));
            }
        } finally {
            pool.shutdownNow();
            // A platform that failed stops the others: wait until they have stopped (their steps end
            // their processes and their runtime's compression on the interrupt) before dist/.work goes.
            try {
                pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits for a build's work on another thread.
     *
     * @param f the work
     * @return its result
     * @throws SlipwayException (exit 1) the work's own, else "build interrupted" when this thread was
     *         interrupted or the work cancelled, else "build failed: " and the cause
     */
    static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SlipwayException.failed("build interrupted");
        } catch (java.util.concurrent.CancellationException e) {
            throw SlipwayException.failed("build interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SlipwayException s) {
                throw s;
            }
            throw SlipwayException.failed("build failed: " + e.getCause(), e.getCause());
        }
    }
}
