package io.impersonationprobe.simulator;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecipientFilterTest {
    static final Mailbox SALES_VP = new Mailbox("nestor.wilke@contoso.com", "UserMailbox", "Sales",
            List.of("Leadership", "Sales Team"));
    static final Mailbox SUPPORT = new Mailbox("support@contoso.com", "SharedMailbox", "Support", List.of());
    static final Mailbox ROOM = new Mailbox("boardroom@contoso.com", "RoomMailbox", null, List.of());

    @Test
    void comparesCaseInsensitively() {
        RecipientFilter filter = RecipientFilter.parse("Department -eq 'sales'");
        assertTrue(filter.matches(SALES_VP));
        assertFalse(filter.matches(SUPPORT));
        assertFalse(filter.matches(ROOM), "a missing property equals nothing");
    }

    @Test
    void combinesWithPrecedenceAndParentheses() {
        RecipientFilter filter = RecipientFilter.parse(
                "(Department -eq 'Sales' -or Department -eq 'Support') -and -not (MemberOfGroup -eq 'Leadership')");
        assertFalse(filter.matches(SALES_VP));
        assertTrue(filter.matches(SUPPORT));
        // -and binds tighter than -or.
        RecipientFilter precedence = RecipientFilter.parse(
                "Department -eq 'Support' -or Department -eq 'Sales' -and RecipientTypeDetails -eq 'SharedMailbox'");
        assertTrue(precedence.matches(SUPPORT));
        assertFalse(precedence.matches(SALES_VP));
    }

    @Test
    void supportsLikeNeAndMultiValuedGroups() {
        assertTrue(RecipientFilter.parse("PrimarySmtpAddress -like '*@contoso.com'").matches(ROOM));
        assertFalse(RecipientFilter.parse("Alias -like 'board*' -and RecipientTypeDetails -ne 'RoomMailbox'").matches(ROOM));
        assertTrue(RecipientFilter.parse("MemberOfGroup -eq 'Sales Team'").matches(SALES_VP));
        assertFalse(RecipientFilter.parse("MemberOfGroup -ne 'Sales Team'").matches(SALES_VP));
        assertTrue(RecipientFilter.parse("MemberOfGroup -ne 'Sales Team'").matches(SUPPORT));
        assertTrue(RecipientFilter.parse("Department -eq $null").matches(ROOM));
    }

    @Test
    void explainsInvalidFilters() {
        assertEquals("unknown property 'Dept' in recipient filter; known: PrimarySmtpAddress, Alias, Department, "
                + "RecipientTypeDetails, MemberOfGroup",
                assertThrows(IllegalArgumentException.class, () -> RecipientFilter.parse("Dept -eq 'x'")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> RecipientFilter.parse("Department -gt 'x'"));
        assertThrows(IllegalArgumentException.class, () -> RecipientFilter.parse("(Department -eq 'x'"));
        assertThrows(IllegalArgumentException.class, () -> RecipientFilter.parse("Department -eq 'x"));
        assertThrows(IllegalArgumentException.class, () -> RecipientFilter.parse("Department -eq 'x' Alias"));
        assertThrows(IllegalArgumentException.class, () -> RecipientFilter.parse(""));
    }
}
