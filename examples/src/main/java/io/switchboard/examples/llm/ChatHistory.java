package io.switchboard.examples.llm;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last exchanges of each conversation, in memory. Bounded twice: {@code maxTurns} per conversation, and the
 * least recently active conversations are dropped beyond {@link #MAX_CONVERSATIONS} (messaging conversations may
 * never send an end).
 */
final class ChatHistory {
    static final int MAX_CONVERSATIONS = 10_000;

    /** One customer message and what the agent said to it (so far, or as far as the caller heard it). */
    static final class Turn {
        private final String user;
        private volatile String reply = "";
        private volatile boolean heard;

        Turn(String user) {
            this.user = user;
        }

        String user() {
            return user;
        }

        String reply() {
            return reply;
        }

        void said(String text) {
            if (!heard) {
                reply = text;
            }
        }
    }

    private final int maxTurns;
    private final Map<String, Deque<Turn>> conversations = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Turn>> eldest) {
            return size() > MAX_CONVERSATIONS;
        }
    };

    ChatHistory(int maxTurns) {
        this.maxTurns = maxTurns;
    }

    synchronized List<Turn> turns(String conversationId) {
        Deque<Turn> turns = conversations.get(conversationId);
        return turns == null ? List.of() : List.copyOf(turns);
    }

    /** Records a new exchange (its reply filled in as it streams); the oldest beyond the limit is dropped. */
    synchronized Turn begin(String conversationId, String userText) {
        Turn turn = new Turn(userText);
        if (maxTurns == 0) {
            return turn;
        }
        Deque<Turn> turns = conversations.computeIfAbsent(conversationId, id -> new ArrayDeque<>());
        Turn last = turns.peekLast();
        if (last != null && last.user.equals(userText) && last.reply.isEmpty() && !last.heard) {
            return last; // a retry of a failed attempt, not a new exchange
        }
        turns.addLast(turn);
        while (turns.size() > maxTurns) {
            turns.removeFirst();
        }
        return turn;
    }

    /** The caller interrupted: the last reply is what they heard of it. */
    synchronized void heard(String conversationId, String utterance) {
        Deque<Turn> turns = conversations.get(conversationId);
        if (turns != null && !turns.isEmpty() && utterance != null) {
            Turn last = turns.peekLast();
            last.reply = utterance.strip();
            last.heard = true;
        }
    }

    synchronized void forget(String conversationId) {
        conversations.remove(conversationId);
    }

    synchronized int size() {
        return conversations.size();
    }
}
