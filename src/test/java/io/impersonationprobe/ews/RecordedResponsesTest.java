package io.impersonationprobe.ews;

import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.config.TenantKind;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.Trace;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.testing.ReferenceFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every response in the EWS reference folder, recorded from real Exchange servers or taken from Microsoft's
 * documentation, is served with its recorded status and headers to the real probe stack and must be classified as
 * its content says. An answer to another operation, NoError or error, is not an answer to the probe.
 */
class RecordedResponsesTest {
    private static final Map<String, Outcome> EXPECTED = Map.ofEntries(
            entry("ms-docs/createitem-error-send-as-denied", Outcome.INVALID_RESPONSE),
            entry("ms-docs/createitem-success-impersonated-calendar", Outcome.INVALID_RESPONSE),
            // Answers of other operations, errors included, are not answers to the probe's GetFolder.
            entry("ms-docs/exportitems-mixed-error-nonexistent-mailbox", Outcome.INVALID_RESPONSE),
            entry("ms-docs/findfolder-error-invalid-id-malformed", Outcome.INVALID_RESPONSE),
            entry("ms-docs/findfolder-success-inbox", Outcome.INVALID_RESPONSE),
            entry("ms-docs/finditem-error-invalid-id-malformed", Outcome.INVALID_RESPONSE),
            entry("ms-docs/finditem-success-deleteditems", Outcome.INVALID_RESPONSE),
            entry("ms-docs/getfolder-error-invalid-id-malformed", Outcome.UNKNOWN_ERROR),
            entry("ms-docs/getfolder-success-inbox", Outcome.OK),
            entry("ms-docs/http401-exo-basic-auth-blocked-by-policy", Outcome.AUTH_FAILED),
            entry("ms-docs/http401-oauth-bearer-challenge-authorization-uri-onprem", Outcome.AUTH_FAILED),
            entry("ms-docs/http401-oauth-bearer-x-ms-diagnostics-invalid-resource-onprem", Outcome.AUTH_FAILED),
            entry("ms-docs/soapfault-access-denied-not-mailbox-owner-getuseroofsettings", Outcome.ACCESS_DENIED),
            entry("ms-docs/soapfault-client-schema-validation-updateitem-contact", Outcome.UNKNOWN_ERROR),
            entry("ms-docs/soapfault-error-incorrect-schema-version-getimitemlist", Outcome.UNKNOWN_ERROR),
            entry("ms-docs/soapfault-error-schema-validation-addimgroup", Outcome.UNKNOWN_ERROR),
            entry("ms-docs/soapfault-error-schema-validation-findconversation", Outcome.UNKNOWN_ERROR),
            entry("ms-docs/soapfault-error-schema-validation-getserviceconfiguration", Outcome.UNKNOWN_ERROR),
            entry("ms-docs/subscribe-success-o365-second-member", Outcome.INVALID_RESPONSE),
            entry("ms-docs/subscribe-success-o365-with-backendoverridecookie", Outcome.INVALID_RESPONSE),
            entry("recorded/createfolder-error-folder-exists-ex2010sp2", Outcome.INVALID_RESPONSE),
            entry("recorded/createfolder-error-nonexistent-mailbox-ex2007sp1", Outcome.INVALID_RESPONSE),
            entry("recorded/createfolder-error-parent-folder-not-found-ex2010sp2", Outcome.INVALID_RESPONSE),
            entry("recorded/deleteitem-error-itemnotfound-ex2010sp2", Outcome.INVALID_RESPONSE),
            entry("recorded/deleteitem-error-itemnotfound-exo-15.20", Outcome.INVALID_RESPONSE),
            entry("recorded/findfolder-success-exo-15.20", Outcome.INVALID_RESPONSE),
            entry("recorded/finditem-success-calendar-ex2010sp2", Outcome.INVALID_RESPONSE),
            entry("recorded/finditem-success-inbox-exo-15.20", Outcome.INVALID_RESPONSE),
            entry("recorded/getfolder-error-item-not-found-ex2007sp1", Outcome.UNKNOWN_ERROR),
            entry("recorded/getfolder-error-item-not-found-ex2010sp2", Outcome.UNKNOWN_ERROR),
            entry("recorded/getfolder-success-calendar-ex2010sp2", Outcome.OK),
            entry("recorded/getfolder-success-calendar-exo-15.20", Outcome.OK),
            entry("recorded/getfolder-success-ex2007sp1", Outcome.OK),
            entry("recorded/getfolder-success-ex2010sp2-trace", Outcome.OK),
            entry("recorded/http401-ex2007sp1", Outcome.AUTH_FAILED),
            entry("recorded/http401-ntlm-challenge-ex2010sp2", Outcome.AUTH_FAILED),
            entry("recorded/soapfault-client-schema-validation-http500-ex2007sp1", Outcome.UNKNOWN_ERROR),
            entry("recorded/soapfault-error-schema-validation-http500-ex2010sp2", Outcome.UNKNOWN_ERROR));

    private static final Set<String> HOP_BY_HOP = Set.of("transfer-encoding", "content-length", "connection",
            "keep-alive", "date", "set-cookie");
    private static final Pattern STATUS = Pattern.compile("(?m)^(?:http_status: |\\s*HTTP/1\\.1 )(\\d{3})");

    static StubEwsServer server;
    static EwsEndpoint probe;

    @BeforeAll
    static void start() throws IOException {
        server = new StubEwsServer();
        probe = server.probe(TenantKind.EXCHANGE_ONLINE, new StubEwsServer.FixedBearer());
    }

    @AfterAll
    static void stop() throws IOException {
        probe.close();
        server.close();
    }

    @Test
    void everyRecordedResponseIsClassifiedAsItsContentSays() throws IOException {
        Path responses = ReferenceFiles.requireEws().resolve("responses");
        Set<String> found = new TreeSet<>();
        try (var files = Files.walk(responses)) {
            files.filter(p -> p.toString().endsWith(".meta"))
                    .forEach(p -> found.add(responses.relativize(p).toString().replaceAll("\\.meta$", "")));
        }
        assertEquals(new TreeSet<>(EXPECTED.keySet()), found, "every recording has an expected outcome");
        List<String> wrong = new ArrayList<>();
        for (String name : found) {
            Recording recording = Recording.read(responses, name);
            server.answer(recording.status, recording.headers, recording.body);
            ProbeResult result = probe.probe(new Target("t", "g", "alex.wilber@contoso.com", Expectation.ALLOW),
                    Instant.now().plusSeconds(10), Trace.OFF);
            String line = String.format("%-70s HTTP %d -> %-18s %s", name, recording.status, result.outcome(),
                    result.responseCode() == null ? "" : result.responseCode());
            System.out.println(line);
            if (result.outcome() != EXPECTED.get(name)) {
                wrong.add(line + " (expected " + EXPECTED.get(name) + "; " + result.detail() + ")");
            }
            assertTrue(result.remediation() != null && !result.remediation().isBlank());
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    /** A recorded answer: status and headers from the .meta (or the .txt header dump), body from the sibling file. */
    private record Recording(int status, Map<String, String> headers, byte[] body) {
        static Recording read(Path dir, String name) throws IOException {
            String meta = Files.readString(dir.resolve(name + ".meta"));
            Path xml = dir.resolve(name + ".xml");
            Path txt = dir.resolve(name + ".txt");
            Path html = dir.resolve(name + "-body.html");
            Map<String, String> headers = new LinkedHashMap<>();
            String headerSource = meta;
            byte[] body = new byte[0];
            if (Files.exists(xml)) {
                body = Files.readAllBytes(xml);
                headers.put("Content-Type", "text/xml; charset=utf-8");
            } else if (Files.exists(txt)) {
                headerSource = Files.readString(txt);
            } else if (Files.exists(html)) {
                body = Files.readAllBytes(html);
            }
            int status = status(meta, headerSource, name);
            headers.putAll(headers(headerSource, headerSource != meta));
            return new Recording(status, headers, body);
        }

        private static int status(String meta, String headerSource, String name) {
            for (String text : List.of(meta, headerSource)) {
                Matcher m = STATUS.matcher(text);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            // Documentation examples carry no status: faults come with 500, challenges with 401.
            return name.contains("soapfault") ? 500 : name.contains("http401") ? 401 : 200;
        }

        /** Header lines: the indented block under a *headers* key of the .meta, or every line of a header dump. */
        private static Map<String, String> headers(String text, boolean wholeFile) {
            Map<String, String> headers = new LinkedHashMap<>();
            boolean inBlock = wholeFile;
            for (String line : text.split("\r?\n")) {
                if (!wholeFile) {
                    if (line.matches("^[a-z_]+:.*")) {
                        inBlock = line.startsWith("http_response_headers") || line.startsWith("http_response_status_and_headers");
                        continue;
                    }
                    if (!inBlock || !line.startsWith("  ")) {
                        continue;
                    }
                }
                String[] parts = line.strip().split("\\s*(:|\u2192)\\s*", 2);
                if (parts.length == 2 && !parts[0].startsWith("HTTP/") && parts[0].matches("[A-Za-z0-9-]+")
                        && !HOP_BY_HOP.contains(parts[0].toLowerCase()) && !parts[0].startsWith("Soup-")) {
                    headers.merge(parts[0], parts[1], (a, b) -> a);
                }
            }
            return headers;
        }
    }
}
