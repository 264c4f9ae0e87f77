package dev.slipway.util;

import java.util.regex.Pattern;

/**
 * What a release version may look like: it goes into file names ({@code <name>_<version>_<os>_<arch>}),
 * image tags and paths on hosts, so it starts with a letter or digit and holds only letters,
 * digits, {@code .}, {@code _}, {@code +} and {@code -} (a subset of an OCI tag's characters,
 * plus {@code +} for SemVer build metadata). One rule for slipway.yaml, {@code --version} and tags.
 */
public final class Versions {
    /** The pattern of a valid version. */
    public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

    private Versions() {}

    /**
     * @param version a candidate version
     * @return whether it matches {@link #VERSION}
     */
    public static boolean isValid(String version) {
        return VERSION.matcher(version).matches();
    }
}
