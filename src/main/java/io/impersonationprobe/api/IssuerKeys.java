package io.impersonationprobe.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.Printable;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.lang.JoseException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The OIDC issuer's signing keys, found through its discovery document. However many tokens arrive, at most one fetch
 * is under way (callers share it and wait for it without holding a thread); each fetch is bounded in time and bytes
 * and follows no redirect; after a failure the next fetch waits, from 5 s doubling to 5 min, and tokens that need it
 * are refused at once meanwhile, with one WARN per failed fetch. Keys are fetched again when a token names an unknown
 * key id (at most once a minute) or when they are an hour old; the keys in hand stay in use until new ones arrive.
 */
final class IssuerKeys {
    private static final Logger LOG = Logger.getLogger(IssuerKeys.class);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(5);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    static final Duration MIN_REFRESH = Duration.ofMinutes(1);
    static final Duration MAX_AGE = Duration.ofHours(1);
    static final int MAX_DOCUMENT_BYTES = 256 * 1024;

    private record Fetched(List<JsonWebKey> keys, Instant at) {
    }

    private final URI issuer;
    private final HttpClient http;
    private final ObjectMapper json;
    private final Clock clock;

    private volatile Fetched current;
    // Guarded by this.
    private CompletableFuture<List<JsonWebKey>> inFlight;
    private Instant nextFetch = Instant.MIN;
    private Duration backoff = FIRST_BACKOFF;
    private String lastFailure = "not fetched yet";
    private URI jwksUri;

    IssuerKeys(URI issuer, HttpClient http, ObjectMapper json, Clock clock) {
        this.issuer = issuer;
        this.http = http;
        this.json = json;
        this.clock = clock;
    }

    /** Keys to verify a token signed with {@code keyId} (null: any); fails when the issuer's keys cannot be had. */
    CompletionStage<List<JsonWebKey>> forKeyId(String keyId) {
        Fetched held = current;
        Instant now = clock.instant();
        boolean known = held != null && held.keys().stream().anyMatch(k -> keyId == null || keyId.equals(k.getKeyId()));
        if (known && held.at().plus(MAX_AGE).isAfter(now)) {
            return CompletableFuture.completedFuture(held.keys());
        }
        synchronized (this) {
            if (inFlight == null && !now.isBefore(nextFetch)) {
                CompletableFuture<List<JsonWebKey>> attempt = fetch().toCompletableFuture()
                        .orTimeout(FETCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                inFlight = attempt;
                attempt.whenComplete((keys, failure) -> settle(attempt, keys, failure));
            }
            if (known || (held != null && inFlight == null)) {
                // A token with an unknown key id between refreshes is checked against the keys in hand, and fails.
                return CompletableFuture.completedFuture(held.keys());
            }
            return inFlight != null ? inFlight.copy()
                    : CompletableFuture.failedFuture(new IOException(lastFailure));
        }
    }

    private synchronized void settle(CompletableFuture<List<JsonWebKey>> attempt, List<JsonWebKey> keys,
                                     Throwable failure) {
        if (inFlight == attempt) {
            inFlight = null;
        }
        Instant now = clock.instant();
        if (failure == null) {
            current = new Fetched(keys, now);
            nextFetch = now.plus(MIN_REFRESH);
            backoff = FIRST_BACKOFF;
            return;
        }
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        lastFailure = cause instanceof TimeoutException ? "no answer within " + FETCH_TIMEOUT.toSeconds() + " s"
                : cause instanceof IOException && cause.getMessage() != null ? cause.getMessage() : cause.toString();
        nextFetch = now.plus(backoff);
        LOG.warnf("OIDC keys of %s could not be fetched: %s; tokens that need them are refused until the next attempt "
                + "in %d s", issuer, lastFailure, backoff.toSeconds());
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }

    private CompletionStage<List<JsonWebKey>> fetch() {
        URI known = jwksUri;
        CompletionStage<URI> keysAt = known != null ? CompletableFuture.completedFuture(known)
                : get(URI.create(issuer.toString().replaceAll("/+$", "") + "/.well-known/openid-configuration"))
                .thenApply(this::jwksUri);
        return keysAt.thenCompose(this::get).thenApply(IssuerKeys::signingKeys);
    }

    private URI jwksUri(String body) {
        JsonNode document;
        try {
            document = json.readTree(body);
        } catch (IOException e) {
            throw new CompletionException(new IOException("the discovery document is not JSON"));
        }
        if (!document.path("issuer").asText("").equals(issuer.toString())) {
            throw new CompletionException(new IOException("the discovery document names issuer '"
                    + Printable.of(document.path("issuer").asText(""), 200) + "'"));
        }
        String named = document.path("jwks_uri").asText("");
        URI keys;
        try {
            keys = URI.create(named);
        } catch (IllegalArgumentException e) {
            keys = null;
        }
        // Keys over plain http only from an issuer that is itself plain http (loopback, as configuration allows).
        if (keys == null || keys.getHost() == null
                || !("https".equals(keys.getScheme()) || keys.getScheme().equals(issuer.getScheme()))) {
            throw new CompletionException(new IOException("the discovery document names jwks_uri '"
                    + Printable.of(named, 200) + "', not an https address"));
        }
        synchronized (this) {
            jwksUri = keys;
        }
        return keys;
    }

    private static List<JsonWebKey> signingKeys(String body) {
        try {
            List<JsonWebKey> keys = new JsonWebKeySet(body).getJsonWebKeys().stream()
                    .filter(k -> k.getUse() == null || "sig".equals(k.getUse())).toList();
            if (keys.isEmpty()) {
                throw new CompletionException(new IOException("the key set has no signing key"));
            }
            return keys;
        } catch (JoseException e) {
            throw new CompletionException(new IOException("the key set is not a JSON Web Key Set"));
        }
    }

    /** One bounded GET: no redirect followed, an answer other than 200 is a failure naming its status. */
    private CompletionStage<String> get(URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Accept", "application/json")
                .GET().build();
        return http.sendAsync(request, info -> new Bounded(MAX_DOCUMENT_BYTES)).thenApply(response -> {
            int status = response.statusCode();
            if (status / 100 == 3) {
                String location = response.headers().firstValue("Location").map(IssuerKeys::host).orElse("none");
                throw new CompletionException(new IOException(uri + " answered HTTP " + status
                        + " (redirect to host " + location + ", not followed)"));
            }
            if (status != 200) {
                throw new CompletionException(new IOException(uri + " answered HTTP " + status));
            }
            return new String(response.body(), StandardCharsets.UTF_8);
        });
    }

    private static String host(String location) {
        try {
            String host = URI.create(location.strip()).getHost();
            return host == null ? "none" : Printable.of(host, 200);
        } catch (IllegalArgumentException e) {
            return "unreadable";
        }
    }

    /** Collects a body up to a cap, and abandons the exchange as soon as the cap is passed. */
    private static final class Bounded implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Bounded(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > max) {
                    subscription.cancel();
                    body.completeExceptionally(new IOException("the answer is larger than " + max + " bytes"));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.writeBytes(chunk);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable failure) {
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
    }
}
