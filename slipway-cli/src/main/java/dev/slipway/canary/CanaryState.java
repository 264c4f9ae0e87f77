package dev.slipway.canary;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.SlipwayException;
import dev.slipway.analysis.AnalysisJson;
import dev.slipway.analysis.AnalysisResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A canary's persistent state, {@code .slipway/<target>/canary.json} on the deploy machine,
 * rewritten atomically (temp file, rename(2)) after every change, so a rerun after a crash
 * finds the step that was running. It is also the {@code --json} report.
 *
 * @param service       the service name
 * @param target        the target's name
 * @param stableVersion the version the stable instances ran when the canary started
 * @param canaryVersion the canary's version
 * @param canaryCommit  the canary's commit
 * @param canaryRelease the canary's single file (kept by the target)
 * @param phase         where the canary is
 * @param step          the index of the current step (0-based); {@code steps.size()} once all passed
 * @param weight        the canary weight last applied, percent
 * @param started       when the canary started
 * @param updated       when this state was written
 * @param message       the last outcome, e.g. why it was aborted
 * @param steps         one record per step started, in order, with its analysis
 */
public record CanaryState(String service, String target, String stableVersion, String canaryVersion,
                          String canaryCommit, String canaryRelease, Phase phase, int step, int weight,
                          Instant started, Instant updated, String message, List<StepRecord> steps) {

    /** Where a canary is. */
    public enum Phase {
        /** Going through the steps; a process runs it, or it crashed and a rerun resumes it. */
        PROGRESSING,
        /** A step ended inconclusive: waits for {@code slipway promote} or {@code slipway abort} (exit 3). */
        PAUSED,
        /** Promoting: the stable instances are getting the new release. */
        PROMOTING,
        /**
         * Promoted, and the release is watched for {@code canary.bake}: the metrics of the stable
         * track are measured, and a failure undoes the release (back to the stable one recorded).
         */
        BAKING,
        /** Done: the canary's release is stable (exit 0). */
        PROMOTED,
        /** Done: the canary was stopped, stable untouched (exit 1). */
        ABORTED;

        /** @return whether the canary is over */
        public boolean terminal() {
            return this == PROMOTED || this == ABORTED;
        }
    }

    /**
     * One step as it ran.
     *
     * @param index    the step's index, 0-based
     * @param weight   the weight it set
     * @param kind     {@code pause} or {@code analysis}
     * @param started  when it started
     * @param finished when it ended, or {@code null} while it runs
     * @param outcome  {@code pass}, {@code fail}, {@code inconclusive}, {@code paused-done},
     *                 {@code promoted-by-user}, {@code interrupted}, or {@code null} while it runs
     * @param analysis the analysis result of an analysis step (with every measurement), else {@code null}
     */
    public record StepRecord(int index, int weight, String kind, Instant started, Instant finished, String outcome,
                             AnalysisResult analysis) {}

    /**
     * The state's mapper, made on first use: building it (Jackson's ObjectMapper and the analysis
     * module) was most of what {@code slipway status} spent beyond {@code check} for a service
     * with no canary state, whose file is never read.
     */
    private static final class Mapper {
        static final ObjectMapper JSON = AnalysisJson.mapper();
    }

    /** @return the state file of a target: {@code <serviceDir>/.slipway/<target>/canary.json} */
    public static Path file(Path serviceDir, String target) {
        return serviceDir.resolve(".slipway").resolve(target).resolve("canary.json");
    }

    /**
     * @param file the state file
     * @return the state, or {@code null} when there is none
     * @throws SlipwayException (exit 1) when the file is corrupt
     */
    public static CanaryState load(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Mapper.JSON.readValue(file.toFile(), CanaryState.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw SlipwayException.failed("the canary state " + file + (at == null ? "" : ":" + at.getLineNr() + ":"
                    + at.getColumnNr()) + " is not a state Slipway wrote (" + e.getOriginalMessage().lines().findFirst()
                    .orElse("") + "); move it away to start over (the instances keep running as they are)", e);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot read the canary state " + file + ": " + e.getMessage()
                    + "; move it away to start over", e);
        }
    }

    /**
     * Reads a state from its JSON (the {@code --json} report's form), e.g. from an annotation.
     *
     * @param json  the JSON text
     * @param where where it was read, for the message
     * @return the state
     * @throws SlipwayException (exit 1) when it is not a state Slipway wrote
     */
    public static CanaryState parse(String json, String where) {
        try {
            return Mapper.JSON.readValue(json, CanaryState.class);
        } catch (IOException e) {
            throw SlipwayException.failed("the canary state in " + where + " is not a state Slipway wrote ("
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")", e);
        }
    }

    /**
     * Writes the state atomically.
     *
     * @param file the state file
     * @throws SlipwayException (exit 1) when it cannot be written
     */
    public void save(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, toJson().getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot write the canary state " + file + ": " + e.getMessage(), e);
        }
    }

    /** @return the state as indented JSON (the {@code --json} report) */
    public String toJson() {
        try {
            return Mapper.JSON.writeValueAsString(this) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return a copy with another phase, step, weight and message, stamped now */
    CanaryState with(Phase phase, int step, int weight, String message) {
        return new CanaryState(service, target, stableVersion, canaryVersion, canaryCommit, canaryRelease, phase, step,
                weight, started, Instant.now(), message, steps);
    }

    /** @return a copy whose step record {@code r} replaces the one with its index, or is appended */
    CanaryState withStep(StepRecord r) {
        List<StepRecord> s = new ArrayList<>(steps);
        s.removeIf(x -> x.index() == r.index());
        s.add(r);
        s.sort(java.util.Comparator.comparingInt(StepRecord::index));
        return new CanaryState(service, target, stableVersion, canaryVersion, canaryCommit, canaryRelease, phase, step,
                weight, started, Instant.now(), message, List.copyOf(s));
    }
}
