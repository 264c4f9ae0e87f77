package dev.slipway.build;

/**
 * How hard a build compresses the single file's two kept frames (the runtime's and the dependency
 * jars'), chosen by the build's purpose, as Go's release tooling strips release binaries
 * ({@code -s -w}) while {@code go build} does not. Both are zstd (RFC 8878) with a
 * {@link Launcher#WINDOW_LOG} window and long-distance matching; the app frame
 * ({@link Launcher#APP_LEVEL}) is the same for both, and a release also compresses the startup
 * archive's frame harder ({@link #archiveLevel}). A frame carries its
 * {@link #frameName} in its cache name or key, so each purpose keeps its own frames: a release
 * after a build compresses the runtime once more, and a later release copies that frame.
 * Decoding either takes about the same time (level 19: some 15 ms more CPU per first run of
 * myapp's JDK 25 file; docs/benchmarks.md, f21p).
 */
public enum Compression {
    /**
     * {@code slipway build}, {@code ship} and {@code image}: level 12, zstd's own job size. The
     * kept frames are written once per runtime key and once per set of jars, so a cold build pays
     * them: level 12 keeps that to a few seconds of CPU.
     */
    BUILD,

    /**
     * {@code slipway release}: level 19 (optimal parsing, zstd's highest level without
     * {@code --ultra}) in 16 MiB jobs, so that both of zstd's workers run on a 68 MB runtime (at
     * level 19 with long-distance matching zstd's own job would be 64 MiB) and each job still sees a
     * whole window before it. myapp's JDK 25 single file: 32.2 MB at {@link #BUILD}, 29.7 MB here
     * (runtime frame 1.89 MB and dependency jars' frame 0.70 MB smaller) for about 10-12 times the
     * CPU on those two frames: some 40 s more per new runtime and 15 s per new set of jars
     * (docs/benchmarks.md, f21p).
     */
    RELEASE;

    /**
     * @return the zstd level of both kept frames: the runtime's ({@link Launcher#writeRuntimeMember})
     *         and the dependency jars' ({@link KeptParts#PART})
     */
    public int keptLevel() {
        return this == RELEASE ? 19 : 12;
    }

    /**
     * @return the zstd level of each startup archive's frame ({@link KeptParts#FILES}: the AppCDS
     *         archive or AOT cache, kept by content like the dependency jars): {@link Launcher#APP_LEVEL}
     *         for {@link #BUILD}, whose JDK 24+ builds compress a new AOT cache on every class
     *         change, and 19 for {@link #RELEASE}, in the same jobs as the kept frames. The archives
     *         are pointer-dense metadata that levels 10-15 barely shrink (Spring Boot's 102 MB
     *         AppCDS archive: 23.07 MB at 9, 22.56 at 12, 22.28 at 15); 19 is the first level that
     *         pays: myapp's JDK 25 AOT cache 6.92 → 6.22 MB for about 40 times level 9's CPU
     *         (docs/single-file.md)
     */
    public int archiveLevel() {
        return this == RELEASE ? 19 : Launcher.APP_LEVEL;
    }

    /** @return the zstd job size (log2 bytes) of both kept frames; 0 for zstd's own */
    public int keptJobLog() {
        return this == RELEASE ? 24 : 0;
    }

    /**
     * What shapes a kept frame's bytes besides its contents, as a name part: {@code l<level>-w<window
     * log>}, then {@code -j<job log>} when the job size is not zstd's own. Kept frames carry it in
     * their cache names or keys, so frames written otherwise are never taken for each other.
     *
     * @return {@code l12-w22} for {@link #BUILD}, {@code l19-w22-j24} for {@link #RELEASE}
     */
    public String frameName() {
        return "l" + keptLevel() + "-w" + Launcher.WINDOW_LOG + (keptJobLog() > 0 ? "-j" + keptJobLog() : "");
    }
}
