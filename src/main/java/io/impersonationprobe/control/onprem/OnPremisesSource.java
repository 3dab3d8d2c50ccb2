package io.impersonationprobe.control.onprem;

import io.impersonationprobe.config.DirectorySettings;
import io.impersonationprobe.control.AccessConfiguration;
import io.impersonationprobe.control.ConfiguredAccess;
import io.impersonationprobe.control.ControlPlaneException;
import io.impersonationprobe.control.ControlPlaneSource;
import io.impersonationprobe.control.OrganizationState;
import io.impersonationprobe.control.RoleAssignmentInfo;
import io.impersonationprobe.target.Target;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * On-premises Exchange's control plane, read from Active Directory over LDAP: the RBAC objects EWS decides
 * impersonation from, and for every target a prediction (allow, deny or unknown, with the chain that decides it).
 * One connection per read; nothing is cached between polls but the last RBAC view, which the targets' predictions of
 * the same poll use.
 */
public final class OnPremisesSource implements ControlPlaneSource {
    private final DirectorySettings settings;
    private final Clock clock;
    private Rbac latest;
    private AccessConfiguration lastRead;
    /** When a poll last found the RBAC objects changed: removals leave no whenChanged behind. */
    private Instant changeSeenAt;

    public OnPremisesSource(DirectorySettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Optional<OrganizationState> organization() {
        return Optional.empty(); // on-premises Exchange has no EwsEnabled / EwsAllowedAppIDs gate
    }

    @Override
    public boolean readsOrganization() {
        return false;
    }

    @Override
    public synchronized AccessConfiguration access() throws ControlPlaneException {
        try (Directory directory = Directory.open(settings)) {
            latest = RbacReader.on(directory, settings.sizeLimit()).read(settings.serviceAccount());
        }
        AccessConfiguration now = configuration(latest);
        if (lastRead != null && !lastRead.equals(now)) {
            changeSeenAt = clock.instant();
        }
        lastRead = now;
        return now;
    }

    @Override
    public synchronized Map<String, ConfiguredAccess> configured(List<Target> targets) throws ControlPlaneException {
        Map<String, ConfiguredAccess> predicted = new HashMap<>();
        if (targets.isEmpty()) {
            return predicted;
        }
        try (Directory directory = Directory.open(settings)) {
            RbacReader reader = RbacReader.on(directory, settings.sizeLimit());
            Rbac rbac = latest != null ? latest : (latest = reader.read(settings.serviceAccount()));
            List<String> addresses = targets.stream().map(t -> t.mailbox().toLowerCase(Locale.ROOT)).distinct().toList();
            Map<String, DirectoryRecipient> recipients = reader.recipients(addresses);
            Instant at = clock.instant();
            for (Target target : targets) {
                predicted.put(target.id(), withChangeSeen(ImpersonationPredictor.predict(rbac,
                        recipients.get(target.mailbox().toLowerCase(Locale.ROOT)), at)));
            }
        }
        return predicted;
    }

    @Override
    public synchronized ConfiguredAccess configuredNow(String mailbox) throws ControlPlaneException {
        try (Directory directory = Directory.open(settings)) {
            RbacReader reader = RbacReader.on(directory, settings.sizeLimit());
            Rbac rbac = reader.read(settings.serviceAccount());
            String address = mailbox.toLowerCase(Locale.ROOT);
            return withChangeSeen(ImpersonationPredictor.predict(rbac, reader.recipients(List.of(address)).get(address),
                    clock.instant()));
        }
    }

    /** The account's assignments that grant now and did not before (added, enabled, re-scoped), timed by whenChanged. */
    @Override
    public synchronized List<RoleAssignmentInfo> grantsGained(AccessConfiguration before, AccessConfiguration now) {
        List<RoleAssignmentInfo> gained = new ArrayList<>();
        if (latest == null) {
            return gained;
        }
        for (Rbac.Assignment assignment : latest.assignments()) {
            RoleAssignmentInfo info = now.assignments().get(assignment.name());
            RoleAssignmentInfo then = before.assignments().get(assignment.name());
            if (info == null || !info.grants() || !appliesToAccount(assignment)) {
                continue;
            }
            if (then == null || !then.grants() || !Objects.equals(then.scope(), info.scope())) {
                Instant changed = info.whenChanged() != null ? info.whenChanged() : info.whenCreated();
                gained.add(new RoleAssignmentInfo(info.name(), info.role(), info.assignee(), info.assigneeType(),
                        info.scope(), true, changed, info.whenChanged(), info.delegation(), info.scopeType()));
            }
        }
        return gained;
    }

    private boolean appliesToAccount(Rbac.Assignment assignment) {
        Rbac.Principal account = latest.account();
        String sid = assignment.assigneeSid();
        if (sid != null) {
            return sid.equals(account.sid()) || account.groups().containsKey(sid);
        }
        String dn = Rbac.key(assignment.assigneeDn());
        return dn.equals(Rbac.key(account.dn()))
                || account.groups().values().stream().anyMatch(g -> g.dn() != null && Rbac.key(g.dn()).equals(dn));
    }

    private ConfiguredAccess withChangeSeen(ConfiguredAccess access) {
        Instant seen = changeSeenAt;
        if (seen == null || access.changedAt() != null && access.changedAt().isAfter(seen)) {
            return access;
        }
        return new ConfiguredAccess(access.decision(), access.covering(), access.notCovering(), access.checkedAt(),
                access.basis(), access.chain(), access.fixes(), seen);
    }

    /** The RBAC view as the poller, events and metrics see every source's. */
    static AccessConfiguration configuration(Rbac rbac) {
        Map<String, RoleAssignmentInfo> assignments = new TreeMap<>();
        for (Rbac.Assignment a : rbac.assignments()) {
            int type = a.flags().recipientWriteScope();
            String scope = switch (type) {
                case RoleAssignmentFlags.SCOPE_ORGANIZATION -> null;
                case RoleAssignmentFlags.SCOPE_OU -> a.scopeDn();
                default -> a.scopeDn() == null ? RoleAssignmentFlags.scopeTypeName(type) : Rbac.name(a.scopeDn());
            };
            assignments.put(a.name(), new RoleAssignmentInfo(a.name(), a.role().label(), a.assigneeName(),
                    a.flags().assigneeTypeName(), scope, a.flags().enabled(), a.whenCreated(), a.whenChanged(),
                    a.flags().delegationName(), RoleAssignmentFlags.scopeTypeName(type)));
        }
        Map<String, String> scopes = new TreeMap<>();
        for (Rbac.Scope s : rbac.scopes().values()) {
            if (s.recipient()) {
                scopes.put(s.name(), (s.filterText() == null ? "(no filter)" : s.filterText())
                        + (s.root() == null ? "" : " under " + s.root()) + (s.exclusive() ? " [exclusive]" : ""));
            }
        }
        Map<String, String> holders = new TreeMap<>();
        rbac.holders().forEach((principal, how) -> {
            if (how.contains(" through ")) {
                holders.put(Rbac.name(principal), how);
            }
        });
        return new AccessConfiguration(Collections.unmodifiableMap(assignments), Collections.unmodifiableMap(scopes),
                Collections.unmodifiableMap(holders));
    }
}
