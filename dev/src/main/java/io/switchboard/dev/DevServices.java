package io.switchboard.dev;

import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.dev.simulator.Simulator;
import io.switchboard.ingress.IngressConfig;
import io.switchboard.launcher.ServiceContext;
import io.switchboard.launcher.ServiceDefinition;
import io.switchboard.launcher.Services;
import io.switchboard.launcher.operator.OperatorConfig;
import io.switchboard.localtwilio.FakeTwilioApi;
import io.switchboard.service.ManagedService;
import io.switchboard.tracing.RecentSpans;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.LoggerFactory;

/**
 * What {@code dev} runs: every service of {@link Services#all()} plus the simulator page (at {@code /} of the operator
 * listener), which is a dev tool and has no sub-command of its own — and is off with a real Twilio account
 * unless {@link OperatorConfig#SIMULATOR_WITH_REAL_ACCOUNT} asks for it ({@link #simulator}).
 */
public final class DevServices {
    private DevServices() {
    }

    /** The launcher's services in their start order, with the simulator just before the ingress (the front door). */
    public static List<ServiceDefinition> all() {
        List<ServiceDefinition> services = new ArrayList<>(Services.all());
        int ingress = services.stream().map(ServiceDefinition::command).toList().indexOf("ingress");
        services.add(ingress, new ServiceDefinition("simulator",
                "The browser simulator: a customer on any channel, through the real webhooks and relay socket",
                DevServices::simulator));
        return List.copyOf(services);
    }

    /**
     * {@link #all()} without the named services (e.g. {@code agent}, to run an agent of one's own beside dev).
     *
     * @throws InvalidConfigurationException naming a service dev does not run
     */
    public static List<ServiceDefinition> without(Collection<String> names) {
        List<ServiceDefinition> all = all();
        List<String> known = all.stream().map(ServiceDefinition::command).toList();
        Set<String> unknown = new TreeSet<>(names);
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new InvalidConfigurationException("No such service to leave out: " + String.join(", ", unknown)
                    + " (dev runs " + String.join(", ", known) + ")");
        }
        return all.stream().filter(s -> !names.contains(s.command())).toList();
    }

    /**
     * The simulator signs webhooks with the account's auth token and makes the agent message whatever address the
     * page names, so with an account of one's own (any TWILIO_ACCOUNT_SID but dev's placeholder) it is served only on
     * explicit opt-in, and OperatorConfig refuses that opt-in unless the operator listener is on loopback.
     */
    private static ManagedService simulator(ServiceContext context) {
        FakeTwilioApi localTwilio = context.find(FakeTwilioApi.class).orElse(null);
        boolean devAccount = IngressConfig.DEV_ACCOUNT_SID.equals(context.env().get(IngressConfig.ACCOUNT_SID));
        if (!devAccount && !OperatorConfig.fromEnv(context.env()).simulatorWithRealAccount()) {
            return new SimulatorOff();
        }
        Simulator simulator = new Simulator(context.env(), Services.vertx(context), localTwilio,
                context.find(RecentSpans.class).orElse(null));
        Services.routes(context).add(simulator);
        return simulator;
    }

    /** Stands where the simulator would, to say at start why it is not there. */
    private static final class SimulatorOff implements ManagedService {
        @Override
        public String name() {
            return "simulator (off)";
        }

        @Override
        public void start() {
            LoggerFactory.getLogger(DevServices.class).info("The simulator is off: {} names a Twilio account "
                    + "and {} is not true", IngressConfig.ACCOUNT_SID, OperatorConfig.SIMULATOR_WITH_REAL_ACCOUNT);
        }

        @Override
        public void close() {
        }
    }
}
