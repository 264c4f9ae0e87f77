package dev.slipway.release;

import dev.slipway.SlipwayException;
import dev.slipway.config.ReleaseConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The changelog of a release: the commits reachable from HEAD and not from the previous tag
 * (all commits for a first release), read with JGit, then filtered, grouped and sorted by the
 * rules of {@code release.changelog}.
 *
 * <p>Filters and group regexes are matched with {@link java.util.regex.Matcher#find()} against
 * the first line of the message: they are <em>not anchored</em>. {@code docs:} matches
 * {@code fix: docs: typo} too; {@code ^docs:} only messages that start with {@code docs:}.
 *
 * @param previousTag the tag the changelog starts after, or {@code null} for a first release
 * @param sections    the sections in order; one untitled section when no groups are configured
 */
public record Changelog(String previousTag, List<Section> sections) {

    /**
     * One commit line.
     *
     * @param shortCommit the first 7 characters of the id
     * @param subject     the first line of the message
     */
    public record Entry(String shortCommit, String subject) {}

    /**
     * A section of the changelog.
     *
     * @param title   the group title, or {@code null} without groups
     * @param entries the commits, in the configured order
     */
    public record Section(String title, List<Entry> entries) {}

    /**
     * Reads the commits and applies the rules.
     *
     * @param dir         a directory inside the work tree
     * @param previousTag the tag to start after, or {@code null} for every commit
     * @param rules       filters, groups, sort and merge handling
     * @return the changelog
     * @throws SlipwayException (exit 1) when the repository cannot be read
     */
    public static Changelog of(Path dir, String previousTag, ReleaseConfig.Changelog rules) {
        List<RevCommit> commits = new ArrayList<>();
        FileRepositoryBuilder builder = new FileRepositoryBuilder().findGitDir(dir.toAbsolutePath().toFile());
        try (Repository repo = builder.build(); RevWalk walk = new RevWalk(repo)) {
            walk.sort(RevSort.TOPO, true);
            walk.sort(RevSort.COMMIT_TIME_DESC, true);
            walk.markStart(walk.parseCommit(repo.resolve("HEAD")));
            if (previousTag != null) {
                ObjectId prev = repo.resolve("refs/tags/" + previousTag + "^{commit}");
                walk.markUninteresting(walk.parseCommit(prev));
            }
            for (RevCommit c : walk) {
                commits.add(c);
            }
        } catch (IOException e) {
            throw SlipwayException.failed("cannot read the git history for the changelog: " + e.getMessage(), e);
        }
        List<Entry> entries = new ArrayList<>();
        for (RevCommit c : commits) { // newest first, as git log
            String subject = c.getShortMessage().strip();
            if (rules.skipMerges() && c.getParentCount() > 1) {
                continue;
            }
            if (!rules.include().isEmpty() && rules.include().stream().noneMatch(p -> p.matcher(subject).find())) {
                continue;
            }
            if (rules.exclude().stream().anyMatch(p -> p.matcher(subject).find())) {
                continue;
            }
            entries.add(new Entry(c.getId().name().substring(0, 7), subject));
        }
        if (rules.sort().equals("asc")) {
            java.util.Collections.reverse(entries);
        }
        if (rules.groups().isEmpty()) {
            return new Changelog(previousTag, List.of(new Section(null, List.copyOf(entries))));
        }
        Map<ReleaseConfig.Group, List<Entry>> byGroup = new LinkedHashMap<>();
        rules.groups().forEach(g -> byGroup.put(g, new ArrayList<>()));
        for (Entry e : entries) {
            for (ReleaseConfig.Group g : rules.groups()) {
                Pattern p = g.regex();
                if (p == null || p.matcher(e.subject()).find()) {
                    byGroup.get(g).add(e);
                    break;
                }
            }
        }
        List<Section> sections = new ArrayList<>();
        byGroup.forEach((g, list) -> {
            if (!list.isEmpty()) {
                sections.add(new Section(g.title(), List.copyOf(list)));
            }
        });
        return new Changelog(previousTag, List.copyOf(sections));
    }

    /** @return every entry, in section order */
    public List<Entry> entries() {
        return sections.stream().flatMap(s -> s.entries().stream()).toList();
    }

    /**
     * Renders Markdown: a heading, the range, then {@code ## Title} per section and one
     * {@code - abc1234 subject} line per commit.
     *
     * @param name    the service name
     * @param version the release version
     * @return the Markdown text, ending with a newline
     */
    public String markdown(String name, String version) {
        StringBuilder sb = new StringBuilder("# " + name + " " + version + "\n\n");
        sb.append(previousTag == null ? "First release: every commit.\n" : "Changes since " + previousTag + ".\n");
        if (entries().isEmpty()) {
            sb.append("\nNo changes.\n");
        }
        for (Section s : sections) {
            if (s.entries().isEmpty()) {
                continue;
            }
            sb.append('\n');
            if (s.title() != null) {
                sb.append("## ").append(s.title()).append("\n\n");
            }
            for (Entry e : s.entries()) {
                sb.append("- ").append(e.shortCommit()).append(' ').append(e.subject()).append('\n');
            }
        }
        return sb.toString();
    }
}
