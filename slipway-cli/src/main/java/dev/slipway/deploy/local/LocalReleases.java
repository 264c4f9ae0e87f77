package dev.slipway.deploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.DiskSpace;
import dev.slipway.deploy.EnvFile;
import dev.slipway.deploy.Release;
import dev.slipway.deploy.ReleaseLayout;
import dev.slipway.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The local target's {@code releases/} directory, and its upload part: where a host gets the
 * release's file, this machine installs a whole release directory, {@code releases/<dir>/} with
 * the single file, {@code release.json} (version, commit, sha256, fingerprint, install time,
 * readiness probe) and the environment files, into a temporary directory first, its sha256
 * verified, then renamed: a release here is complete or absent, never half-written. Only complete
 * releases count as held ({@link #complete(String)}), so a rollback refuses {@code ..}, a path or a
 * release a full disk left empty.
 *
 * @param releases the {@code releases} directory ({@code .slipway/local/releases})
 * @param name     the service's name: the single file's name in each release
 * @param console  progress output
 */
public record LocalReleases(Path releases, String name, Console console) {
    /** The per-release environment file ({@link EnvFile}: the hosts' format), mode 0600. */
    public static final String ENV_FILE = "service.env";

    /**
     * Installs a release as {@code releases/<dirName>} with the step every machine target shares
     * ({@link ReleaseLayout#install}: a hidden directory beside the releases, each file written
     * atomically, the single file's sha256 checked, then renamed into place), so that
     * {@code releases/<dir>} is there whole or absent, never half-written. Its files: the single
     * file and {@code release.json} (version, commit, sha256, fingerprint, install time, readiness
     * probe). The environment files follow in a step of their own ({@link #writeEnvs}, the plan's
     * {@code env} step, as on hosts); until then the release is not {@link #complete}, so a run
     * killed between the two leaves nothing a rollback or start would take, and the next deploy
     * installs it again.
     *
     * @param layout      the release layout in the state directory, over this machine
     * @param release     the release
     * @param dirName     its directory's name
     * @param fingerprint what makes the directory (binary, environment, probe), kept in {@code release.json}
     * @param probe       the readiness probe it is deployed with, kept in {@code release.json}
     * @throws SlipwayException (exit 1) when it cannot be installed; nothing was stopped or switched
     */
    public void install(ReleaseLayout layout, Release release, String dirName, String fingerprint, SlipwayConfig.Probe probe) {
        List<ReleaseLayout.File> files = new ArrayList<>();
        try {
            files.add(ReleaseLayout.File.sent(name, 0755, release.executable(), release.sha256()));
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("version", release.version());
            info.put("commit", release.commit());
            info.put("sha256", release.sha256());
            info.put("fingerprint", fingerprint);
            info.put("installed", Instant.now().toString());
            Map<String, Object> readiness = new LinkedHashMap<>();
            readiness.put("type", probe.type().key());
            if (probe.http()) {
                readiness.put("path", probe.path());
            }
            if (probe.grpc()) {
                readiness.put("service", probe.service());
            }
            readiness.put("intervalMs", probe.interval().toMillis());
            readiness.put("timeoutMs", probe.timeout().toMillis());
            readiness.put("startupGraceMs", probe.startupGrace().toMillis());
            info.put("readiness", readiness);
            files.add(ReleaseLayout.File.text("release.json", 0644,
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(info)));
            Files.createDirectories(releases);
            DiskSpace.require(releases, Files.size(release.executable()), "release " + dirName);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot install releases/" + dirName + ": " + e.getMessage()
                    + "; nothing was stopped or switched", e);
        }
        try {
            if (layout.install(dirName, files)) {
                console.progress("  removed the incomplete releases/" + dirName);
            }
        } catch (SlipwayException e) {
            throw SlipwayException.failed("cannot install releases/" + dirName + ": " + e.getMessage()
                    + "; nothing was stopped or switched", e);
        }
    }

    /**
     * Writes a release's environment files ({@link EnvFile}, mode 0600, each atomically) with the
     * step the hosts target's {@code env} step uses ({@link ReleaseLayout#writeEnvs}).
     *
     * @param layout   the release layout in the state directory, over this machine
     * @param dirName  the release directory (installed)
     * @param envFiles the environment files by name ({@link #ENV_FILE}, {@code service.<port>.env})
     * @throws SlipwayException (exit 2) when a value has a line break, nothing was written; exit 1
     *                          when a file cannot be written; nothing was stopped or switched
     */
    public void writeEnvs(ReleaseLayout layout, String dirName, Map<String, Map<String, String>> envFiles) {
        Map<String, String> texts = new LinkedHashMap<>();
        envFiles.forEach((file, env) -> texts.put(file, EnvFile.render(env)));
        try {
            layout.writeEnvs(dirName, texts);
        } catch (SlipwayException e) {
            if (e.exitCode() == 2) {
                throw e;
            }
            throw SlipwayException.failed("cannot write the environment of releases/" + dirName + ": " + e.getMessage()
                    + "; nothing was stopped or switched", e);
        }
    }

    /**
     * @param dirName a release name as a user or the state gives it
     * @return whether it names a complete release here: a plain name (no path, not {@code .} or
     *         {@code ..}, not hidden), a real directory under {@code releases/} holding the
     *         executable single file, the environment file and {@code release.json}
     */
    public boolean complete(String dirName) {
        if (dirName == null || dirName.isEmpty() || dirName.startsWith(".") || dirName.contains("/")
                || dirName.contains("\0")) {
            return false;
        }
        Path d = releases.resolve(dirName);
        Path exe = d.resolve(name);
        return Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(exe, LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(exe)
                && Files.isRegularFile(d.resolve(ENV_FILE), LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(d.resolve("release.json"), LinkOption.NOFOLLOW_LINKS);
    }

    /** @return the complete releases held here, sorted by name */
    public List<String> completeReleases() {
        if (!Files.isDirectory(releases)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(releases)) {
            return s.map(p -> p.getFileName().toString()).filter(this::complete).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** @return every entry of {@code releases/}, complete or not, comma-separated and sorted, or {@code none} */
    public String retained() {
        try (Stream<Path> s = Files.list(releases)) {
            return String.join(", ", s.map(p -> p.getFileName().toString()).sorted().toList());
        } catch (IOException e) {
            return "none";
        }
    }

    /** @return a release's {@code release.json}, or an empty object when it cannot be read */
    public JsonNode info(String dirName) {
        try {
            return Json.MAPPER.readTree(releases.resolve(dirName).resolve("release.json").toFile());
        } catch (IOException e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    /**
     * @param dirName    the release
     * @param configured the configured probe ({@code service.readiness}), for a release without one
     * @return the readiness probe the release was deployed with ({@code release.json}), else {@code configured}
     */
    public SlipwayConfig.Probe probe(String dirName, SlipwayConfig.Probe configured) {
        JsonNode r = info(dirName).path("readiness");
        if (!r.isObject()) {
            return configured;
        }
        // A release.json written before probes had a type is an http probe.
        SlipwayConfig.Probe.Type type = java.util.Arrays.stream(SlipwayConfig.Probe.Type.values())
                .filter(t -> t.key().equals(r.path("type").asText("http"))).findFirst().orElse(SlipwayConfig.Probe.Type.HTTP);
        String path = type != SlipwayConfig.Probe.Type.HTTP ? null
                : r.path("path").asText(configured.http() ? configured.path() : "/health/ready");
        return new SlipwayConfig.Probe(type, path,
                Duration.ofMillis(r.path("intervalMs").asLong(1000)), Duration.ofMillis(r.path("timeoutMs").asLong(30000)),
                Duration.ofMillis(r.path("startupGraceMs").asLong(0)),
                type == SlipwayConfig.Probe.Type.GRPC ? r.path("service").asText("") : null);
    }

    /**
     * @param dirName the release
     * @return the {@code PORT} its {@code service.env} records (the port its instance listens on
     *         without a proxy); empty when the release or the file is missing, or names no number
     */
    public java.util.Optional<Integer> recordedPort(String dirName) {
        Path env = releases.resolve(dirName).resolve(ENV_FILE);
        if (!Files.isRegularFile(env)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Integer.parseInt(readEnv(env).getOrDefault("PORT", "")));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * The environment of a release's instance on {@code port}: {@code service.<port>.env}, written
     * at install for each proxy port; a release installed without them gets {@code service.env}
     * with {@code PORT} replaced (values that expanded {@code ${PORT}} keep the port it was
     * installed for).
     *
     * @param dir  the release directory
     * @param port the instance port
     * @return the environment
     */
    public static Map<String, String> envFor(Path dir, int port) {
        Path own = dir.resolve("service." + port + ".env");
        if (Files.isRegularFile(own)) {
            return readEnv(own);
        }
        Map<String, String> env = readEnv(dir.resolve(ENV_FILE));
        env.put("PORT", String.valueOf(port));
        return env;
    }

    /**
     * Writes an environment file ({@link EnvFile#render}) atomically with mode 0600 (a temporary
     * file made with that mode, then rename(2)): it may hold secrets.
     *
     * @param file the file
     * @param env  the environment
     * @throws IOException when it cannot be written
     * @throws SlipwayException (exit 2) when a value has a line break
     */
    public static void writeEnv(Path file, Map<String, String> env) throws IOException {
        String text = EnvFile.render(env);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads an environment file written by {@link #writeEnv}, or one written before {@link EnvFile} ({@link EnvFile#parse}).
     *
     * @param file the file
     * @return the environment, in the file's order (a mutable map)
     * @throws SlipwayException (exit 1) when it cannot be read
     */
    public static Map<String, String> readEnv(Path file) {
        try {
            return EnvFile.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw SlipwayException.failed("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
