package io.impersonationprobe.target;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class MailboxAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"alex.wilber@contoso.com", "o'brien+probe@mail.contoso.co.uk", "a@b.io",
            "first.last-2@sub-domain.example.org"})
    void acceptsAddressesExchangeAccepts(String address) {
        assertNull(MailboxAddress.problemWith(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "alex", "alex@", "@contoso.com", "alex@@contoso.com", "alex wilber@contoso.com",
            "alex@contoso", "alex@-contoso.com", ".alex@contoso.com", "alex..w@contoso.com", "alex@contoso.com\r\nX: y",
            "\"alex\"@contoso.com", "alex@contoso.com>"})
    void refusesAnythingElse(String address) {
        assertNotNull(MailboxAddress.problemWith(address), address);
    }

    @Test
    void refusesOverlongAddressesAndLocalParts() {
        assertNotNull(MailboxAddress.problemWith("a".repeat(65) + "@contoso.com"));
        String longest = "a@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(63) + "." + "e".repeat(56) + ".com";
        assertEquals(MailboxAddress.MAX_LENGTH, longest.length());
        assertNull(MailboxAddress.problemWith(longest));
        assertEquals("is longer than 254 characters", MailboxAddress.problemWith("x" + longest));
    }

    @Test
    void namesTheProblem() {
        assertEquals("contains a space or a control character", MailboxAddress.problemWith("a\tb@contoso.com"));
        assertEquals("has no '@'", MailboxAddress.problemWith("contoso.com"));
    }

    @Test
    void normalisesToLowerCase() {
        assertEquals(Optional.of("alex.wilber@contoso.com"), MailboxAddress.parse("Alex.Wilber@Contoso.com"));
        assertEquals(Optional.empty(), MailboxAddress.parse("not an address"));
    }
}
