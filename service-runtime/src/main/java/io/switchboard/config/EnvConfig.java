package io.switchboard.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Base of every service's configuration: settings are declared once in a Kafka {@link ConfigDef} whose keys are
 * environment variable names, parsed from the environment, validated at start, and documented from the same
 * declaration (see {@link ConfigDocs}).
 */
public abstract class EnvConfig extends AbstractConfig {

    protected EnvConfig(ConfigDef definition, Map<String, String> env) {
        super(definition, onlyDeclared(definition, env), false);
    }

    /** Only the declared keys: the process environment holds much else, which must not be logged or parsed. */
    private static Map<String, String> onlyDeclared(ConfigDef definition, Map<String, String> env) {
        Map<String, String> declared = new HashMap<>();
        for (String name : definition.names()) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                declared.put(name, value.trim());
            }
        }
        return declared;
    }

    /** Builds a config, turning a missing or invalid setting into one message that names the variable. */
    public static <C extends EnvConfig> C load(Function<Map<String, String>, C> constructor, Map<String, String> env) {
        try {
            return constructor.apply(Objects.requireNonNull(env));
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage(), e);
        }
    }

    protected String optionalString(String name) {
        String value = getString(name);
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * {@code name}'s value, else its {@code alias}'s: another name of the same setting (TAC TypeScript's, for one),
     * declared beside it and read only when {@code name} is unset.
     */
    protected String optionalString(String name, String alias) {
        String value = optionalString(name);
        return value != null ? value : optionalString(alias);
    }

    protected String secret(String name) {
        Password password = getPassword(name);
        return password == null ? null : password.value();
    }
}
