package dev.slipway.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.artifact.Artifact;
import dev.slipway.config.ReleaseConfig;
import dev.slipway.util.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Publishes a GitHub release with the REST API (API version {@code 2022-11-28}), best-effort:
 *
 * <ol>
 *   <li>{@code POST /repos/{owner}/{repo}/releases} with {@code tag_name}, {@code name},
 *       {@code body} (the changelog), {@code draft}, {@code prerelease}; when GitHub answers 422
 *       because the release exists, {@code GET /repos/{owner}/{repo}/releases/tags/{tag}} instead;</li>
 *   <li>for every artifact except the single files' directories, {@code POST} the bytes to the
 *       release's {@code upload_url} with {@code ?name=}, {@code Content-Type:
 *       application/octet-stream}. A single file is uploaded under its directory's name
 *       ({@code myapp_1.2.3_linux_amd64}), since every platform's file is called {@code <name>}.</li>
 * </ol>
 *
 * <p>The token comes from the environment variable {@code GITHUB_TOKEN}; it is sent only in the
 * {@code Authorization} header and never printed. Only the request shapes are tested here, against
 * a loopback server; the docs say so.
 */
public final class GitHubPublisher implements Publisher {
    /** The environment variable that holds the token. */
    public static final String TOKEN_ENV = "GITHUB_TOKEN";

    private final ReleaseConfig.GitHub config;
    private final Function<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private static final ObjectMapper JSON = Json.MAPPER;

    /**
     * @param config the repository and API root
     * @param env    reads environment variables ({@code System::getenv}; tests pass their own)
     */
    public GitHubPublisher(ReleaseConfig.GitHub config, Function<String, String> env) {
        this.config = config;
        this.env = env;
    }

    @Override
    public String describe() {
        return "GitHub release in " + config.owner() + "/" + config.repo()
                + (config.apiUrl().toString().equals(ReleaseConfig.GITHUB_API) ? "" : " (" + config.apiUrl() + ")");
    }

    @Override
    public void preflight() {
        String token = env.apply(TOKEN_ENV);
        if (token == null || token.isBlank()) {
            throw SlipwayException.usage("publishing to GitHub needs a token in the environment variable "
                    + TOKEN_ENV + " (a fine-grained token with 'Contents: write' on " + config.owner() + "/"
                    + config.repo() + "); use --snapshot or --skip-publish to release without publishing");
        }
    }

    @Override
    public void publish(Request r, boolean dryRun, Console console) {
        String api = config.apiUrl().toString().replaceAll("/+$", "");
        String releases = api + "/repos/" + seg(config.owner()) + "/" + seg(config.repo()) + "/releases";
        if (dryRun) {
            console.progress("  would POST " + releases + " (tag " + r.tag() + ", draft " + config.draft()
                    + ", prerelease " + config.prerelease() + ")");
            for (Artifact a : r.artifacts()) {
                console.progress("  would upload " + assetName(a, r) + " (" + a.size() + " bytes)");
            }
            return;
        }
        preflight();
        String token = env.apply(TOKEN_ENV).strip();
        try {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("tag_name", r.tag());
            body.put("name", r.name() + " " + r.version());
            body.put("body", r.changelog());
            body.put("draft", config.draft());
            body.put("prerelease", config.prerelease());
            HttpResponse<String> created = send(token, HttpRequest.newBuilder(URI.create(releases))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
            JsonNode release;
            if (created.statusCode() == 201) {
                release = JSON.readTree(created.body());
                console.progress("  created release " + r.tag() + " (" + release.path("html_url").asText() + ")");
            } else if (created.statusCode() == 422) {
                HttpResponse<String> existing = send(token, HttpRequest.newBuilder(
                        URI.create(releases + "/tags/" + seg(r.tag()))).GET());
                if (existing.statusCode() != 200) {
                    throw failure("creating the release", created);
                }
                release = JSON.readTree(existing.body());
                console.progress("  release " + r.tag() + " exists; adding assets to it");
            } else {
                throw failure("creating the release", created);
            }
            String upload = release.path("upload_url").asText();
            int brace = upload.indexOf('{');
            if (brace >= 0) {
                upload = upload.substring(0, brace);
            }
            if (upload.isEmpty()) {
                throw SlipwayException.failed("GitHub's answer has no upload_url");
            }
            for (Artifact a : r.artifacts()) {
                String name = assetName(a, r);
                HttpResponse<String> up = send(token, HttpRequest.newBuilder(URI.create(upload + "?name="
                                + URLEncoder.encode(name, StandardCharsets.UTF_8)))
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofFile(r.serviceDir().resolve(a.path()))));
                if (up.statusCode() != 201) {
                    throw failure("uploading " + name, up);
                }
                console.progress("  uploaded " + name);
            }
        } catch (IOException e) {
            throw SlipwayException.failed("publishing to GitHub failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SlipwayException.failed("interrupted while publishing to GitHub");
        }
    }

    /** @return the asset name: the file name, or for a single file its directory's name */
    static String assetName(Artifact a, Request r) {
        String p = a.distPath(r.serviceDir().relativize(r.dist()));
        if (a.kind() == Artifact.Kind.SINGLE_FILE && p.contains("/")) {
            return p.substring(0, p.indexOf('/'));
        }
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private HttpResponse<String> send(String token, HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpRequest req = b.header("Accept", "application/vnd.github+json")
                .header("Authorization", "Bearer " + token)
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("User-Agent", "slipway")
                .timeout(Duration.ofMinutes(5)).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private static SlipwayException failure(String what, HttpResponse<String> resp) {
        String msg = resp.body();
        try {
            msg = JSON.readTree(resp.body()).path("message").asText(msg);
        } catch (IOException ignored) {
            // not JSON: keep the raw body
        }
        if (msg.length() > 300) {
            msg = msg.substring(0, 300) + "…";
        }
        return SlipwayException.failed("GitHub: " + what + " failed: HTTP " + resp.statusCode() + ": " + msg);
    }

    private static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
