package io.switchboard.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.config.InvalidConfigurationException;
import io.switchboard.launcher.ServiceDefinition;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DevServicesTest {
    @Test
    void withoutLeavesOutTheNamedServicesAndKeepsTheOrderOfTheRest() {
        List<String> all = DevServices.all().stream().map(ServiceDefinition::command).toList();
        List<String> rest = DevServices.without(Set.of("agent")).stream().map(ServiceDefinition::command).toList();

        assertThat(all).contains("agent");
        assertThat(rest).doesNotContain("agent").containsExactlyElementsOf(all.stream()
                .filter(name -> !name.equals("agent")).toList());
    }

    @Test
    void anUnknownServiceIsRefusedNamingWhatDevRuns() {
        assertThatThrownBy(() -> DevServices.without(Set.of("agnet")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("agnet").hasMessageContaining("agent");
    }
}
