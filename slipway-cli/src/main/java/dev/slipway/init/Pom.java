package dev.slipway.init;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What Slipway reads from one {@code pom.xml} (POM 4.0.0, https://maven.apache.org/pom.html):
 * coordinates, parent, modules, properties, dependencies and build plugins with their
 * configuration. It does not resolve profiles or remote parents; a parent POM found at its
 * {@code relativePath} (default {@code ../pom.xml}) lends its properties. {@code ${...}} references to
 * the properties and {@code project.*} coordinates are expanded.
 *
 * @param file         the POM file
 * @param groupId      the group (inherited from the parent when not set), may be {@code null}
 * @param artifactId   the artifact id
 * @param version      the version (inherited from the parent when not set), may be {@code null}
 * @param packaging    {@code jar} unless set ({@code ${...}} expanded: Micronaut's starter writes
 *                     {@code ${packaging}})
 * @param parent       the parent's {@code groupId:artifactId}, or {@code null}
 * @param modules      the {@code <modules>} entries, as written
 * @param properties   the {@code <properties>}: the parent's (when its POM is at the parent's
 *                     {@code relativePath} and is that parent), then this POM's, which override them
 * @param dependencies {@code groupId:artifactId} of every dependency but test-scoped ones (managed
 *                     ones excluded)
 * @param plugins      {@code groupId:artifactId} of every build plugin to its configuration elements:
 *                     the plugin's own {@code <configuration>}, then each {@code <execution>}'s (the
 *                     shade plugin, for one, is usually configured in its execution), from
 *                     {@code build/plugins} then {@code build/pluginManagement}; possibly empty;
 *                     plugins without a groupId get {@code org.apache.maven.plugins}
 * @param buildPlugins {@code groupId:artifactId} of the plugins in {@code build/plugins} only: the ones
 *                     that run in this project's build
 * @param testDependencies {@code groupId:artifactId} of the test-scoped dependencies
 * @param goals        {@code groupId:artifactId} of each plugin in {@code build/plugins} to the goals
 *                     of its {@code <executions>} (the goals this build runs without being asked)
 */
public record Pom(Path file, String groupId, String artifactId, String version, String packaging, String parent,
                  List<String> modules, Map<String, String> properties, List<String> dependencies,
                  Map<String, List<Element>> plugins, List<String> buildPlugins, List<String> testDependencies,
                  Map<String, List<String>> goals) {

    private static final Pattern REF = Pattern.compile("\\$\\{([^}]+)}");

    /**
     * Reads a POM.
     *
     * @param file the {@code pom.xml}
     * @return its contents
     * @throws SlipwayException (exit 2) when the file cannot be read or is not XML
     */
    public static Pom read(Path file) {
        return read(file, 0);
    }

    private static Pom read(Path file, int depth) {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setNamespaceAware(false);
            doc = f.newDocumentBuilder().parse(Files.newInputStream(file));
        } catch (IOException e) {
            throw SlipwayException.usage("cannot read " + file + ": " + e.getMessage());
        } catch (Exception e) {
            throw SlipwayException.usage(file + " is not a valid POM: " + e.getMessage());
        }
        Element project = doc.getDocumentElement();
        Element parent = child(project, "parent");
        String groupId = text(project, "groupId");
        String version = text(project, "version");
        String parentId = null;
        if (parent != null) {
            parentId = text(parent, "groupId") + ":" + text(parent, "artifactId");
            groupId = groupId != null ? groupId : text(parent, "groupId");
            version = version != null ? version : text(parent, "version");
        }
        String packaging = text(project, "packaging");
        List<String> modules = new ArrayList<>();
        Element mods = child(project, "modules");
        if (mods != null) {
            for (Element m : children(mods, "module")) {
                modules.add(m.getTextContent().trim());
            }
        }
        Map<String, String> props = new LinkedHashMap<>();
        Pom parentPom = parent == null || depth > 8 ? null : localParent(file, parent, depth);
        if (parentPom != null) {
            props.putAll(parentPom.properties());
        }
        Element p = child(project, "properties");
        if (p != null) {
            for (Element e : children(p, null)) {
                props.put(e.getTagName(), e.getTextContent().trim());
            }
        }
        List<String> deps = new ArrayList<>();
        List<String> testDeps = new ArrayList<>();
        Element ds = child(project, "dependencies");
        if (ds != null) {
            for (Element d : children(ds, "dependency")) {
                ("test".equals(text(d, "scope")) ? testDeps : deps).add(text(d, "groupId") + ":" + text(d, "artifactId"));
            }
        }
        Map<String, List<Element>> plugins = new LinkedHashMap<>();
        Map<String, List<String>> goals = new LinkedHashMap<>();
        List<String> active = new ArrayList<>();
        Element build = child(project, "build");
        if (build != null) {
            List<Element> all = new ArrayList<>();
            Element ps = child(build, "plugins");
            if (ps != null) {
                all.addAll(children(ps, "plugin"));
                for (Element pl : all) {
                    String g = text(pl, "groupId");
                    String key = (g == null ? "org.apache.maven.plugins" : g) + ":" + text(pl, "artifactId");
                    active.add(key);
                    Element execs = child(pl, "executions");
                    for (Element ex : execs == null ? List.<Element>of() : children(execs, "execution")) {
                        Element gs = child(ex, "goals");
                        for (Element goal : gs == null ? List.<Element>of() : children(gs, "goal")) {
                            goals.computeIfAbsent(key, k -> new ArrayList<>()).add(goal.getTextContent().trim());
                        }
                    }
                }
            }
            Element pm = child(build, "pluginManagement");
            Element pmps = pm == null ? null : child(pm, "plugins");
            if (pmps != null) {
                all.addAll(children(pmps, "plugin"));
            }
            for (Element pl : all) {
                String g = text(pl, "groupId");
                String key = (g == null ? "org.apache.maven.plugins" : g) + ":" + text(pl, "artifactId");
                List<Element> configs = plugins.computeIfAbsent(key, k -> new ArrayList<>());
                Element own = child(pl, "configuration");
                if (own != null) {
                    configs.add(own);
                }
                Element execs = child(pl, "executions");
                for (Element ex : execs == null ? List.<Element>of() : children(execs, "execution")) {
                    Element c = child(ex, "configuration");
                    if (c != null) {
                        configs.add(c);
                    }
                }
            }
        }
        Pom pom = new Pom(file, groupId, text(project, "artifactId"), version, packaging == null ? "jar" : packaging,
                parentId, List.copyOf(modules), props, List.copyOf(deps), plugins, List.copyOf(active),
                List.copyOf(testDeps), goals);
        return packaging == null || !packaging.contains("${") ? pom
                : new Pom(file, groupId, pom.artifactId(), version, pom.expand(packaging), parentId, pom.modules(),
                        props, pom.dependencies(), plugins, pom.buildPlugins(), pom.testDependencies(), goals);
    }

    /**
     * The parent POM when it is on disk where Maven looks first: {@code relativePath} (default
     * {@code ../pom.xml}; an empty one means the repository only), a file or a directory holding
     * {@code pom.xml}, whose {@code groupId:artifactId} is the parent's. Else {@code null}.
     */
    private static Pom localParent(Path file, Element parent, int depth) {
        Element rel = child(parent, "relativePath");
        String relPath = rel == null ? "../pom.xml" : rel.getTextContent().trim();
        if (relPath.isEmpty()) {
            return null;
        }
        Path candidate = file.toAbsolutePath().getParent().resolve(relPath).normalize();
        if (Files.isDirectory(candidate)) {
            candidate = candidate.resolve("pom.xml");
        }
        if (!Files.isRegularFile(candidate) || candidate.equals(file.toAbsolutePath().normalize())) {
            return null;
        }
        try {
            Pom p = read(candidate, depth + 1);
            String id = text(parent, "groupId") + ":" + text(parent, "artifactId");
            return id.equals(p.groupId() + ":" + p.artifactId()) ? p : null;
        } catch (SlipwayException e) {
            return null; // not a POM Slipway can read: its properties are not used
        }
    }

    /** @return whether {@code groupId:artifactId} is in {@code build/plugins} with an execution running {@code goal} */
    public boolean runs(String plugin, String goal) {
        return goals.getOrDefault(plugin, List.of()).contains(goal);
    }

    /** @return whether a dependency with this group id (or {@code group:artifact}) is declared */
    public boolean uses(String groupOrId) {
        return dependencies.stream().anyMatch(d -> d.equals(groupOrId) || d.startsWith(groupOrId + ":"));
    }

    /** @return whether {@code groupId:artifactId} is in {@code build/plugins} (it runs in this build) */
    public boolean builds(String plugin) {
        return buildPlugins.contains(plugin);
    }

    /** @return whether a dependency's group id starts with {@code prefix} */
    public boolean usesGroupPrefix(String prefix) {
        return dependencies.stream().anyMatch(d -> d.startsWith(prefix));
    }

    /**
     * Text at a path below a plugin's {@code <configuration>}, with {@code ${...}} expanded: the
     * plugin's own configuration first, then each execution's, the first that has the path.
     *
     * @param plugin {@code groupId:artifactId}
     * @param path   element names, e.g. {@code archive, manifest, mainClass}; {@code *} matches any
     *               element at any depth below the previous one
     * @return the trimmed text, or {@code null}
     */
    public String pluginConfig(String plugin, String... path) {
        for (Element config : plugins.getOrDefault(plugin, List.of())) {
            Element found = find(config, path, 0);
            if (found != null) {
                return expand(found.getTextContent().trim());
            }
        }
        return null;
    }

    /**
     * The command-line arguments a plugin's configuration gives its program: the children of
     * {@code <arguments>}, each {@code <argument>}'s text with {@code ${...}} expanded and an empty
     * element of another name as {@code %name} ({@code <classpath/>} is {@code %classpath}, as the
     * exec plugin's {@code commandlineArgs} writes it), else the words of {@code <commandlineArgs>};
     * the plugin's own configuration first, then each execution's, the first that has them.
     *
     * @param plugin {@code groupId:artifactId}
     * @return the arguments, empty when there are none
     */
    public List<String> pluginArguments(String plugin) {
        for (Element config : plugins.getOrDefault(plugin, List.of())) {
            Element args = child(config, "arguments");
            if (args != null) {
                List<String> out = new ArrayList<>();
                for (Element a : children(args, null)) {
                    String text = a.getTextContent().trim();
                    out.add("argument".equals(a.getTagName()) || !text.isEmpty() ? expand(text) : "%" + a.getTagName());
                }
                return out;
            }
            Element line = child(config, "commandlineArgs");
            if (line != null && !line.getTextContent().isBlank()) {
                return List.of(expand(line.getTextContent().trim()).split("\\s+"));
            }
        }
        return List.of();
    }

    private static Element find(Element at, String[] path, int i) {
        if (i == path.length) {
            return at;
        }
        if (path[i].equals("*")) {
            for (Element c : descendants(at)) {
                Element f = find(c, path, i + 1);
                if (f != null) {
                    return f;
                }
            }
            return null;
        }
        for (Element c : children(at, path[i])) {
            Element f = find(c, path, i + 1);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /**
     * Expands {@code ${name}} references to this POM's properties and coordinates; unknown
     * references stay as they are.
     *
     * @param value text, or {@code null}
     * @return the expanded text, or {@code null}
     */
    public String expand(String value) {
        if (value == null) {
            return null;
        }
        String v = value;
        for (int round = 0; round < 5 && v.contains("${"); round++) {
            Matcher m = REF.matcher(v);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                String r = switch (name) {
                    case "project.artifactId", "pom.artifactId" -> artifactId;
                    case "project.groupId", "pom.groupId" -> groupId;
                    case "project.version", "pom.version" -> version;
                    default -> properties.get(name);
                };
                m.appendReplacement(out, Matcher.quoteReplacement(r == null ? m.group() : r));
            }
            m.appendTail(out);
            v = out.toString();
        }
        return v;
    }

    /** @return a property, expanded, or {@code null} */
    public String property(String name) {
        return expand(properties.get(name));
    }

    private static Element child(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0);
    }

    private static String text(Element parent, String name) {
        Element c = child(parent, name);
        return c == null ? null : c.getTextContent().trim();
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && (name == null || e.getTagName().equals(name))) {
                out.add(e);
            }
        }
        return out;
    }

    private static List<Element> descendants(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Element c : children(parent, null)) {
            out.add(c);
            out.addAll(descendants(c));
        }
        return out;
    }
}
