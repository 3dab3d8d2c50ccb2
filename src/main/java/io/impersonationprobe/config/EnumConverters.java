package io.impersonationprobe.config;

import io.impersonationprobe.Printable;
import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.PerMailboxSeries;
import io.impersonationprobe.target.ProbeKind;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;
import org.eclipse.microprofile.config.spi.Converter;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the closed sets of the configuration. Case, hyphens and underscores do not matter ({@code exchange-online},
 * {@code EXCHANGE_ONLINE}, {@code deleted-items}, {@code deleteditems}), which accepts everything SmallRye's own enum
 * conversion does; a wrong value is answered with the values there are, in the words of the configuration, where
 * SmallRye would name the Java class.
 */
public final class EnumConverters {
    private EnumConverters() {
    }

    /** The constant of {@code type} that {@code text} names, or empty. */
    private static <E extends Enum<E>> Optional<E> find(Class<E> type, String text) {
        String wanted = comparable(text);
        return Arrays.stream(type.getEnumConstants()).filter(e -> comparable(e.name()).equals(wanted)).findFirst();
    }

    private static String comparable(String text) {
        return text.strip().replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** The constants as the configuration writes them: {@code exchange-online or on-premises}. */
    private static String choices(Class<? extends Enum<?>> type) {
        List<String> labels = Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
        return String.join(", ", labels.subList(0, labels.size() - 1)) + " or " + labels.get(labels.size() - 1);
    }

    /** The constant {@code value} names; an empty value is no value, as SmallRye's own converters have it. */
    private static <E extends Enum<E>> E closed(Class<E> type, String what, String value) {
        return closed(type, what, value, "use " + choices(type));
    }

    /**
     * @param what what a value names, with its article: {@code a tenant kind}
     * @param hint which values there are
     */
    private static <E extends Enum<E>> E closed(Class<E> type, String what, String value, String hint) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return find(type, value).orElseThrow(() -> new IllegalArgumentException(
                "'" + Printable.of(value.strip(), 40) + "' is not " + what + ": " + hint));
    }

    public static final class TenantKinds implements Converter<TenantKind> {
        @Override
        public TenantKind convert(String value) {
            return closed(TenantKind.class, "a tenant kind", value);
        }
    }

    public static final class AuthMethods implements Converter<AuthMethod> {
        @Override
        public AuthMethod convert(String value) {
            return closed(AuthMethod.class, "an authentication method", value);
        }
    }

    public static final class Expectations implements Converter<Expectation> {
        @Override
        public Expectation convert(String value) {
            return closed(Expectation.class, "an expectation", value);
        }
    }

    public static final class ProbeKinds implements Converter<ProbeKind> {
        @Override
        public ProbeKind convert(String value) {
            return closed(ProbeKind.class, "a probe kind", value);
        }
    }

    public static final class PerMailboxSeriesChoices implements Converter<PerMailboxSeries> {
        @Override
        public PerMailboxSeries convert(String value) {
            return closed(PerMailboxSeries.class, "a choice of series per mailbox", value);
        }
    }

    public static final class ApiRoles implements Converter<ApiRole> {
        @Override
        public ApiRole convert(String value) {
            return closed(ApiRole.class, "a role", value);
        }
    }

    /** EWS's well-known folders; there are some forty, so the message gives examples. */
    public static final class WellKnownFolders implements Converter<WellKnownFolderName> {
        @Override
        public WellKnownFolderName convert(String value) {
            return closed(WellKnownFolderName.class, "a well-known folder name", value,
                    "for example inbox, calendar, contacts or drafts");
        }
    }
}
