package io.impersonationprobe.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.impersonationprobe.control.ConfiguredAccess.Decision;
import io.impersonationprobe.probe.UserAgent;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the objects of admin API answers as Exchange documents them, tolerating what it may send instead: every
 * property may be absent, null, a string, an array or of an unexpected type. What cannot be read as documented is
 * unknown for that property alone and named in {@link #unreadable()} as {@code Cmdlet.Property}; it never fails the
 * read. No I/O: {@link AdminApiClient} fetches, this reads.
 */
final class AdminApiAnswers {
    /** {@code /Date(1700000000000)/}, the older OData JSON form of a date. */
    private static final Pattern OLD_DATE = Pattern.compile("/Date\\((-?\\d+)([+-]\\d{4})?\\)/");

    private final List<String> unreadable = new ArrayList<>();

    /** The properties read as unknown so far, each once. */
    List<String> unreadable() {
        return unreadable.stream().distinct().toList();
    }

    private void unreadable(String cmdlet, String property) {
        unreadable.add(cmdlet + "." + property);
    }

    /**
     * Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy: IsDehydrated, tri-state EwsEnabled, the
     * EwsAllowedAppIDs string, the user-agent policy, and what Exchange decides from them for {@code appId}.
     */
    OrganizationState organization(JsonNode config, String appId, Instant now) {
        String cmdlet = "Get-OrganizationConfig";
        Boolean dehydrated = bool(cmdlet, config, "IsDehydrated");
        EwsEnabled enabled = EwsEnabled.read(config.path("EwsEnabled"));
        if (enabled == EwsEnabled.UNKNOWN) {
            unreadable(cmdlet, "EwsEnabled");
        }
        // Absent means not returned (the switch was not honoured); null means no list.
        List<String> allowed = list(cmdlet, config, "EwsAllowedAppIDs", true);
        JsonNode policyNode = config.path("EwsApplicationAccessPolicy");
        String policy = null;
        boolean policyKnown = true;
        if (policyNode.isTextual()) {
            policy = policyNode.textValue().strip();
        } else if (!policyNode.isNull() && !policyNode.isMissingNode()) {
            unreadable(cmdlet, "EwsApplicationAccessPolicy");
            policyKnown = false;
        }
        Boolean userAgentAllowed = null;
        if (policyKnown) {
            List<String> allowList = list(cmdlet, config, "EwsAllowList", false);
            List<String> blockList = list(cmdlet, config, "EwsBlockList", false);
            boolean needed = "EnforceAllowList".equalsIgnoreCase(policy) ? allowList != null
                    : !"EnforceBlockList".equalsIgnoreCase(policy) || blockList != null;
            userAgentAllowed = needed ? EwsAccessPolicy.allows(policy, allowList, blockList, UserAgent.EWS) : null;
        }
        EwsAppDecision decision = EwsAccessPolicy.decide(enabled, allowed, userAgentAllowed, appId);
        return new OrganizationState(dehydrated, enabled, allowed, policy, userAgentAllowed, decision, unreadable(), now);
    }

    /** Get-ManagementRoleAssignment rows; a row without a Name (or Identity) cannot be followed and is left out. */
    List<RoleAssignmentInfo> roleAssignments(List<JsonNode> rows) {
        String cmdlet = "Get-ManagementRoleAssignment";
        List<RoleAssignmentInfo> assignments = new ArrayList<>();
        for (JsonNode row : rows) {
            String name = text(cmdlet, row, "Name");
            if (name == null) {
                name = text(cmdlet, row, "Identity");
            }
            String role = text(cmdlet, row, "Role");
            if (name == null || role == null) {
                unreadable(cmdlet, name == null ? "Name" : "Role");
                continue;
            }
            String scope = text(cmdlet, row, "CustomResourceScope");
            if (scope == null || scope.isEmpty()) {
                scope = text(cmdlet, row, "CustomRecipientWriteScope");
            }
            Boolean enabled = bool(cmdlet, row, "Enabled");
            String type = text(cmdlet, row, "RoleAssigneeType");
            assignments.add(new RoleAssignmentInfo(name, role, text(cmdlet, row, "RoleAssignee"),
                    type == null ? "" : type, scope == null || scope.isEmpty() ? null : scope,
                    // An assignment whose Enabled cannot be read may grant: counted as enabled.
                    enabled == null || enabled,
                    instant(cmdlet, row, "WhenCreated"), instant(cmdlet, row, "WhenChanged"),
                    text(cmdlet, row, "RoleAssigneeName")));
        }
        return assignments;
    }

    /** Get-ManagementScope: names and recipient filters. */
    Map<String, String> managementScopes(List<JsonNode> rows) {
        String cmdlet = "Get-ManagementScope";
        Map<String, String> scopes = new TreeMap<>();
        for (JsonNode row : rows) {
            String name = text(cmdlet, row, "Name");
            if (name == null) {
                unreadable(cmdlet, "Name");
                continue;
            }
            String filter = text(cmdlet, row, "RecipientFilter");
            scopes.put(name, filter == null ? "" : filter);
        }
        return scopes;
    }

    /** Get-ServicePrincipal: AppId, ObjectId and DisplayName of each. */
    List<ServicePrincipalInfo> servicePrincipals(List<JsonNode> rows) {
        String cmdlet = "Get-ServicePrincipal";
        List<ServicePrincipalInfo> principals = new ArrayList<>();
        for (JsonNode row : rows) {
            String appId = text(cmdlet, row, "AppId");
            String objectId = text(cmdlet, row, "ObjectId");
            if (appId == null && objectId == null) {
                unreadable(cmdlet, "AppId");
                continue;
            }
            principals.add(new ServicePrincipalInfo(appId, objectId, text(cmdlet, row, "DisplayName")));
        }
        return principals;
    }

    /** Test-ServicePrincipalAuthorization rows of the EWS role: which scopes cover the mailbox (InScope True). */
    ConfiguredAccess authorization(List<JsonNode> rows, String ewsRole, Instant now) {
        String cmdlet = "Test-ServicePrincipalAuthorization";
        List<String> covering = new ArrayList<>();
        List<String> notCovering = new ArrayList<>();
        boolean unknown = false;
        for (JsonNode row : rows) {
            if (!ewsRole.equalsIgnoreCase(text(cmdlet, row, "RoleName"))) {
                continue; // Graph mail roles do not open EWS.
            }
            String scope = text(cmdlet, row, "AllowedResourceScope");
            scope = scope == null ? "" : scope;
            // InScope is True, False or "Not Run".
            JsonNode inScope = row.path("InScope");
            Boolean in = inScope.isBoolean() ? Boolean.valueOf(inScope.booleanValue())
                    : inScope.isTextual() && inScope.textValue().strip().equalsIgnoreCase("true") ? Boolean.TRUE
                    : inScope.isTextual() && inScope.textValue().strip().equalsIgnoreCase("false") ? Boolean.FALSE
                    : null;
            if (in == null) {
                if (!inScope.isTextual()) {
                    unreadable(cmdlet, "InScope");
                }
                unknown = true;
                continue;
            }
            (in ? covering : notCovering).add(scope);
        }
        Decision decision = !covering.isEmpty() ? Decision.ALLOW : unknown ? Decision.UNKNOWN : Decision.DENY;
        return new ConfiguredAccess(decision, List.copyOf(covering), List.copyOf(notCovering), now);
    }

    /** Get-CASMailbox: the mailbox's own EwsEnabled (tri-state like the organisation's). */
    EwsEnabled casMailboxEwsEnabled(JsonNode mailbox) {
        EwsEnabled enabled = EwsEnabled.read(mailbox.path("EwsEnabled"));
        if (enabled == EwsEnabled.UNKNOWN) {
            unreadable("Get-CASMailbox", "EwsEnabled");
        }
        return enabled;
    }

    /** A string property; null when absent or null, unknown (and null) when of another type. */
    private String text(String cmdlet, JsonNode row, String property) {
        JsonNode value = row.path(property);
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (value.isNumber() || value.isBoolean()) {
            return value.asText();
        }
        unreadable(cmdlet, property);
        return null;
    }

    /** A boolean property, also as the strings True and False; null when absent, null or unreadable. */
    private Boolean bool(String cmdlet, JsonNode row, String property) {
        JsonNode value = row.path(property);
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual() && (value.textValue().strip().equalsIgnoreCase("true")
                || value.textValue().strip().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(value.textValue().strip());
        }
        unreadable(cmdlet, property);
        return null;
    }

    /**
     * A list property: an array of strings, or one comma-separated string (how EwsAllowedAppIDs reads back); null
     * gives an empty list. Absent gives null, counted as unreadable only when {@code required}.
     */
    private List<String> list(String cmdlet, JsonNode row, String property, boolean required) {
        JsonNode value = row.path(property);
        if (value.isMissingNode()) {
            if (required) {
                unreadable(cmdlet, property);
            }
            return null;
        }
        if (value.isNull()) {
            return List.of();
        }
        if (value.isTextual()) {
            return Arrays.stream(value.textValue().split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : value) {
                if (!item.isTextual()) {
                    unreadable(cmdlet, property);
                    return null;
                }
                Arrays.stream(item.textValue().split(",")).map(String::strip).filter(s -> !s.isEmpty())
                        .forEach(items::add);
            }
            return List.copyOf(items);
        }
        unreadable(cmdlet, property);
        return null;
    }

    /** An ISO-8601 date (with or without offset) or {@code /Date(ms)/}; null when absent or unreadable. */
    private Instant instant(String cmdlet, JsonNode row, String property) {
        String text = text(cmdlet, row, property);
        if (text == null) {
            return null;
        }
        Matcher old = OLD_DATE.matcher(text.strip());
        if (old.matches()) {
            try {
                return Instant.ofEpochMilli(Long.parseLong(old.group(1)));
            } catch (NumberFormatException | DateTimeException outOfRange) {
                unreadable(cmdlet, property);
                return null;
            }
        }
        try {
            return OffsetDateTime.parse(text.strip()).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text.strip());
            } catch (DateTimeParseException unreadableDate) {
                unreadable(cmdlet, property);
                return null;
            }
        }
    }
}
