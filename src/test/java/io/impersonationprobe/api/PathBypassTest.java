package io.impersonationprobe.api;

import io.impersonationprobe.testing.SimulatorResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Path-normalization bypasses (the forms of CVE-2026-39852 and CVE-2026-50559, and their relatives) on every
 * protected path, with protection on: matrix parameters, encoded semicolons, slashes and backslashes, empty and dot
 * segments, a trailing slash, mixed case and percent-encoded letters. Sent byte for byte over a socket, so no client
 * normalizes them first. Without the read role every one is refused; the ambiguous ones with a problem body before
 * routing.
 */
@QuarkusTest
@TestProfile(ProtectedEndpointsTest.Protected.class)
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class PathBypassTest {
    static final List<String> PROTECTED = List.of("/q/metrics", "/", "/api/v1/targets", "/api/v1/tenants",
            "/api/v1/checks");
    static final Set<Integer> REFUSED = Set.of(400, 401, 403, 404, 405);

    record Answer(int status, String head, String body) {
    }

    static Set<String> variants(String path) {
        String last = path.substring(path.lastIndexOf('/') + 1);
        String parent = path.substring(0, path.lastIndexOf('/'));
        Set<String> variants = new LinkedHashSet<>(List.of(
                path + ";x", path + "%3Bx", path + "%3bx", path + ";jsessionid=1",
                "/" + path + "", "//" + path.substring(1), "/./" + path.substring(1), "/x/.." + path,
                "/x/%2E%2E" + path, path + "/", path + "//", path + "/.", path + "/..",
                path.toUpperCase(Locale.ROOT), path.replace("/q/", "/Q/").replace("/api/", "/Api/")));
        if (!last.isEmpty()) {
            variants.add(parent + "%2F" + last);
            variants.add(parent + "%2f" + last);
            variants.add(parent + "%5C" + last);
            variants.add(parent + "\\" + last);
            variants.add(parent + "/%" + Integer.toHexString(last.charAt(0)).toUpperCase(Locale.ROOT)
                    + last.substring(1));
            variants.add(parent + "/" + last.substring(0, last.length() - 1) + "%"
                    + Integer.toHexString(last.charAt(last.length() - 1)));
        } else {
            variants.addAll(List.of("/%2F", "/%5C", "/\\", "/%2E", "/%69ndex.html"));
        }
        variants.remove(path);
        return variants;
    }

    static Answer get(String rawPath, String key) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), RestAssured.port)) {
            socket.setSoTimeout(30_000);
            String request = "GET " + rawPath + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (key == null ? "" : "X-API-Key: " + key + "\r\n") + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            return new Answer(Integer.parseInt(head.substring(9, 12)), head, split < 0 ? "" : text.substring(split + 4));
        }
    }

    @Test
    void noVariantOfAProtectedPathIsServedWithoutTheReadRole() throws IOException {
        List<String> served = new ArrayList<>();
        int tried = 0;
        for (String path : PROTECTED) {
            for (String variant : variants(path)) {
                for (String key : new String[]{null, "test-checker-key"}) {
                    Answer answer = get(variant, key);
                    tried++;
                    if (!REFUSED.contains(answer.status())) {
                        served.add(variant + " (" + (key == null ? "no key" : "checker key") + "): " + answer.status());
                    }
                    // A raw backslash, or "//" alone (an authority with no path), is not a valid request target:
                    // the HTTP layer answers a bare 400 before any route.
                    if (PathGuard.ambiguous(variant) && !variant.contains("\\") && !variant.equals("//")) {
                        assertEquals(400, answer.status(), variant);
                        assertTrue(answer.head().toLowerCase(Locale.ROOT).contains(Problem.MEDIA_TYPE), variant + "\n" + answer.head() + "\n" + answer.body());
                        assertTrue(answer.body().contains("ambiguous-path"), variant);
                    }
                }
            }
        }
        System.out.printf("path bypass: %d requests, %d served%n", tried, served.size());
        assertTrue(served.isEmpty(), String.join("\n", served));
    }

    @Test
    void thePlainPathsAreServedWithTheReadRole() throws IOException {
        for (String path : List.of("/q/metrics", "/", "/api/v1/targets", "/api/v1/tenants")) {
            assertEquals(200, get(path, "test-reader-key").status(), path);
            assertEquals(401, get(path, null).status(), path);
        }
        // An address with an encoded '@' is not ambiguous and still reaches its resource.
        assertTrue(Set.of(200, 404).contains(get("/api/v1/targets/canaries/alex.wilber%40contoso.com",
                "test-reader-key").status()));
    }
}
