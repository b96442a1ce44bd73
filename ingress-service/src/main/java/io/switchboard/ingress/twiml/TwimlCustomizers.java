package io.switchboard.ingress.twiml;

import io.switchboard.config.InvalidConfigurationException;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the {@link TwimlCustomizer}s on ingress's class path, once at start. */
public final class TwimlCustomizers {
    private static final Logger log = LoggerFactory.getLogger(TwimlCustomizers.class);

    private TwimlCustomizers() {
    }

    /**
     * Every customizer {@link ServiceLoader} finds, ordered by class name (class path order is not stable).
     * @throws InvalidConfigurationException naming the provider that cannot be loaded or created
     */
    public static List<TwimlCustomizer> load() {
        try {
            List<TwimlCustomizer> found = ServiceLoader.load(TwimlCustomizer.class).stream()
                    .map(ServiceLoader.Provider::get)
                    .sorted(Comparator.comparing(c -> c.getClass().getName()))
                    .toList();
            found.forEach(c -> log.info("TwiML customizer {} runs for every call", c.getClass().getName()));
            return found;
        } catch (ServiceConfigurationError e) {
            throw new InvalidConfigurationException("A TwiML customizer (META-INF/services/" + TwimlCustomizer.class.getName()
                    + ") cannot be loaded: " + e.getMessage(), e);
        }
    }
}
