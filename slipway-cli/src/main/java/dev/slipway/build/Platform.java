package dev.slipway.build;

import dev.slipway.SlipwayException;
import java.util.Locale;

/**
 * A target platform, written {@code os-arch} as Go and GoReleaser write it: {@code linux-amd64},
 * {@code linux-arm64}.
 *
 * @param os   the operating system: {@code linux}, {@code darwin} or {@code windows}
 * @param arch the architecture: {@code amd64} or {@code arm64}
 */
public record Platform(String os, String arch) {

    /**
     * Parses {@code os-arch}.
     *
     * @param text e.g. {@code linux-amd64}
     * @return the platform
     * @throws SlipwayException (exit 2) for an unknown os or arch
     */
    public static Platform parse(String text) {
        int dash = text.indexOf('-');
        if (dash < 0) {
            throw SlipwayException.usage("'" + text + "' is not a platform; write os-arch, e.g. linux-amd64");
        }
        Platform p = new Platform(text.substring(0, dash), text.substring(dash + 1));
        if (!p.os.matches("linux|darwin|windows") || !p.arch.matches("amd64|arm64")) {
            throw SlipwayException.usage("unknown platform '" + text
                    + "'; known: linux-amd64, linux-arm64, darwin-amd64, darwin-arm64, windows-amd64");
        }
        return p;
    }

    /** @return the platform this JVM runs on */
    public static Platform host() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String goOs = os.contains("linux") ? "linux" : os.contains("mac") ? "darwin"
                : os.contains("windows") ? "windows" : os;
        String goArch = switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
        return new Platform(goOs, goArch);
    }

    /**
     * The path of the glibc dynamic loader on this platform, used by the single file's stub to run
     * its first-run unpacker without an exec bit (see ld.so(8)).
     *
     * @return an absolute path such as {@code /lib64/ld-linux-x86-64.so.2}
     * @throws SlipwayException (exit 2) for a platform without a glibc loader known to Slipway
     */
    public String dynamicLoader() {
        if (os.equals("linux") && arch.equals("amd64")) {
            return "/lib64/ld-linux-x86-64.so.2";
        }
        if (os.equals("linux") && arch.equals("arm64")) {
            return "/lib/ld-linux-aarch64.so.1";
        }
        throw SlipwayException.usage(this + " is not built yet: darwin and windows targets need a JDK of that platform"
                + " with jmods/ to link and test against, which this build cannot get (see docs/building.md);"
                + " remove it from 'platforms' or add it to 'ignore'");
    }

    @Override
    public String toString() {
        return os + "-" + arch;
    }
}
