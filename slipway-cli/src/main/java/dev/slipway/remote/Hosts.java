package dev.slipway.remote;

import java.time.Duration;
import java.util.Optional;

/** Small questions asked of any {@link Host}. */
public final class Hosts {
    private Hosts() {}

    /**
     * Detects the platform of a host from {@code uname -sm} (POSIX uname(1)).
     *
     * @param host a connected host
     * @return {@code linux-amd64} or {@code linux-arm64}, the platform names of {@code slipway build}
     * @throws HostException when the command fails or the host is neither (the message names both)
     */
    public static String detectPlatform(Host host) {
        Host.CommandResult r = host.run("uname -sm", Duration.ofSeconds(15));
        String out = r.stdout().strip();
        if (!r.ok()) {
            throw new HostException(host.name() + ": `uname -sm` failed (exit " + r.exitCode() + "): " + r.stderr().strip(), null);
        }
        String[] f = out.split("\\s+");
        if (f.length == 2 && f[0].equals("Linux")) {
            switch (f[1]) {
                case "x86_64", "amd64":
                    return "linux-amd64";
                case "aarch64", "arm64":
                    return "linux-arm64";
                default:
                    break;
            }
        }
        throw new HostException(host.name() + ": unsupported platform `" + out
                + "` (uname -sm); slipway builds for linux-amd64 and linux-arm64", null);
    }

    /**
     * The sha256 of a file on a host, to skip an upload whose bytes are already there.
     *
     * @param host a connected host
     * @param path absolute path of a regular file on the host
     * @return the lower-case hex sha256, or empty when there is no such regular file
     * @throws HostException when the host cannot be reached or {@code sha256sum} fails on an existing file
     */
    public static Optional<String> sha256(Host host, String path) {
        String q = Shell.quote(path);
        Host.CommandResult r = host.run("if [ -f " + q + " ]; then sha256sum < " + q + " | cut -c1-64; else echo absent; fi",
                Duration.ofMinutes(2));
        String out = r.stdout().strip();
        if (!r.ok()) {
            throw new HostException(host.name() + ": sha256sum " + path + " failed (exit " + r.exitCode() + "): " + r.stderr().strip(), null);
        }
        if (out.equals("absent")) {
            return Optional.empty();
        }
        if (!out.matches("[0-9a-f]{64}")) {
            throw new HostException(host.name() + ": sha256sum " + path + " printed `" + out + "`", null);
        }
        return Optional.of(out);
    }
}
