package io.impersonationprobe.control.onprem;

import io.impersonationprobe.control.onprem.OpathFilter.Truth;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The OPATH subset Exchange normalizes into msExchQueryFilter, in three-valued logic. */
class OpathFilterTest {
    /** Department Sales, Title CEO, two addresses; Office not set; MailboxPlan unknown to the daemon. */
    static final OpathFilter.Recipient CEO = new OpathFilter.Recipient() {
        final Map<String, List<String>> values = Map.of("department", List.of("Sales"), "title", List.of("CEO"),
                "emailaddresses", List.of("SMTP:ceo@corp.example.com", "smtp:diego@corp.local"), "office", List.of());

        @Override
        public Optional<List<String>> values(String property) {
            return Optional.ofNullable(values.get(property.toLowerCase()));
        }

        @Override
        public boolean equal(String property, String value, String other) {
            return value.equalsIgnoreCase(other);
        }
    };

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "(Department -eq 'Sales')|TRUE",
            "((Department -eq 'sales'))|TRUE",
            "(Department -ne 'Sales')|FALSE",
            "((Department -eq 'Sales') -and (-not(Title -eq 'CEO')))|FALSE",
            "((Department -eq 'Marketing') -or (Title -like 'C*'))|TRUE",
            "(EmailAddresses -eq 'smtp:diego@corp.local')|TRUE",
            "(EmailAddresses -ne 'smtp:nobody@corp.local')|TRUE",
            "(Office -eq $null)|TRUE",
            "(Department -ne $null)|TRUE",
            "(Title -notlike '*O')|FALSE",
            "(Department -eq \"It's\")|FALSE",
            "(MailboxPlan -eq 'E3')|UNKNOWN",
            "((MailboxPlan -eq 'E3') -and (Department -eq 'Marketing'))|FALSE",
            "((MailboxPlan -eq 'E3') -or (Department -eq 'Sales'))|TRUE",
            "((MailboxPlan -eq 'E3') -or (Department -eq 'Marketing'))|UNKNOWN",
            "(-not(MailboxPlan -eq 'E3'))|UNKNOWN",
    })
    void evaluates(String filter, Truth expected) {
        assertEquals(expected, OpathFilter.parse(filter).evaluate(CEO));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"(Department -eq 'Sales'", "Department -gt 'A'", "(Department -eq)",
            "(Department -eq $x)", "(-eq 'Sales')"})
    void refusesWhatItCannotRead(String filter) {
        assertThrows(IllegalArgumentException.class, () -> OpathFilter.parse(filter));
    }
}
