package io.impersonationprobe.control;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * The organisation's {@code EwsEnabled} as Exchange Online keeps it: tri-state, {@code $null} by default, plus
 * {@link #UNKNOWN} when the answer held something the daemon could not read.
 */
public enum EwsEnabled {
    TRUE, FALSE,
    /** {@code $null}: the default; EWS is allowed until Microsoft switches the tenant to False. */
    NULL,
    /** Absent from the answer or of a type Exchange does not document. */
    UNKNOWN;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** As the admin API sends it: a JSON boolean, null, or (tolerated) the strings True and False. */
    static EwsEnabled read(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return UNKNOWN;
        }
        if (value.isNull()) {
            return NULL;
        }
        if (value.isBoolean()) {
            return value.booleanValue() ? TRUE : FALSE;
        }
        if (value.isTextual()) {
            String text = value.textValue().strip();
            return "true".equalsIgnoreCase(text) ? TRUE : "false".equalsIgnoreCase(text) ? FALSE : UNKNOWN;
        }
        return UNKNOWN;
    }

    /** Reads a saved label, and the plain boolean that state files written before the tri-state held. */
    @JsonCreator
    static EwsEnabled fromJson(JsonNode saved) {
        if (saved.isTextual()) {
            for (EwsEnabled value : values()) {
                if (value.label().equals(saved.textValue())) {
                    return value;
                }
            }
        }
        return saved.isBoolean() ? read(saved) : UNKNOWN;
    }
}
