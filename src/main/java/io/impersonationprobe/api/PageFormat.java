package io.impersonationprobe.api;

import io.quarkus.qute.TemplateExtension;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** How the status page writes times: to the second, in UTC, readable at a glance. */
@TemplateExtension
final class PageFormat {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private PageFormat() {
    }

    static String utc(Instant instant) {
        return instant == null ? "" : UTC.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
