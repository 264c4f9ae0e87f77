package dev.slipway.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The resolved {@code release} section of {@code slipway.yaml}: what {@code slipway release} makes
 * and where it publishes. The reference is {@code docs/config.md}, section {@code release}.
 *
 * @param before    hook commands run once before building, each with {@code sh -c} in the
 *                  service directory
 * @param archives  how release archives are named and what they hold
 * @param checksum  the checksum file's algorithm
 * @param snapshot  how a snapshot release is versioned
 * @param changelog how the changelog is filtered, grouped and sorted
 * @param publish   where a (non-snapshot) release is published
 */
public record ReleaseConfig(List<String> before, Archives archives, Checksum checksum, Snapshot snapshot,
                            Changelog changelog, Publish publish) {

    /** Fields of {@code release.archives.nameTemplate}. */
    public static final Set<String> ARCHIVE_FIELDS =
            Set.of("name", "version", "os", "arch", "short commit", "commit", "snapshot");
    /** Fields of {@code release.snapshot.versionTemplate}. */
    public static final Set<String> SNAPSHOT_FIELDS =
            Set.of("next patch", "next minor", "next major", "short commit", "commit", "previous tag");
    /** The default archive name: {@code {name}_{version}_{os}_{arch}}, as GoReleaser's. */
    public static final String DEFAULT_ARCHIVE_NAME = "{name}_{version}_{os}_{arch}";
    /** The default snapshot version: {@code {next patch}-SNAPSHOT-{short commit}}. */
    public static final String DEFAULT_SNAPSHOT_VERSION = "{next patch}-SNAPSHOT-{short commit}";
    /** The GitHub REST API root used when {@code release.publish.github.apiUrl} is not set. */
    public static final String GITHUB_API = "https://api.github.com";

    /**
     * Release archives.
     *
     * @param nameTemplate the archive name without extension
     * @param formats      the archive format by os ({@code tar.gz} or {@code zip}); an os that is not
     *                     listed gets {@code tar.gz}
     * @param files        extra files added at the top of every archive, relative to the service
     *                     directory (never absolute, never with {@code ..})
     * @param systemdUnit  whether every archive also gets a generated {@code <name>.service}
     */
    public record Archives(NameTemplate nameTemplate, Map<String, String> formats, List<String> files,
                           boolean systemdUnit) {
        /** @return the format for an os: {@code tar.gz} or {@code zip} */
        public String formatFor(String os) {
            return formats.getOrDefault(os, "tar.gz");
        }
    }

    /** @param algorithm {@code sha256} or {@code sha512} */
    public record Checksum(String algorithm) {}

    /** @param versionTemplate the snapshot version template */
    public record Snapshot(NameTemplate versionTemplate) {}

    /**
     * Changelog rules. Patterns are Java regexes matched with {@code find()} against the first
     * line of the commit message: they are not anchored, so {@code docs:} also matches
     * {@code fix: docs: typo}; write {@code ^docs:} to match only at the start.
     *
     * @param sort       {@code asc} (oldest first) or {@code desc} (newest first, as {@code git log})
     * @param include    when not empty, only commits that match one of these are listed
     * @param exclude    commits that match one of these are left out (after {@code include})
     * @param skipMerges whether merge commits are left out
     * @param groups     sections of the changelog in their order; empty for one flat list
     */
    public record Changelog(String sort, List<Pattern> include, List<Pattern> exclude, boolean skipMerges,
                            List<Group> groups) {}

    /**
     * A changelog section. A commit goes to the first group (by {@code order}, then position) whose
     * regex matches; a group without a regex takes every commit that no earlier group took.
     * Commits that no group takes are left out.
     *
     * @param title the section title
     * @param regex the pattern, or {@code null} for "everything else"
     * @param order the sort key of the section (smaller first)
     */
    public record Group(String title, Pattern regex, int order) {}

    /**
     * Publishers.
     *
     * @param directory a directory to copy the release into, or {@code null}
     * @param github    a GitHub release to create, or {@code null}
     */
    public record Publish(Path directory, GitHub github) {}

    /**
     * A GitHub release, created with the REST API (token from {@code GITHUB_TOKEN}).
     *
     * @param owner      the repository owner
     * @param repo       the repository name
     * @param apiUrl     the API root, {@code https://api.github.com} unless set (GitHub Enterprise:
     *                   {@code https://HOST/api/v3})
     * @param draft      whether the release is created as a draft
     * @param prerelease whether it is marked as a pre-release
     */
    public record GitHub(String owner, String repo, URI apiUrl, boolean draft, boolean prerelease) {}

    // ---- raw model: what the YAML may contain; every field optional -------------------------

    record RawRelease(
            @Key(doc = "Commands run once (sh -c, in the service directory) before building") List<String> before,
            RawArchives archives, RawChecksum checksum, RawSnapshot snapshot, RawChangelog changelog,
            RawPublish publish) {}

    record RawArchives(
            @Key(doc = "Archive name without extension; fields {name} {version} {os} {arch} {short commit}"
                    + " {commit} {snapshot:TEXT}") String nameTemplate,
            @Key(doc = "Archive format per os (default tar.gz)") RawFormats formats,
            @Key(doc = "Extra files added to every archive, relative to the service directory") List<String> files,
            @Key(doc = "Add a generated systemd unit <name>.service to every archive (default false)")
            Boolean systemdUnit) {}

    record RawFormats(@Key(values = {"tar.gz", "zip"}) String linux,
                      @Key(values = {"tar.gz", "zip"}) String darwin,
                      @Key(values = {"tar.gz", "zip"}, doc = "default zip") String windows) {}

    record RawChecksum(@Key(values = {"sha256", "sha512"}, doc = "default sha256") String algorithm) {}

    record RawSnapshot(
            @Key(doc = "Snapshot version; fields {next patch} {next minor} {next major} {short commit} {commit}"
                    + " {previous tag}") String versionTemplate,
            @Key(replacedBy = "versionTemplate", doc = "Deprecated: use versionTemplate") String nameTemplate) {}

    record RawChangelog(@Key(values = {"asc", "desc"}, doc = "default desc (newest first)") String sort,
                        @Key(doc = "Regexes (not anchored) a commit's first line must match one of") List<String> include,
                        @Key(doc = "Regexes (not anchored); matching commits are left out") List<String> exclude,
                        @Key(doc = "Leave merge commits out (default true)") Boolean skipMerges,
                        List<RawGroup> groups) {}

    record RawGroup(String title, @Key(doc = "Regex (not anchored); none: every commit left") String regex,
                    Integer order) {}

    record RawPublish(@Key(doc = "A directory to copy the release into") String directory, RawGitHub github) {}

    record RawGitHub(String owner, String repo,
                     @Key(doc = "API root (default https://api.github.com)") String apiUrl,
                     Boolean draft, Boolean prerelease) {}

    // ---- resolution --------------------------------------------------------------------------

    /**
     * Resolves and validates the raw section.
     *
     * @param v   reports errors at the offending value's {@code file:line:col}
     * @param raw the raw section, or {@code null} when absent
     * @return the section with defaults filled in
     * @throws ConfigException (exit 2) for a bad regex, a bad template, a bad path or a missing key
     */
    static ReleaseConfig resolve(ConfigLoader.Validator v, RawRelease raw) {
        RawRelease r = raw == null ? new RawRelease(null, null, null, null, null, null) : raw;
        List<String> before = r.before() == null ? List.of() : List.copyOf(r.before());
        for (int i = 0; i < before.size(); i++) {
            v.check(!before.get(i).isBlank(), "release.before[" + i + "]", "a hook command is empty");
        }

        RawArchives a = r.archives() == null ? new RawArchives(null, null, null, null) : r.archives();
        NameTemplate archiveName = template(v, "release.archives.nameTemplate",
                a.nameTemplate() == null ? DEFAULT_ARCHIVE_NAME : a.nameTemplate(), ARCHIVE_FIELDS);
        v.check(!archiveName.source().contains("/"), "release.archives.nameTemplate",
                "an archive name cannot contain '/'");
        Map<String, String> formats = new LinkedHashMap<>();
        formats.put("windows", "zip");
        if (a.formats() != null) {
            putIfSet(formats, "linux", a.formats().linux());
            putIfSet(formats, "darwin", a.formats().darwin());
            putIfSet(formats, "windows", a.formats().windows());
        }
        List<String> files = a.files() == null ? List.of() : List.copyOf(a.files());
        Path serviceDir = v.file().toAbsolutePath().getParent();
        Set<Path> listed = new java.util.HashSet<>();
        for (int i = 0; i < files.size(); i++) {
            listed.add(serviceDir.resolve(files.get(i)).normalize());
        }
        for (int i = 0; i < files.size(); i++) {
            String f = files.get(i);
            String at = "release.archives.files[" + i + "]";
            Path p = ServicePaths.inside(v, at, f);
            v.check(java.nio.file.Files.isRegularFile(p), at,
                    "extra file '" + f + "' does not exist (paths are relative to the service directory)");
            // A link is stored as a link (GoReleaser #2430/#3584 followed them): its target must be in the archive too.
            if (java.nio.file.Files.isSymbolicLink(p)) {
                Path target;
                try {
                    target = p.getParent().resolve(java.nio.file.Files.readSymbolicLink(p)).normalize();
                } catch (java.io.IOException e) {
                    throw v.error(at, "cannot read the symbolic link '" + f + "': " + e.getMessage());
                }
                String name = target.startsWith(serviceDir) ? serviceDir.relativize(target).toString() : target.toString();
                v.check(listed.contains(target), at, "'" + f + "' is a symbolic link to " + name
                        + ", which is not in the archive (the link would dangle); list " + name
                        + " in release.archives.files too");
            }
        }

        String algorithm = r.checksum() == null || r.checksum().algorithm() == null ? "sha256"
                : r.checksum().algorithm();

        RawSnapshot s = r.snapshot() == null ? new RawSnapshot(null, null) : r.snapshot();
        String snapshotSource = s.versionTemplate() != null ? s.versionTemplate()
                : s.nameTemplate() != null ? s.nameTemplate() : DEFAULT_SNAPSHOT_VERSION;
        String snapshotAt = s.versionTemplate() == null && s.nameTemplate() != null
                ? "release.snapshot.nameTemplate" : "release.snapshot.versionTemplate";
        NameTemplate snapshotVersion = template(v, snapshotAt, snapshotSource, SNAPSHOT_FIELDS);

        RawChangelog c = r.changelog() == null ? new RawChangelog(null, null, null, null, null) : r.changelog();
        List<Pattern> include = patterns(v, "release.changelog.include", c.include());
        List<Pattern> exclude = patterns(v, "release.changelog.exclude", c.exclude());
        List<Group> groups = new ArrayList<>();
        if (c.groups() != null) {
            for (int i = 0; i < c.groups().size(); i++) {
                RawGroup g = c.groups().get(i);
                String at = "release.changelog.groups[" + i + "]";
                v.check(g != null && g.title() != null && !g.title().isBlank(), at,
                        "a changelog group needs a 'title'");
                Pattern p = g.regex() == null ? null : pattern(v, at + ".regex", g.regex());
                groups.add(new Group(g.title(), p, g.order() == null ? i : g.order()));
            }
        }
        groups.sort(Comparator.comparingInt(Group::order)); // stable: equal orders keep their position
        Changelog changelog = new Changelog(c.sort() == null ? "desc" : c.sort(), include, exclude,
                c.skipMerges() == null || c.skipMerges(), List.copyOf(groups));

        Path directory = null;
        GitHub github = null;
        if (r.publish() != null) {
            if (r.publish().directory() != null) {
                v.check(!r.publish().directory().isBlank(), "release.publish.directory", "the directory is empty");
                Path p = Path.of(r.publish().directory());
                directory = p.isAbsolute() ? p : v.file().toAbsolutePath().getParent().resolve(p).normalize();
            }
            RawGitHub g = r.publish().github();
            if (g != null) {
                v.check(g.owner() != null && !g.owner().isBlank(), "release.publish.github",
                        "a GitHub publisher needs 'owner'");
                v.check(g.repo() != null && !g.repo().isBlank(), "release.publish.github",
                        "a GitHub publisher needs 'repo'");
                URI api = URI.create(GITHUB_API);
                if (g.apiUrl() != null) {
                    try {
                        api = new URI(g.apiUrl());
                    } catch (java.net.URISyntaxException e) {
                        api = null;
                    }
                    v.check(api != null && ("https".equals(api.getScheme()) || "http".equals(api.getScheme()))
                                    && api.getHost() != null, "release.publish.github.apiUrl",
                            "'" + g.apiUrl() + "' is not an http(s) URL");
                }
                github = new GitHub(g.owner(), g.repo(), api, Boolean.TRUE.equals(g.draft()),
                        Boolean.TRUE.equals(g.prerelease()));
            }
        }
        return new ReleaseConfig(before, new Archives(archiveName, Map.copyOf(formats), files,
                Boolean.TRUE.equals(a.systemdUnit())),
                new Checksum(algorithm), new Snapshot(snapshotVersion), changelog, new Publish(directory, github));
    }

    private static void putIfSet(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static NameTemplate template(ConfigLoader.Validator v, String at, String source, Set<String> fields) {
        try {
            return NameTemplate.parse(source, fields);
        } catch (IllegalArgumentException e) {
            throw v.error(at, e.getMessage());
        }
    }

    private static List<Pattern> patterns(ConfigLoader.Validator v, String at, List<String> sources) {
        if (sources == null) {
            return List.of();
        }
        List<Pattern> out = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            out.add(pattern(v, at + "[" + i + "]", sources.get(i)));
        }
        return List.copyOf(out);
    }

    private static Pattern pattern(ConfigLoader.Validator v, String at, String source) {
        try {
            return Pattern.compile(source);
        } catch (PatternSyntaxException e) {
            throw v.error(at, "bad regex '" + source + "': " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
        }
    }
}
