package io.switchboard.outbound.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextSplitterTest {

    @Test
    void shortTextIsOneMessage() {
        assertThat(TextSplitter.split("Your order ships tomorrow.", 1_600)).containsExactly("Your order ships tomorrow.");
    }

    @Test
    void splitsAtTheLastWordThatFits() {
        assertThat(TextSplitter.split("aaa bbb ccc ddd", 8)).containsExactly("aaa bbb", "ccc ddd");
    }

    @Test
    void aWordLongerThanTheLimitIsCutHard() {
        assertThat(TextSplitter.split("abcdefghij xy", 4)).containsExactly("abcd", "efgh", "ij", "xy");
    }

    @Test
    void neverCutsASurrogatePair() {
        String text = "ab\uD83D\uDE00cd";
        assertThat(TextSplitter.split(text, 3)).containsExactly("ab", "\uD83D\uDE00c", "d");
    }

    @Test
    void emptyTextIsNoMessage() {
        assertThat(TextSplitter.split("   ", 10)).isEmpty();
    }
}
