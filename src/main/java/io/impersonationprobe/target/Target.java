package io.impersonationprobe.target;

/**
 * One mailbox as one group sees it. A mailbox listed in two groups is two targets: each group keeps its own
 * expectation, schedule and series.
 *
 * @param tenant  the tenant id from configuration
 * @param group   the group name
 * @param mailbox the normalised SMTP address
 * @param expect  what the probe must find
 */
public record Target(String tenant, String group, String mailbox, Expectation expect) {

    /** A stable identifier, unique across groups. */
    public String id() {
        return group + "/" + mailbox;
    }
}
