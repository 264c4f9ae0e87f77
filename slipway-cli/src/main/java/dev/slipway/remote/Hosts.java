package dev.slipway.remote;

import java.time.Duration;

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
}
