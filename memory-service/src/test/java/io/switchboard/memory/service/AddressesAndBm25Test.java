package io.switchboard.memory.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AddressesAndBm25Test {

    @Test
    void oneNumberIsOneCustomerOnEveryChannel() {
        assertThat(Addresses.normalize("whatsapp:+1 (415) 555-0100")).isEqualTo("+14155550100");
        assertThat(Addresses.normalize("+14155550100")).isEqualTo("+14155550100");
        assertThat(Addresses.normalize("RCS:+14155550100")).isEqualTo("+14155550100");
        assertThat(Addresses.normalize("Alice@Example.com")).isEqualTo("alice@example.com");
        assertThat(Addresses.normalize("client:alice")).isEqualTo("client:alice");
        assertThat(Addresses.subjects("mem_profile_1", "whatsapp:+14155550100"))
                .containsExactly("profile:mem_profile_1", "addr:+14155550100");
        assertThat(Addresses.subjects(null, " ")).isEmpty();
    }

    @Test
    void tokensAreLowercaseWithoutStopWordsAndPlurals() {
        assertThat(Bm25.tokens("Where are my Refunds? The café's blenders!"))
                .containsExactly("refund", "cafe", "blender");
    }

    @Test
    void aRareTermOutweighsACommonOne() {
        double[] scores = Bm25.scores(List.of("order shipped", "order delayed", "order refund requested"), "order refund");
        assertThat(scores[2]).isGreaterThan(scores[0]).isGreaterThan(0);
        assertThat(scores[0]).isEqualTo(scores[1]);
        assertThat(Bm25.scores(List.of("anything"), "the of and")).containsExactly(0.0);
    }
}
