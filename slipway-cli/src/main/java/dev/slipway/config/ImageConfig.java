package dev.slipway.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The resolved {@code image} section of {@code slipway.yaml}: what {@code slipway image} puts into
 * the OCI image and where it pushes. The reference is {@code docs/config.md}, section {@code image},
 * and the guide {@code docs/image.md}.
 *
 * @param certificates whether {@code /etc/ssl/certs/ca-certificates.crt} goes into the image
 * @param zoneinfo     whether {@code /usr/share/zoneinfo} goes into the image
 * @param repository   the default push target {@code registry/repository}, or {@code null}
 * @param tags         the tags pushed and written into the layout, templates with fields
 *                     {@link #TAG_FIELDS}; default {@code [{version}]}
 * @param user         the {@code uid:gid} the container runs as; uid 0 (root) only with
 *                     {@code image.allowRoot: true}, and then with a warning
 * @param env          extra environment variables of the image (after {@code service.env})
 * @param source       the {@code org.opencontainers.image.source} URL, or {@code null} for the
 *                     git remote {@code origin} (without credentials), or none
 * @param annotations  extra annotations of the manifests and the index (also image labels)
 * @param sysroots     per linux platform, a root directory holding that platform's glibc
 *                     libraries; required for every platform but the host's, which defaults to {@code /}
 */
public record ImageConfig(boolean certificates, boolean zoneinfo, String repository, List<NameTemplate> tags,
                          String user, Map<String, String> env, String source, Map<String, String> annotations,
                          Map<String, Path> sysroots) {

    /** Fields of {@code image.tags}. */
    public static final Set<String> TAG_FIELDS = Set.of("version", "short commit", "commit");
    private static final Pattern USER = Pattern.compile("\\d{1,10}:\\d{1,10}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern REPOSITORY = Pattern.compile("[^/\\s]+/[a-z0-9]+(?:[._/-][a-z0-9]+)*");

    /** @return whether the container runs as root: {@code user}'s uid is 0 */
    public boolean runsAsRoot() {
        return isRoot(user);
    }

    private static boolean isRoot(String user) {
        return Long.parseLong(user.substring(0, user.indexOf(':'))) == 0;
    }

    // ---- raw model: what the YAML may contain; every field optional -------------------------

    record RawImage(
            @Key(doc = "Put the CA certificate bundle /etc/ssl/certs/ca-certificates.crt into the image (default true)")
            Boolean certificates,
            @Key(doc = "Put the time zone database /usr/share/zoneinfo into the image (default true)") Boolean zoneinfo,
            @Key(doc = "Default push target REGISTRY/REPOSITORY, e.g. registry.example.com/acme/myapp") String repository,
            @Key(doc = "Tags; fields {version} {short commit} {commit} (default [{version}])") List<String> tags,
            @Key(doc = "uid:gid the container runs as (default 65534:65534); uid 0 needs allowRoot") String user,
            @Key(doc = "Let image.user be root (uid 0), with a warning (default false)") Boolean allowRoot,
            @Key(doc = "Extra environment variables of the image") Map<String, String> env,
            @Key(doc = "org.opencontainers.image.source (default: the git remote origin)") String source,
            @Key(doc = "Extra annotations of the manifests and the index") Map<String, String> annotations,
            @Key(doc = "Per linux platform, a root holding its glibc libraries (the host default: /)") Map<String, String> sysroots) {}

    // ---- resolution --------------------------------------------------------------------------

    /**
     * Resolves and validates the raw section.
     *
     * @param v   reports errors at the offending value's {@code file:line:col}
     * @param raw the raw section, or {@code null} when absent
     * @return the section with defaults filled in
     * @throws ConfigException (exit 2) for a bad user, tag template, env name, repository or sysroot
     */
    static ImageConfig resolve(ConfigLoader.Validator v, RawImage raw) {
        RawImage r = raw == null ? new RawImage(null, null, null, null, null, null, null, null, null, null) : raw;
        String user = r.user() == null ? "65534:65534" : r.user();
        v.check(USER.matcher(user).matches(), "image.user", "user must be uid:gid in numbers, e.g. 65534:65534"
                + " (a scratch image has no /etc/passwd entries to look names up in)");
        v.check(!isRoot(user) || Boolean.TRUE.equals(r.allowRoot()), "image.user", "user " + user
                + " is root (uid 0): a process that escapes the application runs as root in the container; use a"
                + " non-root uid such as 65534:65534, or set 'allowRoot: true' in image if the service must run as root");
        List<String> tagSources = r.tags() == null ? List.of("{version}") : r.tags();
        v.check(!tagSources.isEmpty(), "image.tags", "tags is empty; list at least one, e.g. ['{version}']");
        List<NameTemplate> tags = new ArrayList<>();
        for (int i = 0; i < tagSources.size(); i++) {
            try {
                tags.add(NameTemplate.parse(tagSources.get(i), TAG_FIELDS));
            } catch (IllegalArgumentException e) {
                throw v.error("image.tags[" + i + "]", e.getMessage());
            }
        }
        if (r.repository() != null) {
            v.check(REPOSITORY.matcher(r.repository()).matches(), "image.repository",
                    "'" + r.repository() + "' is not REGISTRY/REPOSITORY (lower-case path, no tag),"
                            + " e.g. registry.example.com/acme/myapp");
        }
        Map<String, String> env = new TreeMap<>(r.env() == null ? Map.of() : r.env());
        for (var e : env.entrySet()) {
            String name = e.getKey();
            v.check(ENV_NAME.matcher(name).matches(), "image.env." + name,
                    "'" + name + "' is not an environment variable name (letters, digits, '_')");
            v.check(e.getValue() != null, "image.env." + name, "an environment value is empty; write \"\" for an empty string");
            ConfigLoader.envValue(v, "image.env." + name, e.getValue());
        }
        Map<String, Path> sysroots = new TreeMap<>();
        if (r.sysroots() != null) {
            for (var e : r.sysroots().entrySet()) {
                String at = "image.sysroots." + e.getKey();
                v.check(e.getKey().matches("linux-(amd64|arm64)"), at,
                        "'" + e.getKey() + "' is not a linux platform (linux-amd64, linux-arm64)");
                Path p = Path.of(e.getValue());
                p = p.isAbsolute() ? p : v.file().toAbsolutePath().getParent().resolve(p).normalize();
                v.check(java.nio.file.Files.isDirectory(p), at, "no such directory: " + p);
                sysroots.put(e.getKey(), p);
            }
        }
        return new ImageConfig(r.certificates() == null || r.certificates(), r.zoneinfo() == null || r.zoneinfo(),
                r.repository(), List.copyOf(tags), user, java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env)), r.source(),
                Map.copyOf(new TreeMap<>(r.annotations() == null ? Map.of() : r.annotations())), Map.copyOf(sysroots));
    }
}
