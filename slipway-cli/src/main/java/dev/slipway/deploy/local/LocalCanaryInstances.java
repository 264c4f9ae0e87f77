package dev.slipway.deploy.local;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.ServiceProcess;
import dev.slipway.util.FileLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The instances the local canary ({@code canary.LocalCanaryTarget}) started, as {@code slipway stop}
 * on the local target sees them: directories under {@code .slipway/local/canary/instances/<address>/}
 * with a {@code pid}, a {@code version}, a {@code track} and the {@code port} each was started on.
 * Read from those files, so that {@code deploy/} does not import {@code canary/} (which imports
 * {@code deploy/}), as {@code hosts/CanaryGuard} reads the hosts canary's state.
 *
 * <p>A stop holds the canary's lock ({@code .slipway/local/canary.lock}, the one {@code CanaryRun}
 * holds while it drives a canary), so no canary starts instances while they stop, and it refuses
 * while a {@code slipway canary} or {@code promote} holds it.
 */
final class LocalCanaryInstances {
    /** The {@link DeployPlan.Step#where()} prefix of a stop step for one of these instances. */
    static final String WHERE = "canary ";

    private final SlipwayConfig config;
    private final Path instances;
    private final Path lockFile;

    /** @param config the service configuration (port, drain timeout, {@code canary.local} for old instances' track) */
    LocalCanaryInstances(SlipwayConfig config) {
        this.config = config;
        Path dir = config.serviceDir().resolve(".slipway").resolve("local");
        this.instances = dir.resolve("canary").resolve("instances");
        this.lockFile = dir.resolve("canary.lock");
    }

    /**
     * One running instance.
     *
     * @param address the instance's address ({@code canary.local})
     * @param process its process
     * @param line    how it is named, e.g. {@code stable instance 127.0.4.1:8080 (1.0.0)}
     */
    record Running(String address, ServiceProcess process, String line) {}

    /** @return the instances that run now, by address; empty when no local canary ever ran */
    List<Running> running() {
        if (!Files.isDirectory(instances)) {
            return List.of();
        }
        List<Path> dirs;
        try (java.util.stream.Stream<Path> l = Files.list(instances)) {
            dirs = l.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw SlipwayException.failed("cannot list " + instances + ": " + e.getMessage(), e);
        }
        List<Running> out = new ArrayList<>();
        for (Path d : dirs) {
            ServiceProcess p = new ServiceProcess(d.resolve("pid"));
            if (p.running().isEmpty()) {
                continue;
            }
            String address = d.getFileName().toString().replace('_', ':');
            String track = read(d.resolve("track"));
            if (track == null) {
                track = config.canary().local().stable().contains(address) ? "stable"
                        : config.canary().local().canary().contains(address) ? "canary" : "canary-target";
            }
            String version = read(d.resolve("version"));
            out.add(new Running(address, p, track + " instance " + (address.contains(":") ? "[" + address + "]" : address)
                    + ":" + portOf(d) + " (" + (version == null ? "-" : version) + ")"));
        }
        return out;
    }

    /**
     * @param r a running instance
     * @return its stop step, for a stop plan
     */
    DeployPlan.Step step(Running r) {
        return new DeployPlan.Step(DeployPlan.Kind.STOP, WHERE + r.address(), 0, "stop the local canary's " + r.line()
                + " (pid " + r.process().running().map(ProcessHandle::pid).map(String::valueOf).orElse("?")
                + "): SIGTERM, SIGKILL after " + Console.seconds(config.service().drainTimeout()));
    }

    /**
     * Takes the canary's lock for a stop.
     *
     * @return the held lock, or {@code null} when no local canary ever ran (nothing to hold)
     * @throws SlipwayException (exit 2) while a {@code slipway canary} or {@code promote} holds it;
     *                          nothing was changed
     */
    FileLock lock() {
        if (!Files.isDirectory(instances)) {
            return null;
        }
        FileLock l;
        try {
            l = FileLock.tryLock(lockFile);
        } catch (java.io.UncheckedIOException e) {
            throw SlipwayException.failed(e.getMessage(), e);
        }
        if (l == null) {
            throw SlipwayException.usage("a 'slipway canary' or 'slipway promote' runs on local (" + lockFile
                    + " is locked); wait for it or run 'slipway abort', then stop; nothing was changed");
        }
        return l;
    }

    /**
     * Stops every instance that runs, side by side (SIGTERM to all, then each waits up to the drain
     * timeout before SIGKILL), found again when called: also one started since the plan was made.
     *
     * @return one line per instance that was running and stopped, sorted
     * @throws SlipwayException (exit 1) when interrupted
     */
    List<String> stopAll() {
        List<Thread> stopping = new ArrayList<>();
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        for (Running r : running()) {
            Thread t = new Thread(() -> {
                if (r.process().stop(config.service().drainTimeout())) {
                    out.add(r.line());
                }
            }, "slipway-stop-" + r.address());
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw SlipwayException.failed("interrupted while the canary's instances stop");
            }
        }
        List<String> sorted = new ArrayList<>(out);
        sorted.sort(null);
        return sorted;
    }

    private int portOf(Path d) {
        String recorded = read(d.resolve("port"));
        try {
            return recorded == null ? config.service().port() : Integer.parseInt(recorded.strip());
        } catch (NumberFormatException e) {
            return config.service().port();
        }
    }

    private static String read(Path f) {
        try {
            return Files.isRegularFile(f) ? Files.readString(f).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
