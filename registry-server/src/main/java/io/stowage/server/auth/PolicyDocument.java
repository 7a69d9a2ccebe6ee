package io.stowage.server.auth;

import java.util.List;
import java.util.Map;

/**
 * The policy file as written, before its names are checked and its patterns compiled: what
 * Jackson reads the YAML into. Null stands for a key that is absent.
 *
 * <p>Plain classes with fields rather than records on purpose: Jackson reports an unknown key of a
 * record only after reading the whole mapping, so the line it names is the mapping's end; with
 * fields it stops at the key itself and the error names the key's own line.
 */
final class PolicyDocument {
    public Map<String, List<String>> groups;
    public List<Grant> grants;
    public Anonymous anonymous;

    /** One entry of {@code grants}. */
    static final class Grant {
        public List<String> users;
        public List<String> groups;
        public List<String> repositories;
        public List<Action> actions;
    }

    /** {@code anonymous}: what a caller without credentials may do, by action. */
    static final class Anonymous {
        public List<String> pull;
        public List<String> push;
        public List<String> delete;
    }
}
