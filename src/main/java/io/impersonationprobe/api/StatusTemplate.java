package io.impersonationprobe.api;

import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;
import io.quarkus.qute.ValueResolver;
import io.quarkus.qute.Variant;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The status page's Qute template, parsed once at startup. Every value is HTML-escaped: names and texts come from
 * Exchange and from configuration, never trusted as markup.
 */
@ApplicationScoped
public class StatusTemplate {
    static final String RESOURCE = "templates/status.html";
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final Template template;

    public StatusTemplate() {
        Engine engine = Engine.builder()
                .addDefaults()
                .addValueResolver(new ReflectionValueResolver())
                // {instant.utc}: a time to the second, in UTC, readable at a glance.
                .addValueResolver(ValueResolver.builder().applyToBaseClass(Instant.class).applyToName("utc")
                        .resolveSync(context -> utc((Instant) context.getBase())).build())
                .addResultMapper(new HtmlEscaper(List.of(Variant.TEXT_HTML)))
                .build();
        this.template = engine.parse(read(), Variant.forContentType(Variant.TEXT_HTML));
    }

    static String utc(Instant instant) {
        return instant == null ? "" : UTC.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    public Template template() {
        return template;
    }

    private static String read() {
        try (InputStream in = StatusTemplate.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the application");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
